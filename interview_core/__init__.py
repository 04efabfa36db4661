"""Interview analysis core: media decoding, speech, vision, text analysis, scoring, reports.

Pure, synchronous and CPU-bound; runs in workers. Imports only the pure parts of
``recruiting`` (errors, domain). Public CLI: ``python -m interview_core``.
"""
