"""WeCom's web sign-in as the workbench sees it: the OAuth authorize page of the WeCom
client (``/connect/oauth2/authorize``), the desktop web login (``/wwlogin/sso/login``) and
the codes ``auth/getuserinfo`` exchanges.

Both pages check the corp, the agent and that ``redirect_uri`` lies on the service's
configured origin (WeCom's 可信域名 rule), then show a member chooser, or, when the console
picked a member for the next sign-in (「工作台」), send the browser straight back with a fresh
code. Codes are single-use, expire after 5 minutes and are far below WeCom's 512 bytes.
"""

from __future__ import annotations

import html as html_lib
from urllib.parse import urlencode, urlsplit

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, html, redirect

from wecom_bot.sandbox.state import SandboxState
from wecom_bot.sandbox.tokens import EXTERNAL, LOGIN_CODE_TTL


def create_weblogin_blueprint() -> Blueprint:
    bp = Blueprint("wecom_weblogin")
    bp.add_route(_authorize, "/connect/oauth2/authorize", methods=["GET"])
    bp.add_route(_sso, "/wwlogin/sso/login", methods=["GET"])
    bp.add_route(_choose, "/sandbox/weblogin/choose", methods=["POST"])
    bp.add_route(_workbench, "/sandbox/workbench", methods=["GET"])
    bp.add_route(_web_code, "/sandbox/web_code", methods=["POST"])
    return bp


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.ctx.state
    return state


def _public_url(request: Request) -> str:
    return str(request.app.ctx.settings.workbench.public_url)


def _page(title: str, body: str, status: int = 200) -> HTTPResponse:
    return html(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:480px;"
        "margin:40px auto;padding:0 16px}button{display:block;width:100%;margin:8px 0;"
        f"padding:10px;font-size:16px}}</style></head><body><h1>{title}</h1>{body}</body></html>",
        status=status,
    )


def _check(request: Request, *, oauth: bool) -> tuple[str, str] | HTTPResponse:
    """(redirect_uri, state) of a well-formed request, else WeCom's error page."""
    args = request.args
    state = _state(request)
    redirect_uri, login_state = args.get("redirect_uri", ""), args.get("state", "")
    problems = []
    if args.get("appid") != state.corp_id:
        problems.append("appid 不是本企业的 CorpID")
    if args.get("agentid") != str(state.agent_id):
        problems.append("agentid 不是本应用")
    if oauth and (args.get("response_type") != "code" or args.get("scope") != "snsapi_base"):
        problems.append("response_type 须为 code，scope 须为 snsapi_base")
    if not oauth and args.get("login_type") != "CorpApp":
        problems.append("login_type 须为 CorpApp")
    public = urlsplit(_public_url(request))
    target = urlsplit(redirect_uri)
    if (target.scheme, target.netloc) != (public.scheme, public.netloc):
        problems.append("redirect_uri 的域名与应用的可信域名不一致")
    if len(login_state) > 128 or not login_state.isascii() or not login_state.isalnum():
        problems.append("state 须为不超过 128 字节的字母或数字")
    if problems:
        return _page("无法登录", "".join(f"<p>{html_lib.escape(p)}</p>" for p in problems), 400)
    return redirect_uri, login_state


def _back(redirect_uri: str, code: str, login_state: str) -> HTTPResponse:
    glue = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{glue}{urlencode({'code': code, 'state': login_state})}")


async def _signin(request: Request, *, oauth: bool) -> HTTPResponse:
    checked = _check(request, oauth=oauth)
    if isinstance(checked, HTTPResponse):
        return checked
    redirect_uri, login_state = checked
    web = _state(request).web_codes
    if web.next_member:
        userid, web.next_member = web.next_member, ""
        return _back(redirect_uri, web.issue(userid), login_state)
    members = [m for m in _state(request).directory.all() if m.status == 1]
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html_lib.escape(v)}">'
        for k, v in (("redirect_uri", redirect_uri), ("state", login_state))
    )
    buttons = "".join(
        f'<button name="userid" value="{html_lib.escape(m.userid)}">'
        f"{html_lib.escape(m.name)}（{html_lib.escape(m.title)}）</button>"
        for m in members
    )
    buttons += f'<button name="userid" value="{EXTERNAL}">微信用户（不是企业成员）</button>'
    hint = "企业微信授权登录" if oauth else "企业微信扫码登录（沙箱：选择扫码的成员）"
    form = f'<form method="post" action="/sandbox/weblogin/choose">{hidden}{buttons}</form>'
    return _page(hint, f"<p>选择以哪位成员的身份登录：</p>{form}")


async def _authorize(request: Request) -> HTTPResponse:
    return await _signin(request, oauth=True)


async def _sso(request: Request) -> HTTPResponse:
    return await _signin(request, oauth=False)


async def _choose(request: Request) -> HTTPResponse:
    form = request.form

    def field(name: str) -> str:
        return str(form.get(name) or "") if form else ""

    userid, redirect_uri, login_state = field("userid"), field("redirect_uri"), field("state")
    public = urlsplit(_public_url(request))
    target = urlsplit(redirect_uri)
    if (target.scheme, target.netloc) != (public.scheme, public.netloc):
        return _page("无法登录", "<p>redirect_uri 的域名与应用的可信域名不一致</p>", 400)
    if userid != EXTERNAL and (
        userid not in _state(request).directory or _state(request).directory.get(userid).status != 1
    ):
        return _page("无法登录", "<p>没有这位在职成员</p>", 400)
    return _back(redirect_uri, _state(request).web_codes.issue(userid), login_state)


async def _workbench(request: Request) -> HTTPResponse:
    """The console's 「工作台」: the next sign-in is this member's, then open the workbench."""
    userid = request.args.get("userid", "")
    directory = _state(request).directory
    if userid not in directory or directory.get(userid).status != 1:
        return _page("无法打开工作台", "<p>请先在左侧选择一位在职成员。</p>", 400)
    _state(request).web_codes.next_member = userid
    return redirect(_public_url(request) + "/workbench/login/start?via=qr")


async def _web_code(request: Request) -> HTTPResponse:
    """A code for tests and scripts: ``{"userid"}`` or ``{"external": true}``, optional
    ``expires_in`` (0–300 s) to try an expired code."""
    body = request.json if isinstance(request.json, dict) else {}
    ttl = body.get("expires_in", LOGIN_CODE_TTL)
    if not isinstance(ttl, int | float) or not 0 <= ttl <= LOGIN_CODE_TTL:
        return html("expires_in must be 0..300", status=400)
    if body.get("external") is True:
        userid = EXTERNAL
    else:
        userid = str(body.get("userid", ""))
        if userid not in _state(request).directory:
            return html("unknown userid", status=400)
    return html(_state(request).web_codes.issue(userid, ttl), status=200)
