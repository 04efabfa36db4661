"""Command line of the analysis core: ``python -m interview_core <command>``.

score          score one transcribed answer against a job's competency model (advisory JSON)
analyze        media file → transcript, speech metrics, vision flags, scores (+ HTML report)
validate       rank-correlate an engine's scores with the rated corpus's reference ratings
fit-weights    refit the rules engine's weights on the rated dev part (ridge regression)
install-model  put a speech model (registry archive or local tarball, md5-checked) in place

Errors print one line on stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from recruiting.cli_support import OneLineParser, run_command
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE
from recruiting.errors import InvalidInput

if TYPE_CHECKING:
    from interview_core.engines.port import AnswerScorer
    from interview_core.validation.corpus import Corpus

_Parser = OneLineParser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser().parse_args(argv))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m interview_core",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    # One ``_add_<command>(sub)`` per command, each setting ``func`` to its handler, which
    # takes the parsed arguments and returns the exit code.
    _add_score(sub)
    _add_analyze(sub)
    _add_validate(sub)
    _add_fit_weights(sub)
    from interview_core.speech.models import add_cli

    add_cli(sub)
    return parser


def _add_score(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "score",
        help="score a transcribed answer (advisory; evidence quoted)",
        description="Score one answer against a job's competencies; prints JSON.",
    )
    model = cmd.add_mutually_exclusive_group(required=True)
    model.add_argument("--job", help="job YAML file, or a built-in job (sales, store_manager, …)")
    model.add_argument(
        "--competencies", help="comma-separated names, equal weights: 沟通能力,客户导向"
    )
    cmd.add_argument("--question", required=True, help="the question that was asked")
    cmd.add_argument(
        "--transcript", required=True, help="UTF-8 text file of the answer ('-' = stdin)"
    )
    _add_min_coverage(cmd)
    cmd.set_defaults(func=_score)


def _add_min_coverage(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--min-coverage",
        type=int,
        default=round(DEFAULT_MIN_COVERAGE * 100),
        choices=range(101),
        metavar="PERCENT",
        help="withhold the overall score below this share of the job weight (default %(default)s)",
    )


def _score(args: argparse.Namespace) -> int:
    from interview_core.text.jobs import resolve_job, selection
    from interview_core.text.scoring import score_answer

    job = resolve_job(args.job) if args.job else selection(_names(args.competencies))
    text = _read_transcript(args.transcript)
    result = score_answer(text, args.question, job, args.min_coverage / 100)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    return 0


def _read_transcript(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read transcript {name}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"transcript {name} is not UTF-8 text") from exc


def _add_analyze(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "analyze",
        help="analyse a recorded answer (audio or video) end to end",
        description="Probe, transcribe, measure, score; prints JSON, optionally an HTML report.",
    )
    cmd.add_argument("media", help="the recording (mp4, webm, amr, wav, mp3, m4a, opus)")
    model = cmd.add_mutually_exclusive_group(required=True)
    model.add_argument("--job", help="job YAML file, or a built-in job (sales, store_manager, …)")
    model.add_argument("--competencies", help="comma-separated names, equal weights")
    cmd.add_argument("--question", required=True, help="the question that was asked")
    cmd.add_argument("--report", help="directory for report.html and radar.png")
    cmd.add_argument("--model-dir", help="speech model directory (default: $SPEECH_MODEL_DIR)")
    cmd.add_argument("--max-seconds", type=float, default=600.0, help="longest accepted media")
    cmd.add_argument(
        "--face-expression-count",
        action="store_true",
        help="count neutral expressions (off by default: banned in some jurisdictions)",
    )
    _add_min_coverage(cmd)
    cmd.set_defaults(func=_analyze)


def _analyze(args: argparse.Namespace) -> int:
    from interview_core.media.probe import MediaLimits, probe
    from interview_core.pipeline import AnalysisSettings, analyze
    from interview_core.report.html import render_report
    from interview_core.speech.choose import recognizer_from_settings
    from interview_core.text.jobs import resolve_job, selection
    from interview_core.vision.signals import VisionSettings

    job = resolve_job(args.job) if args.job else selection(_names(args.competencies))
    settings = AnalysisSettings(
        limits=MediaLimits(max_seconds=args.max_seconds),
        vision=VisionSettings(smile_count_enabled=args.face_expression_count),
        min_coverage=args.min_coverage / 100,
    )
    # Bad input fails before the speech model loads (seconds, and paddle logs on stderr).
    probe(args.media, settings.limits)
    recognizer = recognizer_from_settings(args.model_dir)
    result = analyze(args.media, job, args.question, recognizer, settings).to_json()
    if args.report:
        result["report"] = str(render_report(result, Path(args.report)))
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


def _add_validate(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "validate",
        help="how well an engine ranks the rated corpus's answers (Spearman, Kendall)",
        description="Score the rated corpus and compare with its reference ratings, beside a "
        "length-only and a keyword-count baseline measured in the same run.",
    )
    cmd.add_argument("corpus", help="corpus folder (interview_core/data/corpus)")
    cmd.add_argument(
        "--engine",
        choices=("rules", "llm"),
        default="rules",
        help="rules (default) or llm (needs SCORING_LLM_BASE_URL, _MODEL and _API_KEY)",
    )
    cmd.add_argument(
        "--part", choices=("test", "dev", "all"), default="test", help="split (default test)"
    )
    cmd.add_argument(
        "--asr-noise",
        type=float,
        default=0.0,
        metavar="RATE",
        help="score recogniser-like transcripts: no punctuation, homophones at RATE (0..0.5)",
    )
    cmd.add_argument(
        "--cross-validate",
        nargs="?",
        const="question",
        choices=("question", "job"),
        help="rules engine: leave each question (or job) of --part out in turn, refit the "
        "weights on the others, then score it as a question the concept lexicon does not know",
    )
    cmd.add_argument("--json", action="store_true", help="print JSON instead of the table")
    cmd.set_defaults(func=_validate)


def _add_fit_weights(sub: argparse._SubParsersAction[_Parser]) -> None:
    cmd = sub.add_parser(
        "fit-weights",
        help="refit the rules engine's weights on every rated dev question of the corpus",
        description="Ridge regression of the reference ratings on the behavioural features; "
        "writes interview_core/data/scoring-weights.json (or --out).",
    )
    cmd.add_argument("corpus", help="corpus folder (interview_core/data/corpus)")
    cmd.add_argument("--out", help="weights file (default: the one the engine reads)")
    cmd.set_defaults(func=_fit_weights)


def _fit_weights(args: argparse.Namespace) -> int:
    from interview_core.text.features import WEIGHTS_PATH
    from interview_core.validation.fit import write_weights

    corpus = _rated_corpus(args.corpus, "dev")
    out = Path(args.out) if args.out else WEIGHTS_PATH
    try:
        weights = write_weights(corpus, out)
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror}") from exc
    print(json.dumps({"written": str(out), **weights.to_json()}, ensure_ascii=False, indent=2))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from interview_core.validation.validate import render, validate

    if not 0.0 <= args.asr_noise <= 0.5:
        raise InvalidInput("--asr-noise must be between 0 and 0.5")
    corpus = _rated_corpus(args.corpus, args.part)
    if args.cross_validate:
        from interview_core.validation.crossval import cross_validate
        from interview_core.validation.fit import ridge_factory

        if args.engine != "rules" or args.asr_noise:
            raise InvalidInput("--cross-validate is for the rules engine, without --asr-noise")
        report = cross_validate(corpus, ridge_factory(corpus), args.part, args.cross_validate)
    else:
        scorer = _scorer(args.engine)
        report = validate(corpus, lambda a, q, j: scorer.score(a, q, j), args.part, args.asr_noise)
    print(
        json.dumps(report.to_json(), ensure_ascii=False, indent=2) if args.json else render(report)
    )
    return 0


def _rated_corpus(root: str, part: str) -> Corpus:
    """The corpus under ``root``, refused without reference ratings for the ``part`` it is
    read for (validate scores it, fit-weights fits on it)."""
    from interview_core.validation.corpus import load_corpus

    corpus = load_corpus(root)
    if not corpus.reference:
        raise InvalidInput(f"{root}: no reference ratings yet (ratings/reference.jsonl)")
    if not any(a.id in corpus.reference for a in corpus.split(part)):
        raise InvalidInput(
            f"{root}: no rated answers in the {part} part (a test part is opened "
            "after one scoring; --part dev --cross-validate measures unseen questions)"
        )
    return corpus


def _scorer(engine: str) -> AnswerScorer:
    """The engine the service would use: the LLM from the service's settings (environment
    or config file), refused when they do not configure one."""
    from interview_core.engines.choose import ScorerChoice

    if engine == "rules":
        return ScorerChoice().build()
    from recruiting.bootstrap import scorer_choice
    from recruiting.settings import load_settings

    choice = scorer_choice(load_settings())
    if choice.llm is None:
        raise InvalidInput(
            "the LLM engine is not configured: set SCORING_LLM_BASE_URL, "
            "SCORING_LLM_MODEL and SCORING_LLM_API_KEY"
        )
    return choice.build()


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.replace("，", ",").split(",") if name.strip()]
