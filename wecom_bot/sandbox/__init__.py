"""A local, protocol-faithful stand-in for the WeCom server.

It answers the WeCom API (JSON shapes, errcodes, limits such as the silent 30-per-minute drop),
pushes encrypted callbacks to the service like WeCom does, and serves a small web console where
a newcomer plays the members talking to the bot. ``create_sandbox_app`` in ``app`` builds it.

Modules: ``state`` (the in-memory world, pure) composed of ``directory``, ``tokens``,
``faults``, ``messaging`` (with ``payloads`` validation), ``cards``, ``media``, ``oa``,
``schedules``, ``customers`` and ``kf``; ``codes`` (errcodes and ``ApiError``); ``api`` (the
``/cgi-bin`` blueprint), ``pusher`` (callbacks), ``console`` + ``console.html`` (the console).
"""
