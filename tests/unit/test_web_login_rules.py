"""The workbench's login rules: state, where a person may be sent, cookie marking, CSRF."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from recruiting.domain import web_login
from wecom_bot.sandbox import codes
from wecom_bot.sandbox.tokens import EXTERNAL, WebCodes


def test_state_is_alphanumeric_within_wecoms_bound_and_unpredictable() -> None:
    states = {web_login.new_state() for _ in range(200)}
    assert len(states) == 200
    assert all(web_login.is_state(s) and len(s) <= 128 for s in states)
    for bad in ("", "a" * 129, "abc-def", "abc def", "状态", "a\x00"):
        assert not web_login.is_state(bad)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "https://evil.example/workbench/",
        "//evil.example/workbench/",
        "/\\evil",
        "\\\\evil",
        "/workbench/../admin",
        "/workbench/./x",
        "/other/",
        "javascript:alert(1)",
        "/workbench/%2e%2e/x",
        "/workbench/x#frag",
        "/workbench/\r\nSet-Cookie:x",
        "/" + "a" * 600,
        "http:/workbench/",
        "/workbenchx",
    ],
)
def test_next_outside_the_workbench_falls_back_home(raw: str | None) -> None:
    assert web_login.safe_next(raw) == "/workbench/"


@pytest.mark.parametrize(
    "raw", ["/workbench/", "/workbench", "/workbench/review", "/workbench/candidates?stage=new"]
)
def test_next_inside_the_workbench_is_kept(raw: str) -> None:
    assert web_login.safe_next(raw) == raw


def test_secure_cookie_except_plain_http_on_loopback() -> None:
    assert not web_login.cookie_secure("http://127.0.0.1:8000")
    assert not web_login.cookie_secure("http://localhost:8000")
    assert web_login.cookie_secure("http://hr.example.com")
    assert web_login.cookie_secure("https://127.0.0.1:8443")
    assert web_login.cookie_secure("http://10.0.0.5:8000")


def test_csrf_token_is_per_session_and_checked_in_constant_time() -> None:
    a, b = web_login.csrf_token("token-a"), web_login.csrf_token("token-b")
    assert a != b and len(a) == 40
    assert web_login.csrf_matches("token-a", a)
    assert not web_login.csrf_matches("token-a", b)
    assert not web_login.csrf_matches("token-a", None)
    assert not web_login.csrf_matches("token-a", "")


def test_wecom_urls_carry_what_wecom_expects() -> None:
    url = web_login.authorize_url("https://open.weixin.qq.com", "ww1", 1000002,
                                  "https://hr.example.com/workbench/auth/callback", "S1")  # fmt: skip
    assert url.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww1&")
    assert url.endswith("#wechat_redirect")
    q = parse_qs(urlsplit(url.split("#")[0]).query)
    assert q == {"appid": ["ww1"], "redirect_uri": ["https://hr.example.com/workbench/auth/callback"],
                 "response_type": ["code"], "scope": ["snsapi_base"], "state": ["S1"],
                 "agentid": ["1000002"]}  # fmt: skip
    sso = web_login.web_login_url("https://login.work.weixin.qq.com", "ww1", 7, "https://h/cb", "S")
    q = parse_qs(urlsplit(sso).query)
    assert sso.startswith("https://login.work.weixin.qq.com/wwlogin/sso/login?login_type=CorpApp")
    assert q["appid"] == ["ww1"] and q["agentid"] == ["7"] and q["state"] == ["S"]
    assert web_login.in_wecom_client("Mozilla/5.0 wxwork/4.1 MicroMessenger/7")
    assert not web_login.in_wecom_client("Mozilla/5.0 MicroMessenger/8.0")  # WeChat, not WeCom
    assert not web_login.in_wecom_client(None)


def test_sandbox_codes_are_single_use_expiring_and_small() -> None:
    now = [1000.0]
    store = WebCodes(lambda: now[0])
    code = store.issue("lina")
    assert len(code.encode()) <= 512
    assert store.redeem(code) == {"userid": "lina"}
    with pytest.raises(codes.ApiError) as used:
        store.redeem(code)
    assert used.value.errcode == codes.INVALID_CODE
    late = store.issue("lina")
    now[0] += 301
    with pytest.raises(codes.ApiError):
        store.redeem(late)
    outsider = store.redeem(store.issue(EXTERNAL))
    assert "userid" not in outsider and outsider["openid"] and outsider["external_userid"]


REAL = {"WECOM_CORP_ID": "ww0123456789abcdef", "WECOM_TOKEN": "t0ken", "WECOM_SECRET": "s3cret",
        "WECOM_ENCODING_AES_KEY": "A" * 43, "PII_KEYS": "k1:" + "A" * 43 + "=",
        "REDIS_URL": "redis://127.0.0.1:6379/9"}  # fmt: skip


def test_settings_real_corp_uses_wecoms_pages_never_the_sandboxs(tmp_path: object) -> None:
    from recruiting.errors import ConfigError
    from recruiting.settings import load_settings

    sandbox = load_settings(None, {"PORT": "8123"}).workbench
    assert sandbox.public_url == "http://127.0.0.1:8123"
    assert sandbox.oauth_base == sandbox.sso_base == "http://127.0.0.1:8001"
    real = load_settings(None, REAL | {"PUBLIC_URL": "https://hr.example.com"}).workbench
    assert real.oauth_base == "https://open.weixin.qq.com"
    assert real.sso_base == "https://login.work.weixin.qq.com"
    with pytest.raises(ConfigError, match="sandbox"):
        load_settings(None, REAL | {"WECOM_OAUTH_BASE": "http://127.0.0.1:8001"})
    with pytest.raises(ConfigError, match="public_url"):
        load_settings(None, {"PUBLIC_URL": "https://hr.example.com/app"})


@pytest.mark.parametrize(
    "url",
    ["https://HR.example.com", "https://hr.example.com:443", "http://hr.example.com:80",
     "https://hr.example.com?x=1", "https://u@hr.example.com", "https://hr.example.com:99999"],
)  # fmt: skip
def test_settings_public_url_must_match_the_browsers_origin(url: str) -> None:
    """The CSRF check compares the Origin header with it: another spelling refuses all forms."""
    from recruiting.errors import ConfigError
    from recruiting.settings import load_settings

    with pytest.raises(ConfigError, match="public_url"):
        load_settings(None, REAL | {"PUBLIC_URL": url})
    ok = "https://hr.example.com:8443"
    assert load_settings(None, REAL | {"PUBLIC_URL": ok}).workbench.public_url == ok
