"""Time-driven jobs (reminders, surveys, retention, sync) behind a single-leader guard.

Home for issue #5; until then the inbox/outbox sweep in ``recruiting.runtime`` is the only
periodic work, and it is safe in every process at once.
"""
