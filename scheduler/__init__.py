"""Time-driven jobs (reminders, surveys, summaries, …) run by one leader among all processes.

``jobs``    the registry other use cases add their periodic jobs to (``async (now) -> int``)
``leader``  the single-leader guard: a Redis lease (SET NX PX + token, renewed, released by
            compare-and-delete) or an in-process one on the embedded default
``runner``  the APScheduler 3 ``AsyncIOScheduler`` that ticks every job, on the leader only

Jobs keep no state of their own: each tick derives what is due from the database, so a
restart, a failover or a second scheduler loses and repeats nothing (each job's writes must
be idempotent; the leader lock only saves duplicate work).
"""
