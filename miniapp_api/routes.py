"""HTTP entry points of the mini-app API (``/miniapp/v1``), one module per area joined in
one group: each route reads the request, calls one use case and writes JSON. Errors become
``{"error": code, "message": text}`` with the status chosen in ``recruiting.web``; what every
route shares at the edge is in ``miniapp_api.edge``.
"""

from __future__ import annotations

from sanic import Blueprint

from miniapp_api import (
    access_routes,
    interview_routes,
    limits,
    message_routes,
    retention_routes,
    rights_routes,
    scheduling_routes,
    staff_routes,
)

# sessions and consents, the recorded interview, staff, staff scheduling, staff messages,
# legal holds, the candidate's rights over their data (and HR's side of their requests)
bp = Blueprint.group(
    access_routes.bp,
    interview_routes.bp,
    staff_routes.bp,
    scheduling_routes.bp,
    message_routes.bp,
    retention_routes.bp,
    rights_routes.bp,
)
# Rate limits on the mini-app routes only (the WeCom callback must never be refused), added
# here, before any app registers a blueprint: adding middleware later re-registers the
# blueprint's routes on the apps it is already on.
limits.install(*bp)

__all__ = ["bp"]
