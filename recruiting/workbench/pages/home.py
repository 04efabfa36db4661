"""The home page: who is signed in, with which roles, and a few counts linking onwards."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from recruiting.domain.roles import ROLE_NAMES
from recruiting.services.workbench.login import StaffPrincipal
from recruiting.services.workbench.overview import overview
from recruiting.workbench.shell import page, render

bp = Blueprint("workbench_home")


@bp.get("/workbench/")
@page()
async def home(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    figures = await overview()
    roles = [ROLE_NAMES.get(r, "其他角色") for r in sorted(principal.roles)]
    return render(request, principal, "home.html", active="home", figures=figures, roles=roles)
