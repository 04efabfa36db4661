"""WeCom errcodes the sandbox answers with, and the one exception that carries them.

The numbers are WeCom's public global codes (path/90313) so that a client's errcode handling is
exercised for real; the messages follow WeCom's "text, more info at …" shape.
"""

from __future__ import annotations

from recruiting.errors import ExternalServiceError

BUSY = -1
INVALID_SECRET = 40001
INVALID_USERID = 40003
INVALID_MEDIA_FILE = 40004
INVALID_MEDIA_TYPE = 40005
INVALID_FILE_SIZE = 40006
INVALID_MEDIA_ID = 40007
INVALID_MSGTYPE = 40008
INVALID_IMAGE_SIZE = 40009
INVALID_VIDEO_SIZE = 40011
INVALID_CORPID = 40013
INVALID_TOKEN = 40014
INVALID_CODE = 40029
INVALID_PARAM = 40058
INVALID_AGENTID = 40056
MISSING_TOKEN = 41001
MISSING_CORPID = 41002
MISSING_SECRET = 41004
MISSING_MEDIA_ID = 41006
MISSING_AGENTID = 41011
EXPIRED_TOKEN = 42001
EMPTY_MEDIA = 44001
EMPTY_CONTENT = 44004
CONTENT_TOO_LARGE = 45002
RATE_LIMITED = 45009
BAD_JSON = 47001
USERID_NOT_FOUND = 60111
ALL_RECEIVERS_INVALID = 81013
NOT_EXTERNAL_CONTACT = 84061
KF_WINDOW_CLOSED = 95001
KF_UNKNOWN_ACCOUNT = 95004
KF_INVALID_TOKEN = 95007
APPROVAL_BAD_PARAMS = 301025
NOT_FOUND = 404

_MORE_INFO = "more info at https://open.work.weixin.qq.com/devtool/query?e="


class ApiError(ExternalServiceError):
    """An answer of the fake WeCom server: HTTP 200 with a non-zero ``errcode``."""

    def __init__(self, errcode: int, text: str) -> None:
        self.errcode = errcode
        self.errmsg = f"{text}, {_MORE_INFO}{errcode}"
        super().__init__(self.errmsg, code=f"wecom_{errcode}")


def param_error(text: str) -> ApiError:
    """The generic "invalid parameter" answer, for checks WeCom has no dedicated code for."""
    return ApiError(INVALID_PARAM, text)
