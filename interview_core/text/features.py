"""The behavioural features of one answer for one competency, and their fitted weights.

rules-v3 scores an honest answer as a weighted sum of what the rules read in it (who acted,
how many distinct actions on how many distinct objects, situation and task, results, numbers
tied to what they measure, the chain, difficulty, a reusable improvement, reflection,
specificity, the competency's indicators shown by behaviour, hedges, opinions and habits,
saying there is no experience to tell, CV jargon, self-praise and list items below the gaming
flags' thresholds, relevance to the question). Every feature is a bounded count of distinct
behavioural elements or a yes/no: raw length is none of them, since it rewards padding;
protected attributes are never read.

The weights are fitted by ridge regression on the rated corpus
(``python -m interview_core fit-weights interview_core/data/corpus``, pure numpy, closed
form, deterministic) and committed in ``interview_core/data/scoring-weights.json``; how well
they carry to unseen questions is measured by leave-one-question-out cross-validation
(``validate --cross-validate``), fitting on the other questions each time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from interview_core.text.analysis import AnswerAnalysis
from interview_core.text.evidence import CompetencyEvidence
from interview_core.text.flags import Gaming, GamingFlag
from interview_core.text.gaming import JARGON, SELF_RE, list_items

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "data" / "scoring-weights.json"
REFLECTION = re.compile(
    r"反思|教训|学到|学会了|意识到|才明白|明白了|后来我才|下次|以后我|再遇到|如果重来|做得不够|"
    r"不足|没做好|吸取|总结了"
)
OTHERS = frozenset(("other",))
# 没遇到过、机会不多、还没正式带过: the candidate says there is no experience to tell
NO_EXPERIENCE = re.compile(
    r"没(?:怎么|有|太)?(?:遇到|碰到|经历|处理|做|带|管|负责)过|(?:机会|经验)(?:不多|不太多|很少|比较少)|"
    r"还没(?:有)?(?:正式|真正)?(?:带|做|管|遇到|碰到|处理)|没有(?:直接|真正)?(?:管过|带过|做过)"
)


def _cap(n: int, top: int) -> float:
    return min(n, top) / top


def features(
    a: AnswerAnalysis, found: CompetencyEvidence, flags: Sequence[GamingFlag]
) -> dict[str, float]:
    """Name → value (each 0..1, or a small level) of one answer for one competency."""
    e = a.episode
    kinds = {f.code for f in flags}
    own, shared = e.own, e.shared
    acted = len(own) + len(shared)
    objects = {c.object for c in (*own, *shared) if c.object}
    return {
        "level": e.level / 5.0,
        "told": float(e.told),
        "particular": float(bool(e.particular)),
        "general_account": float(bool(e.general)),
        "own_actions": _cap(len(own), 6),
        "distinct_own_verbs": _cap(len({c.verb for c in own}), 6),
        "team_actions": _cap(len(shared), 4),
        "own_share": len(own) / acted if acted else 0.0,
        "distinct_objects": _cap(len(objects), 6),
        "results": _cap(len(e.results), 3),
        "quantified_result": float(e.quantified_result),
        "tied_numbers": _cap(len(e.tied_numbers), 4),
        "unmeasured_numbers": _cap(len(e.unmeasured), 4),
        "situation": float(bool(e.part("situation"))),
        "task": float(bool(e.part("task"))),
        "chain": _cap(len(e.chain), 4),
        "difficulty": float(bool(e.difficulty)),
        "reusable": float(bool(e.reusable)),
        "reflection": float(bool(REFLECTION.search(e.reads))),
        "named_things": _cap(len(e.named), 3),
        "other_people": _cap(sum(c.actor in OTHERS for c in e.clauses), 4),
        "indicators": _cap(len(found.indicators), 3),
        "indicator_habits": _cap(len(found.habits), 2),
        "keywords": _cap(len(found.keywords), 2),
        "habits": _cap(len(e.habits), 3),
        "points": float(bool(e.points)),
        "no_experience": float(bool(NO_EXPERIENCE.search(e.reads))),
        "hedges": _cap(len(a.vagueness.hedges), 4),
        "vague": a.vagueness.index,
        "relevance": a.relevance,
        "jargon": _cap(len(JARGON.findall(e.reads)), 4),
        "self_claims": _cap(len(SELF_RE.findall(e.reads)), 3),
        "list_items": _cap(len(list_items(e)), 5),
        "off_topic": float(Gaming.OFF_TOPIC in kinds),
        "empty_numbers": float(Gaming.EMPTY_NUMBERS in kinds),
    }


@dataclass(frozen=True)
class Weights:
    """A linear model over ``features``: ``intercept + Σ weight × value``."""

    intercept: float
    weights: Mapping[str, float]
    fitted_on: str = ""  # how and on what they were fitted

    def predict(self, values: Mapping[str, float]) -> float:
        return self.intercept + sum(w * values.get(k, 0.0) for k, w in self.weights.items())

    def contributions(self, values: Mapping[str, float]) -> dict[str, float]:
        """Each feature's share of the score (the breakdown shown with it)."""
        parts = {k: round(w * values.get(k, 0.0), 2) for k, w in self.weights.items()}
        return {"base": round(self.intercept, 2), **{k: v for k, v in parts.items() if v}}

    def to_json(self) -> dict[str, object]:
        return {
            "intercept": self.intercept,
            "weights": dict(self.weights),
            "fitted_on": self.fitted_on,
        }


@lru_cache(maxsize=1)
def default_weights() -> Weights:
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    return Weights(
        float(data["intercept"]),
        {str(k): float(v) for k, v in data["weights"].items()},
        str(data.get("fitted_on", "")),
    )
