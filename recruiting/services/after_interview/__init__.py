"""After the interview: surveys and their summaries, candidate summaries for HR."""
