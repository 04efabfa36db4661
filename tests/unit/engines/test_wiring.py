"""The port wired in: pipeline, CoreAnalysis, the chooser, caches, settings and the report."""

from __future__ import annotations

import json
import pickle
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from interview_core import service
from interview_core.engines.cache import LruScoreCache, RedisScoreCache
from interview_core.engines.choose import ScorerChoice
from interview_core.engines.describe import RULES_LABEL, engine_label
from interview_core.engines.llm.config import LlmConfig
from interview_core.engines.llm.engine import LlmScorer
from interview_core.engines.rules import RulesScorer
from interview_core.pipeline import analyze
from interview_core.report.html import render_report
from interview_core.service import CoreAnalysis
from interview_core.speech.port import Transcript, TranscriptSegment
from interview_core.text.jobs import JobModel
from interview_core.text.scoring import METHOD
from recruiting.bootstrap import scorer_choice
from recruiting.errors import ConfigError
from recruiting.ports.analysis import AnalysisRequest
from recruiting.settings import load_settings
from tests.conftest import REDIS_URL, require_service
from tests.fakes.llm import FakeLlm, Reply, verdict_reply
from tests.unit.core.mediafactory import tone_wav
from tests.unit.engines.conftest import ANSWER, KEY, MODEL, QUESTION, good_verdict

CONFIG = Path(__file__).resolve().parents[3] / "config.yaml"
ENGINE = f"llm:{MODEL}/prompt-v1"
LLM_ENV = {
    "SCORING_LLM_BASE_URL": "http://127.0.0.1:8000/v1",
    "SCORING_LLM_MODEL": "qwen2.5-14b-instruct",
    "SCORING_LLM_API_KEY": KEY,
}


class SaysTheAnswer:
    """A recogniser that hears ANSWER in any recording."""

    name = "fixed"

    def transcribe(self, pcm: object, sample_rate: int, segments: Sequence[object]) -> Transcript:
        return Transcript(True, self.name, [TranscriptSegment(0.0, 3.0, ANSWER)])


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_wav(tmp_path_factory.mktemp("media") / "answer.wav", 3.0)


def test_the_pipeline_scores_with_the_scorer_it_is_given(
    fake: FakeLlm, make_scorer: Callable[..., LlmScorer], sales: JobModel, wav: Path
) -> None:
    fake.script(verdict_reply(good_verdict()))
    result = analyze(wav, sales, QUESTION, SaysTheAnswer(), vision=False, scorer=make_scorer())
    score = result.to_json()["score"]
    assert score["method"] == ENGINE and score["engine_run"]["prompt_tokens"] == 1480
    assert json.loads(fake.seen[0].body["messages"][1]["content"])["answer"] == ANSWER
    default = analyze(wav, sales, QUESTION, SaysTheAnswer(), vision=False)
    assert default.score.engine == METHOD and default.score.engine_run == {}


def test_core_analysis_uses_the_configured_engine_and_the_question_focus(
    fake: FakeLlm, wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "_recognizer", lambda model_dir: SaysTheAnswer())
    fake.script(verdict_reply(good_verdict()))
    choice = ScorerChoice(LlmConfig(fake.base_url, MODEL, KEY, timeout_seconds=5))
    core = pickle.loads(pickle.dumps(CoreAnalysis(scoring=choice)))  # as a worker gets it
    request = AnalysisRequest(
        media_path=wav,
        job_code="custom-sales",  # not a built-in job: the question comes from the request
        job_title="大客户销售",
        competency_model=_sales_model(),
        question="请讲一次你让客户改变主意的经历。",
        question_competencies=("沟通能力",),
        automated_assessment=True,
        face_analysis=False,
    )
    outcome = core.analyze(request)
    assert outcome.engine == f"ai:{ENGINE}"
    assert outcome.analysis["score"]["method"] == ENGINE
    task = json.loads(fake.seen[0].body["messages"][1]["content"])
    assert {c["name"] for c in task["competencies"] if c["focus"]} == {"沟通能力"}
    assert {s.competency for s in outcome.scores if s.value is not None} == {
        "客户导向", "结果导向", "沟通能力"
    }  # fmt: skip


def _sales_model() -> list[dict[str, object]]:
    from interview_core.text.jobs import builtin_job

    job = builtin_job("sales")
    return [{"code": c.code, "name": c.name, "weight": str(c.weight)} for c in job.competencies]


def test_the_chooser_builds_rules_by_default_and_never_shows_the_key() -> None:
    assert isinstance(ScorerChoice().build(), RulesScorer)
    assert ScorerChoice().describe() == {"engine": "rules", "llm_configured": False}
    choice = ScorerChoice(LlmConfig("http://127.0.0.1:8000/v1", MODEL, KEY), "redis://h:1/0")
    assert isinstance(choice.build(), LlmScorer)
    described = json.dumps(choice.describe())
    assert KEY not in described and KEY not in repr(choice)
    assert choice.describe()["cache"] == "redis" and choice.describe()["model"] == MODEL


def test_the_in_process_cache_forgets_the_least_recent() -> None:
    cache = LruScoreCache(2)
    cache.set("a", "1")
    cache.set("b", "2")
    assert cache.get("a") == "1"
    cache.set("c", "3")
    assert cache.get("b") is None and cache.get("a") == "1" and cache.get("c") == "3"


def test_verdicts_are_shared_through_redis_between_workers(
    fake: FakeLlm, make_scorer: Callable[..., LlmScorer], sales: JobModel
) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    prefix = f"test-answer-score-{uuid.uuid4().hex}:"
    fake.script(verdict_reply(good_verdict()))
    first = make_scorer(cache=RedisScoreCache(REDIS_URL, ttl_seconds=60, prefix=prefix))
    second = make_scorer(cache=RedisScoreCache(REDIS_URL, ttl_seconds=60, prefix=prefix))
    first.score(ANSWER, QUESTION, sales)
    again = second.score(ANSWER, QUESTION, sales)
    assert len(fake.seen) == 1 and again.engine_run["cached"] is True
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = client.keys(prefix + "*")
    assert len(keys) == 1 and keys[0].decode().startswith(prefix + ENGINE + ":")
    assert 0 < client.ttl(keys[0]) <= 60
    stored = client.get(keys[0]).decode()  # the verdict quotes the candidate: sealed
    assert stored.startswith("g1.") and "面谈" not in stored and "36 家门店" not in stored
    client.delete(*keys)


def test_an_unreachable_redis_is_a_miss_not_an_error(
    fake: FakeLlm, make_scorer: Callable[..., LlmScorer], sales: JobModel
) -> None:
    away = RedisScoreCache("redis://127.0.0.1:1/0", ttl_seconds=60)
    assert away.get("x") is None
    away.set("x", "y")
    fake.script(verdict_reply(good_verdict()))
    assert make_scorer(cache=away).score(ANSWER, QUESTION, sales).engine == ENGINE


def test_settings_turn_the_engine_on_only_with_all_three(tmp_path: Path) -> None:
    off = load_settings(CONFIG, {"DATA_DIR": str(tmp_path)})
    assert not off.scoring_llm.enabled and scorer_choice(off) == ScorerChoice()
    on = load_settings(CONFIG, {"DATA_DIR": str(tmp_path), **LLM_ENV})
    assert on.scoring_llm.enabled and KEY not in repr(on)
    choice = scorer_choice(on)
    assert choice.llm is not None and choice.llm.model == "qwen2.5-14b-instruct"
    assert choice.llm.endpoint == "http://127.0.0.1:8000/v1/chat/completions"


@pytest.mark.parametrize("left_out", sorted(LLM_ENV))
def test_a_partial_llm_config_stops_the_start(tmp_path: Path, left_out: str) -> None:
    env = {k: v for k, v in LLM_ENV.items() if k != left_out}
    with pytest.raises(ConfigError) as caught:
        load_settings(CONFIG, {"DATA_DIR": str(tmp_path), **env})
    message = caught.value.message
    assert left_out in message and "set all three or none" in message and KEY not in message


def test_llm_settings_are_checked(tmp_path: Path) -> None:
    bad_url = {**LLM_ENV, "SCORING_LLM_BASE_URL": "127.0.0.1:8000/v1"}
    with pytest.raises(ConfigError, match="SCORING_LLM_BASE_URL"):
        load_settings(CONFIG, {"DATA_DIR": str(tmp_path), **bad_url})
    with pytest.raises(ConfigError, match="RECRUITING__SCORING_LLM__MODLE names no setting"):
        load_settings(CONFIG, {"DATA_DIR": str(tmp_path), "RECRUITING__SCORING_LLM__MODLE": "qwen"})
    with pytest.raises(ConfigError, match=r"scoring_llm\.max_attempts"):
        load_settings(
            CONFIG, {"DATA_DIR": str(tmp_path), "RECRUITING__SCORING_LLM__MAX_ATTEMPTS": "0"}
        )


def test_the_report_says_which_engine_scored(
    fake: FakeLlm, make_scorer: Callable[..., LlmScorer], sales: JobModel, tmp_path: Path
) -> None:
    fake.script(verdict_reply(good_verdict()))
    llm = make_scorer().score(ANSWER, QUESTION, sales).to_json()
    fake.script(Reply(status=503))
    fell_back = make_scorer(max_attempts=1).score(ANSWER, QUESTION, sales).to_json()
    rules = RulesScorer().score(ANSWER, QUESTION, sales).to_json()
    assert engine_label(llm) == f"大语言模型评分（模型 {MODEL}，引用的原文均已逐字核对）"
    assert engine_label(rules) == RULES_LABEL
    assert engine_label(fell_back) == (
        f"{RULES_LABEL}；大模型服务出现故障，本题未使用大语言模型评分"
    )
    for score, label in ((llm, "大语言模型评分"), (fell_back, "大模型服务出现故障")):
        page = render_report(
            {"job": "销售代表", "question": QUESTION, "score": score}, tmp_path / label
        ).read_text("utf-8")
        assert f"<th>分析方法</th><td>{engine_label(score)}</td>" in page
        assert "rules-v1" not in page and "prompt-v1" not in page
