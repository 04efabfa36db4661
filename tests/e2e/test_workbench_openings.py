"""The 岗位 pages over real sockets, on SQLite and on PostgreSQL + Redis: HR creates an
opening with a library model, edits the weights, adds a recorded round with a question and
a bank question, and a refused form comes back in Chinese with what was typed; an
interviewer reads but cannot change; every change is audited."""

from __future__ import annotations

import httpx

from recruiting.models import (
    Application,
    AuditLog,
    BankQuestion,
    Candidate,
    Interview,
    InterviewRound,
    JobOpening,
)
from recruiting.services.shared.round_versions import version_for_new_interview
from tests.e2e.stack import Stack
from tests.e2e.workbench import DESKTOP, hr, sign_in

__all__ = ["hr"]  # the fixture


def _csrf(html: str) -> str:
    return html.split('name="csrf-token" content="')[1].split('"')[0]


async def test_hr_sets_up_an_opening_and_a_recorded_round(
    stack: Stack, hr: httpx.AsyncClient
) -> None:
    page = await hr.get("/workbench/openings/new")
    assert page.status_code == 200 and "新建岗位" in page.text
    csrf = _csrf(page.text)
    form = {"csrf_token": csrf, "code": "KF-SH-01", "title": "客服专员", "city": "上海",
            "library_job": "customer_service"}  # fmt: skip
    r = await hr.post("/workbench/openings/new", data=form)
    assert r.status_code == 302, r.text
    job = await JobOpening.get(code="KF-SH-01")
    assert r.headers["location"] == f"/workbench/openings/{job.id}"
    assert job.competency_model[0]["code"] == "customer_focus"
    again = await hr.post("/workbench/openings/new", data={**form, "title": "另一个"})
    assert again.status_code == 409 and "已被使用" in again.text and "另一个" in again.text

    # weights in percent; a wrong total is refused with the typed values kept
    weights = {"csrf_token": csrf, "w_communication": "60", "w_problem_solving": "30"}
    bad = await hr.post(f"/workbench/openings/{job.id}/model", data=weights)
    assert bad.status_code == 400 and "合计须为 1" in bad.text and 'value="30"' in bad.text
    weights["w_customer_focus"] = "10"
    assert (await hr.post(f"/workbench/openings/{job.id}/model", data=weights)).status_code == 302
    job = await JobOpening.get(id=job.id)
    assert {i["code"]: i["weight"] for i in job.competency_model} == {
        "communication": "0.6", "problem_solving": "0.3", "customer_focus": "0.1",
    }  # fmt: skip

    r = await hr.post(f"/workbench/openings/{job.id}/rounds", data={
        "csrf_token": csrf, "kind": "recorded", "name": "录制面试",
        "first_question": "请讲一次你安抚愤怒客户的经历。",
        "first_competencies": ["customer_focus", "communication"],
    })  # fmt: skip
    assert r.status_code == 302, r.text
    round_ = await InterviewRound.get(job_id=job.id)
    editor = await hr.get(r.headers["location"])
    assert editor.status_code == 200
    assert "客户导向 · 行为锚定" in editor.text and "5 分" in editor.text  # anchors beside
    form = {"csrf_token": csrf, "name": "录制面试", "deadline_days": "5", "q_count": "2",
            "q_text_0": "请讲一次你安抚愤怒客户的经历。", "q_comp_0": ["customer_focus"],
            "q_prep_0": "20", "q_answer_0": "150", "q_retakes_0": "1", "q_order_0": "2",
            "q_text_1": "请讲一次你找到问题根因的经历。", "q_comp_1": ["problem_solving"],
            "q_prep_1": "30", "q_answer_1": "999", "q_retakes_1": "0", "q_order_1": "1"}  # fmt: skip
    refused = await hr.post(f"/workbench/openings/rounds/{round_.id}", data=form)
    assert (
        refused.status_code == 400 and "第 1 题的作答时间（秒）须在 10 到 300 之间" in refused.text
    )
    assert "找到问题根因" in refused.text  # what HR typed is still there
    form["q_answer_1"] = "120"
    assert (await hr.post(f"/workbench/openings/rounds/{round_.id}", data=form)).status_code == 302
    round_ = await InterviewRound.get(id=round_.id)
    assert [q["text"][:6] for q in round_.questions] == ["请讲一次你找", "请讲一次你安"]
    assert round_.deadline_days == 5

    bank = await hr.post("/workbench/openings/bank", data={
        "csrf_token": csrf, "text": "请讲一次你向客户解释复杂问题的经历。",
        "competencies": ["communication"], "tags": "客服", "answer_seconds": "120",
    })  # fmt: skip
    assert bank.status_code == 302
    shelf = await hr.get("/workbench/openings/bank?competency=communication")
    assert "向客户解释复杂问题" in shelf.text and "行为锚定" in shelf.text
    picked = await BankQuestion.get(text="请讲一次你向客户解释复杂问题的经历。")
    assert f'action="/workbench/openings/bank/{picked.id}"' in shelf.text  # its edit form
    edit = {"csrf_token": csrf, "text": picked.text, "competencies": ["communication"],
            "tags": "客服，电话", "answer_seconds": "90", "prep_seconds": "20", "retakes": "2"}  # fmt: skip
    assert (await hr.post(f"/workbench/openings/bank/{picked.id}", data=edit)).status_code == 302
    picked = await BankQuestion.get(id=picked.id)
    assert (picked.answer_seconds, picked.tags, picked.retakes) == (90, ["客服", "电话"], 2)
    wider = await hr.post("/workbench/openings/bank", data={
        "csrf_token": csrf, "text": "请讲一次你带新人把客户问题讲清楚的经历。",
        "competencies": ["communication", "leadership"],
    })  # fmt: skip
    assert wider.status_code == 302
    wider_q = await BankQuestion.get(text="请讲一次你带新人把客户问题讲清楚的经历。")
    editor = await hr.get(f"/workbench/openings/rounds/{round_.id}")
    # the round offers only questions it can take: leadership is not in this opening's model
    assert f'name="bank_ids" value="{picked.id}"' in editor.text
    assert f'name="bank_ids" value="{wider_q.id}"' not in editor.text
    r = await hr.post(f"/workbench/openings/rounds/{round_.id}/bank",
                      data={"csrf_token": csrf, "bank_ids": [str(picked.id)]})  # fmt: skip
    assert r.status_code == 302
    round_ = await InterviewRound.get(id=round_.id)
    assert round_.questions[-1]["bank_question_id"] == picked.id

    first = await version_for_new_interview(round_.id, "lina")  # the first invitation's
    await hr.post(f"/workbench/openings/rounds/{round_.id}", data={**form, "deadline_days": "9"})
    page = await hr.get(f"/workbench/openings/rounds/{round_.id}/versions/{first.number}")
    assert page.status_code == 200 and "邀请后 5 天" in page.text and "找到问题根因" in page.text
    missing = await hr.get(f"/workbench/openings/rounds/{round_.id}/versions/99999999")
    assert missing.status_code == 404 and "没有这个版本" in missing.text

    listing = await hr.get("/workbench/openings/")
    assert "客服专员" in listing.text and "1 轮面试" in listing.text
    actions = set(await AuditLog.filter(actor="lina", allowed=True).values_list("action",
                                                                               flat=True))  # fmt: skip
    assert {"create_opening", "edit_competency_model", "add_round", "edit_round",
            "add_bank_question"} <= actions  # fmt: skip


async def test_interviewer_reads_but_cannot_change(stack: Stack) -> None:
    job = await JobOpening.create(code="RD-1", title="研发工程师")
    base = stack.settings.workbench.public_url
    async with httpx.AsyncClient(base_url=base, headers=DESKTOP, timeout=15) as client:
        await sign_in(stack, client, "wangqiang")
        page = await client.get(f"/workbench/openings/{job.id}")
        assert page.status_code == 200 and "研发工程师" in page.text
        assert "保存岗位信息" not in page.text
        r = await client.post(f"/workbench/openings/{job.id}",
                              data={"csrf_token": _csrf(page.text), "title": "改名"})  # fmt: skip
        assert r.status_code == 403 and "没有权限" in r.text
        assert (await client.get("/workbench/openings/new")).status_code == 403
        assert (await client.get("/workbench/openings/999999")).status_code == 404
    assert (await JobOpening.get(id=job.id)).title == "研发工程师"


async def test_bad_input_gets_a_chinese_4xx_never_a_500(
    stack: Stack, hr: httpx.AsyncClient
) -> None:
    page = await hr.get("/workbench/openings/new")
    csrf = _csrf(page.text)
    long = await hr.post("/workbench/openings/new",
                         data={"csrf_token": csrf, "code": "X-1", "title": "长" * 200})  # fmt: skip
    assert long.status_code == 400 and "最多 128 个字" in long.text
    huge_body = await hr.post("/workbench/openings/new",
                              data={"csrf_token": csrf, "code": "X-1", "title": "长" * 100_000})  # fmt: skip
    assert huge_body.status_code == 413
    job = await JobOpening.create(code="X-2", title="测试岗位")
    weight = await hr.post(f"/workbench/openings/{job.id}/model",
                           data={"csrf_token": csrf, "w_teamwork": "1e999999"})  # fmt: skip
    assert weight.status_code == 400 and "权重" in weight.text
    live = await hr.post(f"/workbench/openings/{job.id}/rounds",
                         data={"csrf_token": csrf, "kind": "live", "name": "业务面"})  # fmt: skip
    round_id = int(live.headers["location"].rsplit("/", 1)[1])
    huge = await hr.post(f"/workbench/openings/rounds/{round_id}",
                         data={"csrf_token": csrf, "name": "业务面", "duration_minutes": "9" * 30})  # fmt: skip
    assert huge.status_code == 400 and "面试时长" in huge.text
    link = await hr.post(f"/workbench/openings/rounds/{round_id}",
                         data={"csrf_token": csrf, "name": "业务面",
                               "meeting_link": "javascript:alert(1)"})  # fmt: skip
    assert link.status_code == 400 and "https://" in link.text
    assert (await hr.get("/workbench/openings/?offset=abc&status=zzz")).status_code == 200
    assert (await hr.get("/workbench/openings/rounds/2147483647")).status_code == 404
    for past_the_keys in ("/rounds/2147483648", "/99999999999", "/rounds/9/versions/1",
                          "/rounds/99999999999/versions/1", f"/rounds/{round_id}/versions/-99999999999"):  # fmt: skip
        assert (await hr.get(f"/workbench/openings{past_the_keys}")).status_code == 404
    far = await hr.post("/workbench/openings/bank/99999999999/retire", data={"csrf_token": csrf})
    assert far.status_code == 404
    moved = await hr.post(f"/workbench/openings/{job.id}/rounds/999999/move",
                          data={"csrf_token": csrf, "direction": "up"})  # fmt: skip
    assert moved.status_code == 404
    candidate = await Candidate.create(name="候选人")
    application = await Application.create(candidate=candidate, job=job)
    await Interview.create(application=application, round_id=round_id)
    gone = await hr.post(f"/workbench/openings/rounds/{round_id}/delete", data={"csrf_token": csrf})
    assert gone.status_code == 409 and "可以关闭这一轮" in gone.text
