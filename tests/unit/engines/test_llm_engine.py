"""The LLM engine against a real HTTP endpoint on 127.0.0.1 (tests.fakes.llm)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest

from interview_core.engines.cache import LruScoreCache
from interview_core.engines.llm.engine import LlmScorer
from interview_core.engines.llm.prompt import MASK
from interview_core.text.flags import Gaming
from interview_core.text.jobs import JobModel
from interview_core.text.scoring import METHOD, score_answer
from recruiting.domain.assessment_reasons import NotAssessed, NoTranscript
from tests.fakes.llm import FakeLlm, Reply, verdict_reply
from tests.unit.engines.conftest import ANSWER, KEY, MODEL, QUESTION, good_verdict

Make = Callable[..., LlmScorer]
ENGINE = f"llm:{MODEL}/prompt-v1"


def test_a_good_verdict_scores_with_verified_quotes(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    fake.script(verdict_reply(good_verdict()))
    scored = make_scorer().score(ANSWER, QUESTION, sales)
    assert scored.engine == ENGINE
    customer = scored.competency("客户导向")
    assert customer.score == 4.0 and customer.not_assessed_code is None
    assert [e.quote for e in customer.evidence] == [
        "我先约他面谈，把他的顾虑一条条记下来",
        "由我每周去现场回访",
    ]
    assert all(e.quote in ANSWER for c in scored.competencies for e in c.evidence)
    assert customer.anchor == sales.competencies[0].competency.anchor(4)
    assert scored.competency("抗压能力").score is None
    assert scored.competency("抗压能力").not_assessed_code == NotAssessed.NO_EVIDENCE
    # (.25×3/4 + .25×2/4 + .20×3/4) / .70 → 66.1; the three cover 70 % of the job
    assert scored.overall == 66.1 and scored.coverage == 0.7
    run = scored.to_json()["engine_run"]
    assert run["prompt_tokens"] == 1480 and run["completion_tokens"] == 236
    assert run["attempts"] == 1 and run["cached"] is False and run["latency_ms"] >= 0
    assert run["quotes_given"] == run["quotes_verified"] == 4
    assert scored.to_json()["method"] == ENGINE
    # structure comes from the same analysis as the rules
    assert scored.analysis.sentences == score_answer(ANSWER, QUESTION, sales).analysis.sentences


def test_the_request_is_deterministic_json_and_carries_the_rubric(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    fake.script(verdict_reply(good_verdict()))
    make_scorer().score(ANSWER, QUESTION, sales)
    (seen,) = fake.seen
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["Authorization"] == f"Bearer {KEY}"
    body = seen.body
    assert body["model"] == MODEL and body["temperature"] == 0 and body["seed"] == 20260
    assert body["response_format"] == {"type": "json_object"} and body["stream"] is False
    system, user = body["messages"]
    assert system["role"] == "system" and "answer-score/1" in system["content"]
    assert all(code.value in system["content"] for code in Gaming)
    task = json.loads(user["content"])
    assert set(task) == {"question", "competencies", "answer"}
    assert task["question"] == QUESTION and task["answer"] == ANSWER
    focus = {c["name"] for c in task["competencies"] if c["focus"]}
    assert focus == {"客户导向", "沟通能力"}  # the question's own competencies
    first = task["competencies"][0]
    assert set(first) == {"code", "name", "focus", "definition", "indicators", "anchors"}
    assert sorted(first["anchors"]) == ["1", "2", "3", "4", "5"]


def test_json_mode_can_be_turned_off(fake: FakeLlm, make_scorer: Make, sales: JobModel) -> None:
    fake.script(verdict_reply(good_verdict()))
    make_scorer(json_mode=False).score(ANSWER, QUESTION, sales)
    assert "response_format" not in fake.seen[0].body


def test_contact_data_never_reaches_the_endpoint(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    spoken = (
        ANSWER + "我的手机是 138 1234 5678，邮箱 li.ming@example.com，身份证 11010519491231002X。"
    )
    fake.script(verdict_reply(good_verdict()))
    scored = make_scorer().score(spoken, QUESTION, sales)
    raw = fake.seen[0].raw
    for secret in ("1234 5678", "12345678", "li.ming", "example.com", "11010519491231002X"):
        assert secret not in raw
    assert MASK in json.loads(fake.seen[0].body["messages"][1]["content"])["answer"]
    assert scored.engine == ENGINE


def test_malformed_json_falls_back_to_the_rules_at_once(
    fake: FakeLlm, make_scorer: Make, sales: JobModel, caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(Reply(content='{"schema": "answer-score/1", "competencies": [ 这不是'))
    with caplog.at_level(logging.INFO, logger="interview_core.engines.llm.engine"):
        scored = make_scorer().score(ANSWER, QUESTION, sales)
    assert len(fake.seen) == 1  # a deterministic model would say the same again
    assert scored.engine == METHOD
    rules = score_answer(ANSWER, QUESTION, sales)
    assert [c.score for c in scored.competencies] == [c.score for c in rules.competencies]
    run = scored.to_json()["engine_run"]
    assert run["fallback"]["reason"] == "malformed" and run["requested"] == ENGINE
    assert run["scored_by"] == METHOD
    assert run["prompt_tokens"] == 1480  # the tokens were spent all the same
    assert "reason=malformed" in caplog.text
    assert KEY not in caplog.text and "连锁药店" not in caplog.text


@pytest.mark.parametrize(
    ("verdict", "why"),
    [
        (good_verdict(customer_focus={"score": 7}), "score out of range"),
        (good_verdict(customer_focus={"score": 3.5}), "score not an integer"),
        (good_verdict(customer_focus={"score": True}), "score a boolean"),
        (good_verdict(customer_focus={"evidence": "我先约他面谈"}), "evidence not a list"),
        (good_verdict(customer_focus={"reason": "good listener"}), "reason not Chinese"),
        (good_verdict(customer_focus={"confidence": 0.9}), "extra key"),
        (good_verdict(customer_focus={"code": "leadership"}), "unknown competency"),
        ({**good_verdict(), "schema": "answer-score/0"}, "wrong schema version"),
        ({**good_verdict(), "flags": [{"code": "boring", "reason": "无聊", "quotes": []}]}, "flag"),
        ({k: v for k, v in good_verdict().items() if k != "flags"}, "flags missing"),
    ],
)
def test_schema_violations_fall_back(
    fake: FakeLlm, make_scorer: Make, sales: JobModel, verdict: dict[str, object], why: str
) -> None:
    fake.script(verdict_reply(verdict))
    scored = make_scorer().score(ANSWER, QUESTION, sales)
    assert scored.engine == METHOD, why
    assert scored.engine_run["fallback"]["reason"] == "schema_violation", why
    assert len(fake.seen) == 1


def test_a_competency_missing_or_given_twice_is_a_violation(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    short = good_verdict()
    short["competencies"] = short["competencies"][:-1]
    twice = good_verdict()
    twice["competencies"].append(twice["competencies"][0])
    for verdict in (short, twice):
        fake.script(verdict_reply(verdict))
        scored = make_scorer().score(ANSWER, QUESTION, sales)
        assert scored.engine_run["fallback"]["reason"] == "schema_violation"


def test_hallucinated_quotes_are_dropped_and_lower_confidence(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    fake.script(verdict_reply(good_verdict()))
    honest = make_scorer().score(ANSWER, QUESTION, sales)
    invented = "我连夜做了一份三十页的方案"  # not in the answer
    fake.script(
        verdict_reply(
            good_verdict(
                customer_focus={"evidence": ["我先约他面谈，把他的顾虑一条条记下来", invented]},
                communication={"evidence": ["我耐心倾听并说服了客户"]},
            )
        )
    )
    scored = make_scorer().score(ANSWER, QUESTION, sales)
    assert scored.engine == ENGINE
    customer = scored.competency("客户导向")
    assert [e.quote for e in customer.evidence] == ["我先约他面谈，把他的顾虑一条条记下来"]
    honest_confidence = honest.competency("客户导向").confidence or 0
    assert customer.confidence is not None and customer.confidence < honest_confidence
    communication = scored.competency("沟通能力")  # nothing of its evidence is in the answer
    assert (
        communication.score is None and communication.not_assessed_code == NotAssessed.NO_EVIDENCE
    )
    assert "找不到" in (communication.not_assessed_reason or "")
    assert scored.coverage == 0.5 and scored.engine_run["quotes_verified"] == 2


def test_quotes_match_across_whitespace_only(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    fake.script(
        verdict_reply(
            good_verdict(
                results_orientation={"evidence": ["他们最后签了全部36家门店，合同金额120万"]},
                customer_focus={"evidence": ["我先约他面谈,把他的顾虑一条条记下来"]},  # ASCII comma
            )
        )
    )
    scored = make_scorer().score(ANSWER, QUESTION, sales)
    results = scored.competency("结果导向")
    assert [e.quote for e in results.evidence] == ["他们最后签了全部 36 家门店，合同金额 120 万"]
    assert scored.competency("客户导向").score is None  # a changed comma is not verbatim


def test_gaming_flags_keep_verified_quotes_and_lower_confidence(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    fake.script(verdict_reply(good_verdict()))
    plain = make_scorer().score(ANSWER, QUESTION, sales)
    flagged_verdict = good_verdict()
    flagged_verdict["flags"] = [
        {
            "code": "empty_numbers",
            "reason": "数字没有说明来由。",
            "quotes": ["合同金额 120 万", "提升了百分之五十"],
        }
    ]
    fake.script(verdict_reply(flagged_verdict))
    flagged = make_scorer().score(ANSWER, QUESTION, sales)
    (flag,) = flagged.flags
    assert flag.code is Gaming.EMPTY_NUMBERS and flag.quotes == ("合同金额 120 万",)
    assert flagged.to_json()["flags"][0]["label"] == "数字没有说明衡量的是什么、怎么做到的"
    before = plain.competency("客户导向").confidence or 0
    assert (flagged.competency("客户导向").confidence or 0) < before
    flagged_verdict["flags"] = [
        {"code": "keyword_list", "reason": "罗列了能力词语。", "quotes": ["沟通能力，团队协作"]}
    ]
    fake.script(verdict_reply(flagged_verdict))
    unfounded = make_scorer().score(ANSWER, QUESTION, sales)
    assert unfounded.flags == ()  # its only quote is not in the answer
    assert unfounded.competency("客户导向").confidence == plain.competency("客户导向").confidence


def test_slow_model_times_out_retries_then_falls_back(
    fake: FakeLlm, make_scorer: Make, sales: JobModel, delays: list[float]
) -> None:
    fake.script(verdict_reply(good_verdict(), delay=1.5))
    scored = make_scorer(timeout_seconds=0.3, max_attempts=2).score(ANSWER, QUESTION, sales)
    assert len(fake.seen) == 2 and delays == [0.05]
    assert scored.engine == METHOD
    run = scored.engine_run
    assert run["fallback"]["reason"] == "timeout" and run["attempts"] == 2
    assert run["latency_ms"] >= 500 and run["prompt_tokens"] is None


def test_one_slow_answer_is_retried_and_the_second_one_scores(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    fake.script(verdict_reply(good_verdict(), delay=1.5), verdict_reply(good_verdict()))
    scored = make_scorer(timeout_seconds=0.3).score(ANSWER, QUESTION, sales)
    assert scored.engine == ENGINE and scored.engine_run["attempts"] == 2


def test_server_errors_are_retried_with_backoff(
    fake: FakeLlm, make_scorer: Make, sales: JobModel, delays: list[float]
) -> None:
    fake.script(Reply(status=503), Reply(status=500), verdict_reply(good_verdict()))
    scored = make_scorer().score(ANSWER, QUESTION, sales)
    assert scored.engine == ENGINE and scored.engine_run["attempts"] == 3
    assert delays == [0.05, 0.1]  # doubled each time
    fake.script(Reply(status=502))
    delays.clear()
    failed = make_scorer().score(ANSWER, QUESTION, sales)
    assert len(fake.seen) == 3 and failed.engine_run["fallback"]["reason"] == "server_error"


def test_rate_limits_honour_retry_after_within_the_cap(
    fake: FakeLlm, make_scorer: Make, sales: JobModel, delays: list[float]
) -> None:
    fake.script(
        Reply(status=429, headers={"Retry-After": "1"}),
        Reply(status=429, headers={"Retry-After": "120"}),
        verdict_reply(good_verdict()),
    )
    scored = make_scorer().score(ANSWER, QUESTION, sales)
    assert scored.engine == ENGINE and delays == [1.0, 2.0]  # 120 s capped at 2 s
    fake.script(Reply(status=429))
    failed = make_scorer(max_attempts=2).score(ANSWER, QUESTION, sales)
    assert failed.engine_run["fallback"]["reason"] == "rate_limited"


def test_a_refused_request_is_not_retried(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    fake.script(Reply(status=401))
    scored = make_scorer().score(ANSWER, QUESTION, sales)
    assert len(fake.seen) == 1 and scored.engine_run["fallback"]["reason"] == "rejected"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(body=b"<html>gateway</html>"), "malformed"),
        (Reply(body=b'{"choices": []}'), "malformed"),
        (verdict_reply(good_verdict(), finish_reason="length"), "truncated"),
    ],
)
def test_broken_completions_fall_back(
    fake: FakeLlm, make_scorer: Make, sales: JobModel, reply: Reply, reason: str
) -> None:
    fake.script(reply)
    scored = make_scorer().score(ANSWER, QUESTION, sales)
    assert scored.engine_run["fallback"]["reason"] == reason


def test_nothing_listens_falls_back_as_a_connection_failure(sales: JobModel) -> None:
    from interview_core.engines.llm.config import LlmConfig

    closed = LlmConfig("http://127.0.0.1:9/v1", MODEL, KEY, timeout_seconds=0.5, max_attempts=2)
    waits: list[float] = []
    scored = LlmScorer(closed, sleep=waits.append).score(ANSWER, QUESTION, sales)
    assert scored.engine_run["fallback"]["reason"] == "connection" and len(waits) == 1


def test_a_fenced_json_answer_is_accepted(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    content = "```json\n" + json.dumps(good_verdict(), ensure_ascii=False) + "\n```"
    fake.script(Reply(content=content))
    assert make_scorer().score(ANSWER, QUESTION, sales).engine == ENGINE


def test_the_second_call_is_a_cache_hit(fake: FakeLlm, make_scorer: Make, sales: JobModel) -> None:
    fake.script(verdict_reply(good_verdict()))
    scorer = make_scorer(cache=LruScoreCache(8))
    first = scorer.score(ANSWER, QUESTION, sales)
    second = scorer.score(ANSWER, QUESTION, sales)
    assert len(fake.seen) == 1
    assert second.engine_run["cached"] is True and second.engine_run["prompt_tokens"] == 0
    assert [c.to_json() for c in second.competencies] == [c.to_json() for c in first.competencies]
    scorer.score(ANSWER, "请讲一次你被客户拒绝后重新赢回订单的经历。", sales)
    assert len(fake.seen) == 2  # another question is another input


def test_failures_are_not_cached(fake: FakeLlm, make_scorer: Make, sales: JobModel) -> None:
    fake.script(Reply(status=500))
    scorer = make_scorer(cache=LruScoreCache(8), max_attempts=1)
    scorer.score(ANSWER, QUESTION, sales)
    fake.script(verdict_reply(good_verdict()))
    assert scorer.score(ANSWER, QUESTION, sales).engine == ENGINE and len(fake.seen) == 1


def test_a_model_change_misses_the_cache(fake: FakeLlm, make_scorer: Make, sales: JobModel) -> None:
    cache = LruScoreCache(8)
    fake.script(verdict_reply(good_verdict()))
    make_scorer(cache=cache).score(ANSWER, QUESTION, sales)
    from interview_core.engines.llm.config import LlmConfig

    other = LlmConfig(fake.base_url, "another-model", KEY, timeout_seconds=0.5)
    scored = LlmScorer(other, cache=cache).score(ANSWER, QUESTION, sales)
    assert len(fake.seen) == 2 and scored.engine == "llm:another-model/prompt-v1"


def test_without_a_transcript_nothing_is_sent(
    fake: FakeLlm, make_scorer: Make, sales: JobModel
) -> None:
    fake.script(verdict_reply(good_verdict()))
    scored = make_scorer().score("", QUESTION, sales, no_transcript=NoTranscript.MODEL_MISSING)
    assert fake.seen == [] and scored.engine == METHOD
    assert {c.not_assessed_code for c in scored.competencies} == {NotAssessed.SYSTEM_NO_TRANSCRIPT}
