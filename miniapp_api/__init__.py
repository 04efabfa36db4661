"""HTTP API for the candidate mini-app (login, consent, questions, resumable upload, results).

Home for issue #4; it imports ``recruiting`` only and is wired in ``recruiting.bootstrap``.
"""
