"""STAR detection: which sentences tell the situation, task, action and result of a story.

Rules on comma-level clauses, by cue words and patterns:
situation 当时/那时/去年/有一次/在…期间/背景…; task 负责/任务/目标/需要/要求…;
action a subject (我, 我们, 本人) or a step marker (首先/然后/接着…) followed closely by an
action verb (制定/推动/协调/分析/设计/沟通…), not an opinion or a plan (觉得/会/应该/如果);
result 结果/最终/终于/成功/签下… or a change verb with a number (提升了20%、从…降到…).
A clause that states a target (目标是把…提升到…) is a task, not a result, unless it also says
结果/最终; a sentence about habits (我一般会…, without 了/过/当时) tells no action or result.
A sentence belongs to every part one of its clauses shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interview_core.text.sentences import plain, split_clauses

PARTS = ("situation", "task", "action", "result")

ACTION_VERBS = (
    "制定|推动|推进|协调|分析|设计|沟通|组织|安排|带领|带着|主导|牵头|搭建|优化|梳理|调整|跟进|"
    "联系|拜访|约了|说服|整理|编写|开发|实现|排查|定位|重构|引入|建立|培训|提出|召集|复盘|拆解|"
    "调研|测试|修复|改进|落实|对接|谈判|争取|解决|查阅|请教|列出|制作|汇报|申请|监控|打电话|上门|"
    "道歉|安抚|倾听|记录|核对|检查|对比|统计|收集|研究|学习|阅读|设置|改造|整改|叫停|停机|隔离|上报|"
    "报告|反馈|说明|解释|讲解|演示|提供|准备|重新|主动|亲自|决定|把|写了|做了|加了|改了|换了|"
    "找了|找到|拉了|开了|带了|约|面谈|查看|查询|观察|了解|询问|回访|承诺|退款|换货|办了|倒了|"
    "请|听|陪|帮|教|给|写|加|改|换|找|发|打|送|搭|跑|带|问"
)
_SUBJECT = r"(?:我们|我|本人|自己|咱们|大家|团队)"
_NOT_DONE = r"(?!觉得|认为|应该|希望|打算|想|会|要|可以|能|如果|的)"
_NOT_TRAIT = r"(?!能力|意识|方面)"  # 我学习能力强 describes a trait, not an action
ACTION_RE = re.compile(
    rf"{_SUBJECT}(?:{_NOT_DONE}[^，。！？；]){{0,6}}?(?P<verb>{ACTION_VERBS}){_NOT_TRAIT}"
    rf"|^(?:首先|其次|然后|接着|随后|同时|之后|于是|马上|立刻|立即|第[一二三四五]步?|一方面|另一方面)"
    rf"[^，。！？；]{{0,4}}?(?P<verb2>{ACTION_VERBS}){_NOT_TRAIT}"
)
HYPOTHETICAL = re.compile(r"如果|假如|假设|要是|的话")
HABITUAL = re.compile(r"一般|通常|平时|总是|往往|都会|我会|会先|每次")
_PAST = re.compile(r"了|过|当时|那次|那天|有一次")
SITUATION_RE = re.compile(
    r"当时|那时|那会儿|那年|那段时间|那次|那天|去年|前年|上个月|之前在|以前在|有一次|有段时间|曾经|刚入职|刚接手|刚来|"
    r"背景|在[^，。]{1,12}?(?:期间|的时候|阶段|项目中|项目里|公司时)|\d{4}年|旺季|大促|高峰期"
)
TASK_RE = re.compile(
    r"负责|任务|目标|需要|要求|指标|职责|承担|交给我|安排我|让我负责|希望我|考核|必须在|挑战是|要在"
)
_CHANGE = r"提升|提高|降低|降到|减少|下降|增长|增加|缩短|节省|节约|上升|回升|翻了"
_FIGURE = r"[\d一二两三四五六七八九十百千万半]"
RESULT_RE = re.compile(
    rf"结果(?!导向)|最终|终于|成效|成功|达成|完成了|超额|签下|签了|签约|拿下|赢得|挽回|续约|好评|表扬|认可|"
    rf"评为|排名|获得|收到|撤回|平息|化解|解决了|(?<!不)满意|没有再|再也没|最后.{{0,12}}了|"
    rf"零(?:安全)?(?:事故|故障|投诉|差错|缺陷|客诉|返工)|卖(?:了|出)|成交了|签了|没再|再没|"
    rf"(?:一次|顺利|最终|都)就?(?:过了|通过)|(?:就|都|也)没(?:了|再)|消失了|不再出现|"
    rf"(?:降|减|升|涨|提|增|缩短|恢复|回)(?:到|至)(?:了)?|(?:店里|全店|全组|全区|部门|区域|排名)第[一二三]|"
    rf"(?:{_CHANGE})(?:到|至)?了|(?:{_CHANGE})(?:到|至)?{_FIGURE}|从.{{1,12}}?(?:{_CHANGE})|"
    rf"(?:少|多|快|好|高|低)了(?:差不多|将近|近|大约|约|足足)?(?:很多|不少|一半|一倍|[一二三四五六七八九两]成)|"
    rf"明显(?:快|少|好|提升|改善|下降)|(?:接受|同意|答应|采纳|恢复|修好)了|转了回来|(?<!没)合格|"
    rf"(?:客户|顾客|他|她|对方|产品|领导|主管|经理|老板|大家)[^，。]{{0,4}}(?:同意|接受|答应|认可)|"
    rf"续(?:报|签|费|约)了|一次都没(?:有)?|没有?(?:发生|出现)(?:过)?一[起次例单]|就没有了|"
    rf"一直(?:用|沿用|执行)(?:下来|到现在)|照着[^，。]{{0,6}}(?:做|配|用|改)|推广到|"
    rf"超(?:了|过了|出了)?(?:目标|任务|指标|预期)|(?:做|卖|签|订|买)(?:了|到|下)了?{_FIGURE}+"
    rf"(?:万|千|单|台|件|笔|箱|套|家|个(?!月|礼拜|星期|小时|多月))|"
    rf"(?:店里|全店|全组|组里|部门|全区|区域|车间|全厂|班组里)最(?:高|好|多|快)|(?:又|重新)[^，。]{{0,6}}下了?单"
)
_TARGET_ONLY = re.compile(r"目标|任务|要求|指标|需要|希望|计划")
_ACTUAL = re.compile(r"结果|最终|终于|实际|超(?:了|过|出)")  # 超了目标: a target beaten


@dataclass(frozen=True)
class StarAnalysis:
    situation: tuple[str, ...]
    task: tuple[str, ...]
    action: tuple[str, ...]
    result: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(part for part in PARTS if not getattr(self, part))

    @property
    def completeness(self) -> float:
        """Share of the four parts present, 0..1."""
        return (len(PARTS) - len(self.missing)) / len(PARTS)

    def parts_of(self, sentence: str) -> frozenset[str]:
        return frozenset(part for part in PARTS if sentence in getattr(self, part))

    def to_json(self) -> dict[str, list[str]]:
        data = {part: list(getattr(self, part)) for part in PARTS}
        data["missing"] = list(self.missing)
        return data


def detect_star(sentences: tuple[str, ...]) -> StarAnalysis:
    """Every sentence filed under each STAR part one of its clauses shows."""
    found: dict[str, list[str]] = {part: [] for part in PARTS}
    for sentence in sentences:
        parts: set[str] = set()
        for clause in split_clauses(sentence):
            parts |= clause_parts(plain(clause))
        if is_habitual(plain(sentence)):
            parts -= {"action", "result"}
        for part in PARTS:
            if part in parts and sentence not in found[part]:
                found[part].append(sentence)
    return StarAnalysis(*(tuple(found[part]) for part in PARTS))


def clause_parts(clause: str) -> set[str]:
    """The STAR parts one clause shows."""
    parts = set()
    if SITUATION_RE.search(clause):
        parts.add("situation")
    if TASK_RE.search(clause):
        parts.add("task")
    if action_verb_at(clause) is not None:
        parts.add("action")
    if _is_result(clause):
        parts.add("result")
    return parts


def is_habitual(sentence: str) -> bool:
    """What the candidate usually does (我一般会先道歉), not what they did once: no story."""
    return bool(HABITUAL.search(sentence)) and not _PAST.search(sentence)


def action_verb_at(clause: str) -> int | None:
    """Where the action verb of a done action starts in the clause, or None."""
    if HYPOTHETICAL.search(clause):
        return None
    match = ACTION_RE.search(clause)
    if match is None:
        return None
    return match.start("verb") if match.group("verb") else match.start("verb2")


def _is_result(clause: str) -> bool:
    if not RESULT_RE.search(clause) or HYPOTHETICAL.search(clause):
        return False
    return not (_TARGET_ONLY.search(clause) and not _ACTUAL.search(clause))
