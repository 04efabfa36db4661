"""Panels are matched to the opening before availability: a sales role gets the sales
director even when the technical interviewer has the lighter day or the lower id."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from recruiting.domain.availability import Calendar, Interval, SlotRequest, propose
from recruiting.domain.panel_fit import Candidate, Opening, fit, fits, preferred

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, tzinfo=SH)
SALES = Opening("销售代表", "销售部", frozenset({"customer_focus", "客户导向", "communication"}))
TECH = Candidate(1, "技术面试官", "研发中心", frozenset({"problem_solving"}))
DIRECTOR = Candidate(2, "销售总监", "", frozenset())
SALES_TEAM = Candidate(3, "区域经理", "销售部", frozenset({"customer_focus", "沟通能力"}))


def test_department_function_and_competencies_add_up() -> None:
    assert fit(SALES, TECH) == 0
    assert fit(SALES, DIRECTOR) == 2  # 销售 in both titles
    assert fit(SALES, SALES_TEAM) == 4 + 2 + 1  # department (and its 销售), one competency
    assert preferred(fits(SALES, [TECH, DIRECTOR, SALES_TEAM]), 2) == [2, 3]
    assert preferred(fits(SALES, [TECH, DIRECTOR]), 2) is None  # not enough: draw on all


def test_the_fitting_interviewer_is_chosen_before_the_less_loaded_one() -> None:
    day = MONDAY.date()
    tech, director = Calendar(1), Calendar(2, per_day={day: 2})
    window = Interval(MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=18))
    request = SlotRequest(timedelta(hours=1), 1, (window,))
    scores = fits(SALES, [TECH, DIRECTOR])
    assert {p.interviewers for p in propose(request, [tech, director], SH)} == {(1,)}
    assert {p.interviewers for p in propose(request, [tech, director], SH, scores)} == {(2,)}
    third = Calendar(3)
    panel = SlotRequest(timedelta(hours=1), 2, (window,))
    team = fits(SALES, [TECH, DIRECTOR, SALES_TEAM])
    assert propose(panel, [tech, director, third], SH, team)[0].interviewers == (2, 3)
