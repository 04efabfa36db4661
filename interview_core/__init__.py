"""Interview analysis core: media decoding, speech, vision, text analysis, scoring, reports.

Pure, synchronous and CPU-bound; runs in workers. Home for issue #3.
"""
