"""The REST adapter against httpx.MockTransport: idempotency, Retry-After, error mapping."""

import json
from collections.abc import Callable

import httpx
import pytest

from payroll_bridge.adapters.rest import RestPayroll
from payroll_bridge.port import HandOffReceipt
from recruiting.errors import Conflict, ExternalServiceError, RetryLater

from .hires import hire

Handler = Callable[[httpx.Request], httpx.Response]
TOKEN = "s3cret-token"


class Server:
    """Answers from a script, one response (or exception) per request, and records them."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def payroll(server: Server, sleeps: list[float], **options: object) -> RestPayroll:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return RestPayroll(
        "https://payroll.example/api/",
        token=TOKEN,
        transport=httpx.MockTransport(server),
        sleep=sleep,
        clock=lambda: 1_700_000_000.0,
        **options,  # type: ignore[arg-type]
    )


async def hand_off(server: Server, **options: object) -> tuple[HandOffReceipt, list[float]]:
    sleeps: list[float] = []
    client = payroll(server, sleeps, **options)
    try:
        return await client.hand_off(hire()), sleeps
    finally:
        await client.aclose()


async def test_posts_the_record_with_the_idempotency_key() -> None:
    server = Server(httpx.Response(201, json={"id": "P-77"}))
    receipt, sleeps = await hand_off(server)
    assert receipt == HandOffReceipt("E1001", "P-77", duplicate=False)
    (request,) = server.requests
    assert request.method == "POST"
    assert str(request.url) == "https://payroll.example/api/new-hires"
    assert request.headers["Idempotency-Key"] == "new-hire-E1001-2025-03-01"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(request.content) == hire().record()
    assert sleeps == []


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"id": 77}, headers={"Idempotent-Replayed": "true"}),
        httpx.Response(200, json={"reference": "77", "duplicate": True}),
    ],
)
async def test_a_replayed_answer_is_a_duplicate(answer: httpx.Response) -> None:
    receipt, _ = await hand_off(Server(answer))
    assert receipt.duplicate and receipt.reference == "77"


async def test_429_waits_as_told_then_succeeds_with_the_same_key() -> None:
    server = Server(
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(201, json={"id": "P-1"}),
    )
    receipt, sleeps = await hand_off(server)
    assert receipt.reference == "P-1"
    assert sleeps == [3.0]
    keys = {r.headers["Idempotency-Key"] for r in server.requests}
    assert keys == {"new-hire-E1001-2025-03-01"}


async def test_retry_after_as_an_http_date() -> None:
    when = "Tue, 14 Nov 2023 22:13:40 GMT"  # 1,700,000,020: 20 s after the fake clock
    server = Server(
        httpx.Response(503, headers={"Retry-After": when}), httpx.Response(201, json={"id": 1})
    )
    _, sleeps = await hand_off(server)
    assert sleeps == [20.0]


async def test_a_wait_longer_than_allowed_goes_back_to_the_caller() -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(RetryLater) as caught:
        await hand_off(server, max_wait=30.0)
    assert caught.value.retry_after == 120.0
    assert caught.value.code == "payroll_busy"
    assert len(server.requests) == 1


async def test_still_limited_after_the_retries_raises_retry_later() -> None:
    server = Server(*[httpx.Response(429, headers={"Retry-After": "2"}) for _ in range(3)])
    sleeps: list[float] = []
    client = payroll(server, sleeps, max_retries=2)
    with pytest.raises(RetryLater):
        await client.hand_off(hire())
    assert sleeps == [2.0, 2.0]
    assert len(server.requests) == 3


async def test_server_errors_back_off_exponentially() -> None:
    server = Server(
        httpx.Response(502), httpx.Response(500), httpx.Response(201, json={"id": "ok"})
    )
    receipt, sleeps = await hand_off(server, backoff=0.5)
    assert receipt.reference == "ok"
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (httpx.ReadTimeout("slow"), "payroll_timeout"),
        (httpx.ConnectError("refused"), "payroll_unreachable"),
    ],
)
async def test_transport_failures_become_retry_later(error: Exception, code: str) -> None:
    server = Server(error, error, error)
    with pytest.raises(RetryLater) as caught:
        await hand_off(server)
    assert caught.value.code == code
    assert isinstance(caught.value.__cause__, httpx.HTTPError)
    assert len(server.requests) == 3


async def test_409_is_a_conflict() -> None:
    with pytest.raises(Conflict):
        await hand_off(Server(httpx.Response(409, json={"message": "different record"})))


async def test_a_refusal_says_why_without_the_token() -> None:
    answer = httpx.Response(422, json={"message": "housing_fund_rate out of range"})
    with pytest.raises(ExternalServiceError) as caught:
        await hand_off(Server(answer))
    assert caught.value.code == "payroll_rejected"
    assert "housing_fund_rate out of range" in caught.value.message
    assert TOKEN not in caught.value.message
    assert not isinstance(caught.value, RetryLater)


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(201, text="<html>ok</html>"), httpx.Response(201, json={"status": "ok"})],
)
async def test_a_success_without_a_record_id_breaks_the_contract(answer: httpx.Response) -> None:
    with pytest.raises(ExternalServiceError) as caught:
        await hand_off(Server(answer))
    assert caught.value.code == "payroll_contract"


def test_repr_hides_the_token() -> None:
    client = RestPayroll("https://payroll.example", token=TOKEN)
    assert TOKEN not in repr(client)
