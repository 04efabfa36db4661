"""The validity command's statistics, corpus checks and table, on small corpora made here.

Statistics are checked against published values (scipy's documented examples; Shrout &
Fleiss 1979's table 2; scikit-learn's quadratic kappa on the same pairs), never against
themselves."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from interview_core.cli import main
from interview_core.text.flags import Gaming, GamingFlag
from interview_core.text.jobs import JobModel
from interview_core.text.scoring import AnswerScore, score_answer
from interview_core.validation.corpus import (
    Question,
    blind_sheet,
    load_corpus,
    resolve_reference,
)
from interview_core.validation.noise import asr_like
from interview_core.validation.stats import (
    icc_2_1,
    kendall_tau_b,
    ranks,
    spearman,
    weighted_kappa,
)
from interview_core.validation.validate import Scorer, job_for, render, validate
from recruiting.errors import InvalidInput


def test_ranks_share_ties() -> None:
    assert ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]


def test_spearman_and_kendall_match_published_values() -> None:
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(0.8207826816681233)
    assert kendall_tau_b([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) == pytest.approx(-0.47140452079)
    assert spearman([1, 1, 1], [1, 2, 3]) is None  # undefined, never 0


def test_icc_2_1_matches_shrout_and_fleiss() -> None:
    judges = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    assert icc_2_1(judges) == pytest.approx(0.29, abs=0.005)
    assert icc_2_1([[3, 3], [4, 4], [1, 1]]) == pytest.approx(1.0)


def test_quadratic_weighted_kappa() -> None:
    a, b = [1, 2, 3, 4, 5, 3, 2, 4], [1, 3, 3, 5, 4, 2, 2, 4]
    assert weighted_kappa(a, b, (1, 2, 3, 4, 5)) == pytest.approx(0.8333333333)
    assert weighted_kappa([1, 5], [5, 1], (1, 2, 3, 4, 5)) == pytest.approx(-1.0)


def test_asr_noise_is_deterministic_and_unpunctuated() -> None:
    text = "当时客户很生气，我先倾听了他的诉求。然后我调整了流程，结果投诉减少了30%。"
    noisy = asr_like(text, "cs1-01", 0.3)
    assert noisy == asr_like(text, "cs1-01", 0.3)
    assert not any(mark in noisy for mark in "，。")
    assert noisy.count(" ") == 3 and noisy != text.replace("，", " ").replace("。", " ").strip()
    assert (
        asr_like(text, "x", 0.0)
        == "当时客户很生气 我先倾听了他的诉求 然后我调整了流程 结果投诉减少了30%"
    )


QUESTIONS = """
questions:
  - {id: q1, job: store_manager, text: 说说你处理一次顾客激烈投诉的经历。, competencies: [客户导向], split: test}
  - {id: q2, job: sales, text: 新加的题目，不在岗位文件里。, competencies: [客户导向, 沟通能力], split: dev}
"""


def _corpus(root: Path, answers: list[dict[str, object]], ratings: dict[str, list[int]]) -> Path:
    (root / "answers").mkdir(parents=True)
    (root / "ratings").mkdir()
    (root / "questions.yaml").write_text(QUESTIONS, encoding="utf-8")
    lines = [json.dumps(a, ensure_ascii=False) for a in answers]
    (root / "answers" / "q1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for index, name in enumerate(("rater_a", "rater_b", "reference")):
        rows = [
            json.dumps({"id": i, "ratings": {"客户导向": levels[min(index, 1)]}})
            for i, levels in ratings.items()
        ]
        (root / "ratings" / f"{name}.jsonl").write_text("\n".join(rows), encoding="utf-8")
    return root


def _answer(i: int, kind: str, text: str) -> dict[str, object]:
    return {
        "id": f"q1-{i:02}",
        "question": "q1",
        "kind": kind,
        "style": "written",
        "intended": {"客户导向": 3},
        "answer": text,
    }


ANSWERS = [
    _answer(1, "genuine", "短"),
    _answer(2, "genuine", "中等长度的回答"),
    _answer(3, "genuine", "一个相当长而且具体的真实回答"),
    _answer(4, "keyword_list", "客户导向客户导向客户导向"),
]
RATINGS = {"q1-01": [2, 2], "q1-02": [3, 4], "q1-03": [5, 5], "q1-04": [1, 1]}


def _scorer_by_length(answer: str, question: str, job: JobModel) -> AnswerScore:
    """A fake engine for the table's arithmetic: longer answers score higher, and the one
    made of a repeated word is flagged and scored 1."""
    real = score_answer(answer, question, job)
    level = 1.0 if "客户导向客户导向" in answer else min(1.0 + len(answer) / 4, 5.0)
    competencies = tuple(
        c.__class__(c.code, c.name, c.weight, level, 0.5, (), None) for c in real.competencies
    )
    flags = (GamingFlag(Gaming.KEYWORD_LIST, "罗列"),) if level == 1.0 else ()
    return AnswerScore(None, 1.0, competencies, real.analysis, flags=flags, engine="fake")


def test_validate_reports_engine_beside_both_baselines(tmp_path: Path) -> None:
    corpus = load_corpus(_corpus(tmp_path / "c", ANSWERS, RATINGS))
    report = validate(corpus, _scorer_by_length, "test")
    engine, length, keywords = (report.methods[m] for m in ("engine", "length", "keywords"))
    assert engine.per_question["q1"][0] == pytest.approx(1.0)
    assert engine.gaming_below == (1, 1)  # the keyword list is below every genuine answer
    assert length.gaming_below == (0, 1)  # … and longer than two of them
    assert keywords.pooled[0] is not None and keywords.pooled[0] < 0
    assert report.cap_max == 0.0
    assert report.agreement["pairs"] == 4 and report.agreement["within_one"] == 1.0
    assert dict(report.targets())["every gaming answer below every genuine answer"]
    table = render(report)
    assert "q1" in table and "1/1 below genuine" in table and "ICC(2,1)" in table


def test_reference_averages_close_ratings_and_waits_for_adjudication() -> None:
    a = {"x": {"客户导向": 2.0, "沟通能力": 1.0}}
    b = {"x": {"客户导向": 3.0, "沟通能力": 4.0}}
    reference, waiting = resolve_reference(a, b, {})
    assert reference == {"x": {"客户导向": 2.5}} and waiting == [("x", "沟通能力")]
    reference, waiting = resolve_reference(a, b, {"x": {"沟通能力": 2}})
    assert reference["x"]["沟通能力"] == 2.0 and not waiting


def test_blind_sheet_hides_the_authors_labels(tmp_path: Path) -> None:
    corpus = load_corpus(_corpus(tmp_path / "c", ANSWERS, RATINGS))
    sheet = blind_sheet(corpus)
    assert {row["id"] for row in sheet} == {a["id"] for a in ANSWERS}
    assert all(set(row) == {"id", "question", "competencies", "answer"} for row in sheet)


def test_a_question_missing_from_its_job_file_is_added_with_its_competencies(
    tmp_path: Path,
) -> None:
    corpus = load_corpus(_corpus(tmp_path / "c", ANSWERS, RATINGS))
    added = job_for(corpus.questions[1])
    assert added.questions[-1].competencies == ("客户导向", "沟通能力")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "clever"}, "unknown kind"),
        ({"intended": {"沟通能力": 3}}, "exactly the competencies"),
        ({"intended": {"客户导向": 9}}, "within 1..5"),
        ({"question": "nope"}, "missing or malformed"),
    ],
)
def test_a_broken_answer_is_named_with_its_file_and_line(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    answers = [*ANSWERS[:2], {**ANSWERS[2], **change}]
    root = _corpus(tmp_path / "c", answers, {})
    with pytest.raises(InvalidInput, match=message) as error:
        load_corpus(root)
    assert "q1.jsonl:3" in error.value.message


def test_cli_refuses_a_corpus_without_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _corpus(tmp_path / "c", ANSWERS, RATINGS)
    (root / "ratings" / "reference.jsonl").unlink()
    assert main(["validate", str(root)]) == 2
    assert "no reference ratings" in capsys.readouterr().err
    assert main(["validate", str(root), "--asr-noise", "0.9"]) == 2


def test_the_shipped_corpus_is_whole_and_rated_twice() -> None:
    """What the issue asks of the corpus, checked on the files themselves: a broken or
    partly rated corpus would make every figure of `validate` meaningless."""
    from collections import Counter

    from interview_core.validation.corpus import KINDS
    from interview_core.validation.validate import agreement

    corpus = load_corpus(Path(__file__).resolve().parents[3] / "interview_core/data/corpus")
    assert len(corpus.answers) >= 240 and len(corpus.questions) >= 12
    kinds = Counter(a.kind for a in corpus.answers)
    assert set(kinds) == KINDS
    assert sum(a.gaming for a in corpus.answers) / len(corpus.answers) >= 0.2
    assert {a.style for a in corpus.answers} == {"written", "spoken", "asr"}
    ids = {a.id for a in corpus.answers}
    assert set(corpus.reference) == ids
    assert all(set(rater) == ids for rater in corpus.raters.values()) and len(corpus.raters) == 2
    # every test part is opened after one scoring; the next one is added when it is written
    assert "dev" in {q.split for q in corpus.questions} <= {"dev", "test"}
    dev = {c for q in corpus.questions if q.split == "dev" for c in q.competencies}
    assert all(c in dev for q in corpus.questions if q.split == "test" for c in q.competencies)
    assert agreement(corpus)["pairs"] == sum(len(a.question.competencies) for a in corpus.answers)


def test_cross_validation_never_fits_on_the_question_it_scores() -> None:
    """Each question is scored by weights fitted on the others, read as a question the
    concept lexicon was not written from; on the shipped corpus the held-out ranking beats
    the length baseline."""
    from interview_core.text.concepts import question_concepts
    from interview_core.validation.crossval import cross_validate
    from interview_core.validation.fit import ridge_factory

    corpus = load_corpus(Path(__file__).resolve().parents[3] / "interview_core/data/corpus")
    inner = ridge_factory(corpus)
    seen: list[set[str]] = []
    concepts_seen: dict[str, int] = {}

    def factory(others: Sequence[Question]) -> Scorer:
        seen.append({q.id for q in others})
        scorer = inner(others)

        def score(answer: str, question: str, job: JobModel) -> AnswerScore:
            concepts_seen[question] = len(question_concepts(question))
            return scorer(answer, question, job)

        return score

    report = cross_validate(corpus, factory, "dev")
    dev = [q for q in corpus.questions if q.split == "dev"]
    assert len(seen) == len(dev) and all(len(ids) == len(dev) - 1 for ids in seen)
    assert [q.id for q in dev if q.id not in set.union(*seen)] == []  # each left out once
    assert {q.id for q in dev} - seen[0] == {dev[0].id}
    ps3 = next(q for q in dev if q.id == "ps3")  # the lexicon was written from it
    assert concepts_seen[ps3.text] == 0 < len(question_concepts(ps3.text))
    engine, length = report.methods["engine"], report.methods["length"]
    assert engine.pooled[0] is not None and length.pooled[0] is not None
    assert engine.pooled[0] > length.pooled[0]


def test_ridge_keeps_each_feature_on_its_side() -> None:
    """A hedge that comes with better answers in the data is dropped, not rewarded."""
    from interview_core.validation.fit import fit_ridge

    rows = [({"own_actions": x / 10, "hedges": x / 10}, 1.0 + 4 * x / 10) for x in range(11)] + [
        ({"own_actions": 0.5, "hedges": 0.0}, 3.0)
    ]
    weights = fit_ridge(rows, alpha=0.1)
    assert "hedges" not in weights.weights and weights.weights["own_actions"] > 0
    assert fit_ridge(rows, alpha=0.1) == weights  # deterministic


def test_cli_cross_validates_and_refuses_a_part_without_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = str(Path(__file__).resolve().parents[3] / "interview_core/data/corpus")
    assert main(["validate", shipped, "--part", "dev", "--cross-validate", "job"]) == 0
    out = capsys.readouterr().out
    assert "leave-one-job-out" in out and "length baseline" in out
    assert main(["validate", shipped, "--part", "dev", "--cross-validate", "--engine", "llm"]) == 2
    assert "for the rules engine" in capsys.readouterr().err
    # a part without rated answers is refused, whatever the shipped corpus holds today
    # (the check on the shipped corpus ran only while it had no test part)
    root = _corpus(tmp_path / "c", ANSWERS, RATINGS)
    (root / "questions.yaml").write_text(QUESTIONS.replace("split: test", "split: dev"), "utf-8")
    assert main(["validate", str(root)]) == 2
    assert "no rated answers in the test part" in capsys.readouterr().err
    # one question rated in the part: nothing to hold out against, one line, exit 2
    root = _corpus(tmp_path / "one", ANSWERS, RATINGS)
    assert main(["validate", str(root), "--part", "test", "--cross-validate"]) == 2
    assert "needs two questions or more in the test part" in capsys.readouterr().err


def test_fit_weights_never_learns_from_the_test_part(tmp_path: Path) -> None:
    """A test part measures the engine once, before anything is fitted on it: refitting the
    weights reads the development part only, whatever ratings the test part has."""
    from interview_core.validation.fit import write_weights

    root = _corpus(tmp_path / "c", ANSWERS, RATINGS)  # q1: the test part, rated
    stories = [
        "上个月有位顾客嫌回复慢，我先道歉，然后打电话问清楚需求，当天给他换了货，他后来又来买了两次。",
        "去年有个客户投诉送货晚了，我查了物流记录，联系仓库重新发货，第二天送到，客户很满意。",
        "我觉得要多沟通，客户的事情都重要。",
        "有一次客户发错了地址，我主动打电话确认，改了订单，还送了优惠券，他给了好评。",
    ]
    intended = {"客户导向": 3, "沟通能力": 3}
    dev = [dict(_answer(i, "genuine", text), id=f"q2-{i:02}", question="q2", intended=intended)
           for i, text in enumerate(stories, 1)]  # fmt: skip
    lines = [json.dumps(a, ensure_ascii=False) for a in dev]
    (root / "answers" / "q2.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (root / "ratings" / "reference.jsonl").open("a", encoding="utf-8") as out:
        for answer, level in zip(dev, (4, 4, 2, 4), strict=True):
            levels = {"客户导向": level, "沟通能力": level}
            out.write("\n" + json.dumps({"id": answer["id"], "ratings": levels}))
    corpus = load_corpus(root)
    assert any(a.id in corpus.reference for a in corpus.split("test"))
    weights = write_weights(corpus, tmp_path / "w.json")
    assert "of 1 questions (q2)" in weights.fitted_on, weights.fitted_on


def test_fit_weights_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No rated development answer, or a weights file that cannot be written: one line, exit 2."""
    root = _corpus(tmp_path / "c", ANSWERS, RATINGS)  # rated, but only the test part
    assert main(["fit-weights", str(root), "--out", str(tmp_path / "w.json")]) == 2
    assert "no rated answers in the dev part" in capsys.readouterr().err
    assert not (tmp_path / "w.json").exists()
    (root / "questions.yaml").write_text(QUESTIONS.replace("split: test", "split: dev"), "utf-8")
    assert main(["fit-weights", str(root), "--out", str(tmp_path / "no" / "w.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write") and err.count("\n") == 1, err
    # rated, but every answer is a non-answer the rules score alone: nothing to fit on
    listed = "我具备很强的沟通能力、客户导向意识、抗压能力、执行力、学习能力，善于换位思考，第一时间闭环。"
    root = _corpus(tmp_path / "listed", [_answer(4, "keyword_list", listed)], {"q1-04": [1, 1]})
    (root / "questions.yaml").write_text(QUESTIONS.replace("split: test", "split: dev"), "utf-8")
    assert main(["fit-weights", str(root), "--out", str(tmp_path / "w.json")]) == 2
    assert "no rated answer to fit on" in capsys.readouterr().err
    assert not (tmp_path / "w.json").exists()
