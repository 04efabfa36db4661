"""Technical adapters every package shares: key-value stores, queues, locks, PII cipher.

They implement ``recruiting.ports`` for Redis and for the in-process embedded default.
"""
