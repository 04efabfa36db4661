"""Behavioural episodes: who did what to what, in which situation, with which result.

The rules engine scores what a candidate says they did, so it reads each clause of an answer
(on the ``plain`` text: fillers dropped) for:

* the actor: 我/本人 (``self``; 我和…/我带着… too: the candidate acted), 我们/团队/大家
  (``we``), someone else (他/客户/经理…: ``other``); a clause without a subject continues the
  actor before it in the same sentence (in a recogniser's transcript, across its pauses);
* the action: a listed action verb that is a word of its own (jieba's word boundaries: 和测试
  同事 holds no 试) close after the actor or a step marker, or any word told as done with 了,
  not an opinion, a plan or a habit (觉得/会/应该/一般/如果…), and its object: the words it
  was done to. A verb with nothing after it (我负责，我主导) is a claim, not an action, and an
  outcome (提升了) is a result, not an action;
* the STAR part of the clause (``star.clause_parts``) and its numbers. A number is tied when
  it says what it measures (a unit, or a measured thing such as 营业额/工单/良品率/响应时间
  before it) in a sentence of the story; otherwise it measures nothing;
* the occasion: a particular one (有一次、去年、那天、当时、有个客户…, or named things such as
  Nginx, K8s that something was done with; names only listed are no case) against the words
  of a general account (累计、多次、每次、一般、连续…, a period summed up: 去年一年、三年里);
  a general background before the story (以前每次都要…) is its situation, not such an account;
* the chain: the step markers in the order told (先 → 然后 → 于是 → 结果/最后);
* difficulty (冲突、投诉、故障、下滑…) and a reusable improvement left behind (复盘、机制、规范、
  推广、清单…).

``Episode.told`` is a story: actions of the candidate or the team at a particular occasion,
or, without the words of a general account (累计、一直都、前前后后、处理过的…、干了八年) and
without points numbered as a view (第一是…第二是…), actions with their result, or two things
the candidate did and a figure (a short answer with 我 + actions + a figure is a story).
Durations (报修三天) set the scene and are no claimed figure. ``Episode.level``
turns all this into the general behavioural level of the rating guidelines, before any
competency: 1.3 no action, 1.8 habits or a general account, 2–2.3 a story of 我们 only (the
guidelines' ceiling is 2), up to 2.7 actions without a result, about 3 an owned story with a
result, 4 several own actions and a quantified result, toward 5 with a hard situation, a
causal chain and a reusable improvement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from interview_core.text.sentences import plain, split_clauses, tokenizer
from interview_core.text.signals import QUANTITY_RE, Quantity
from interview_core.text.star import HABITUAL, HYPOTHETICAL, clause_parts

_LEAD = (
    r"(?:(?:然后|后来|于是|所以|因此|最后|最终|接着|随后|同时|首先|其次|另外|之后|但是|但|而且|"
    r"并且|不过|其实|结果|当时|那时候|那时|当天|第二天|马上|立刻|立即|先|再|又|也|还|就|便|"
    r"一开始|第[一二三四五]步?|接下来|紧接着|再后来|一起|分别|逐一|挨个|耐心地?|认真地?|"
    r"都|又|一直|每天|每周|并|并且|当即|当场|随即)\s*)*"
)
_SELF = r"我(?!们)|本人|自己"
_WE = r"我们|咱们|大家|整个团队|团队|全组|全店|全员|全车间|班组"
_OTHER = (
    r"他们|她们|他|她|客户|顾客|老板|领导|经理|主管|同事|公司|部门|对方|用户|店员|员工|工人|"
    r"产品经理|测试|研发|老师傅|师傅"
)
# 会后我… / 到了现场我… / 第二天一早我…: a short time or place before the subject
_WHEN = r"(?:[^，。！？；]{0,6}?(?:后|时|候|天|上|里|间|中|前|早|晚|下午|上午|年|月|周|次))?"
LEAD_RE = re.compile(_LEAD)
SUBJECT_RE = re.compile(rf"^{_LEAD}{_WHEN}(?P<subject>{_WE}|{_SELF}|{_OTHER})")
ACTION_VERBS = (
    "制定|推动|推进|协调|分析|设计|沟通|组织|安排|带领|带着|主导|牵头|搭建|优化|梳理|调整|跟进|"
    "联系|拜访|约了|说服|整理|编写|开发|实现|排查|定位|重构|引入|建立|培训|提出|召集|复盘|拆解|"
    "调研|测试|修复|改进|落实|对接|谈判|争取|解决|查阅|请教|列出|制作|汇报|申请|监控|打电话|上门|"
    "道歉|安抚|倾听|记录|核对|检查|对比|统计|收集|研究|学习|阅读|设置|改造|整改|叫停|停机|隔离|上报|"
    "报告|反馈|说明|解释|讲解|演示|提供|准备|重新|主动|亲自|决定|写了|做了|加了|改了|换了|"
    "找了|找到|拉了|开了|带了|约|面谈|查看|查询|观察|了解|询问|回访|承诺|退款|换货|办了|倒了|"
    "发现|确认|复述|拆|分成|分类|列|排|读|看了|看|查|通读|自学|搭|写|做|加|改|换|找|发|打|送|跑|"
    "带|问|请|听|陪|帮|教|给|谈|聊|讲|告诉|推|提交|上线|压测|回滚|重启|签|试点|试|尝试|借鉴|推广|"
    "督促|追踪|盯|补|更换|维修|恢复|清理|移走|贴|放|设|定|开会|商量|协商|讨论|对齐|同步|分享|"
    "共享|补位|替|接手|接过|承担|分担|总结|练|模拟|背|考|评估|选择|比较|取舍|表扬|鼓励|激励|辅导|"
    "带教|谈心|调|拉|走访|回电|回复|赔|补偿|加急|申报|制止|拒绝|坚持|顶住|没有|没|"
    "加班|想办法|想了办法|拆成|排了|卖|卖出|卖了|记|刷|背|推荐|介绍|约见|演练|跟着|跟进了|让|叫|查明|查出|定位到|纳入|写进|加到|列入|设立|建立了|贴了|"
    "打了|跑了|请了|问了|查了|看了|带着|分析了|找出|算了|核算|摸底|盘点"
)
ACTION_VERBS = "|".join(sorted(set(ACTION_VERBS.split("|")), key=lambda v: (-len(v), v)))
VERB_RE = re.compile(ACTION_VERBS)
_PROMISE = "将来|以后|一定|争取"  # said before a verb: what will be done, not what was
_GAP_BLOCK = re.compile(rf"觉得|认为|应该|希望|打算|想要|会|要|可以|能|如果|是|的|{_PROMISE}")
_BA = re.compile(r"把|将")
_BA_VERB = re.compile(
    r"(?:把|将(?!来|要|会|近|就|心))(?P<object>[^，。！？；的要会想能]{1,12}?)(?P<verb>[\u4e00-\u9fff](?:到|成|给|开|进|在|回|出|掉|好|完|走|起|齐|清))"
)
_BA_GAP_BLOCK = re.compile(rf"觉得|认为|应该|希望|打算|想要|会|要|可以|能|如果|{_PROMISE}")
_NOT_VERB_NEXT = re.compile(
    r"^(?:能力|意识|方面|精神|心态|态度|导向|思维|素质|很强|强|同事|经理|部门|团队|人员|工程师|组(?!员)|部)"
)
_COMPARED = re.compile(r"^(?:了|过|一下|下来|后|完)")  # 比较了三家: compared, not 比较喜欢
_PREPOSITION = re.compile(r"^(?:在|到|去|跟|和|与|向|对|给|把|将|用|通过|按|按照|针对|带着|陪)")
GAP, PREPOSITION_GAP, STEP_GAP = 6, 11, 3
_PERFECTIVE = re.compile(r"(?P<verb>[\u4e00-\u9fff]{1,2}?)(?=了(?!解|不起))")
_NOT_ACTIONS = frozenset(  # outcomes (提升了), states and particles: no action
    (
        "好", "多", "少", "完", "到", "是", "有", "没", "就", "都", "也", "还",
        "又", "来", "去", "成", "对", "错", "大", "小", "高", "低", "快", "慢",
        "长", "短", "上", "下", "过", "为", "变", "算", "累", "慌", "急", "生气",
        "不满", "满意", "着急", "习惯", "熟悉", "明白", "知道", "忘", "晚", "早", "乱",
        "坏", "差", "涨", "降", "掉", "走", "提升", "提高", "下降", "降低", "增长",
        "增加", "减少", "占", "达到", "超过", "突破", "翻", "上涨", "下滑", "缩短",
        "节省", "回升",
    )
)  # fmt: skip
_NUMERAL = re.compile(r"[\d一二三四五六七八九十百千万两几]")  # 有四年了: a time, no action
_COMPLEMENT = re.compile(r"^(?:了|过|着|到|成|完|好|出|掉|给|起|上|下|回|来|去|清|遍|一下)")
_STEP = re.compile(
    r"^(?:然后|后来|于是|所以|因此|接着|随后|之后|同时|首先|其次|再|又|先|马上|立刻|立即|还|并|"
    r"第[一二三四五]|接下来|紧接着|最后)"
)
_MODAL = re.compile(r"^(?:会|要|应该|可以|能|想|打算|希望|需要|得)")
_CLAIM = re.compile(r"^(?:负责|主导|承担|牵头)")  # 我负责… is a task, not an action
_SUB_STEP = re.compile(r"(?=然后|接着|于是|随后|之后再|再把|就把|并且|最后)")
PAST = re.compile(
    r"(?<![就好])了(?!解|不起)|当时|那次|那天|那年|有一次|去年|前年|上个月|曾经|后来|结果|最后"
)
_MODAL_SENTENCE = re.compile(
    r"(?:我|我们|就|都|也|总)(?:会|要|应该|可以|能)|应该|要学会|一定要|就行|就可以|"
    r"我(?:觉得|认为|想|相信)|最重要|很重要|关键是|关键在于|一定(?:会|能)|只要[^，。]{0,8}就"
)
PARTICULAR = re.compile(
    r"有一次|有次|那次|这次|那一次|的一次(?![^，。]{0,3}率)|一次是|那天|有一天|有天(?![然赋分生])|某天|(?<![每前])一天|当天|第二天|"
    r"次日|那年|去年|前年|上个月|上周|上次|下个月|下一个月|下周|第二周|第二个月|有(?:顾客|客户|用户|员工|同事)(?!都)|那段时间|有段时间|那阵子?|有阵子|有一阵|前阵子|前段时间|那会儿|那时|当时|刚(?:入职|接手|来|到|工作)(?!的)|"
    r"(?:那|有|有一)个(?:客户|顾客|项目|月|季度|同事|员工|新人|订单|用户)|有位|有一位|\d{4}年|"
    r"第[一二三四]季度|双十一|大促|旺季|凌晨|年底|月底|春节|国庆|那周|有个|有一个|"
    r"(?:做|在|接|负责)过?(?:一个|那个)|(?:我说|讲|说)(?:一个|一次)|举个例子|"
    r"(?:提|出|来|遇到|碰到|接到|发生|收到)了?(?:一个|个|一次|一起|一单|一名|一位|一家)(?![^，。]{0,3}率)|"
    r"(?:做|在|接)(?:一个|那个)[^，。]{1,14}(?:时|的时候|期间)|[\d一二三四五六七八九十]+月份?[\d一二三四五六七八九十]*[号日]?|"
    r"(?:晚上|早上|上午|下午|凌晨|中午|傍晚)(?:\d{1,2}|[一二三四五六七八九十两]{1,3})点|"
    r"(?<![\d一二三四五六七八九十百])(?:\d{1,2}点|[一二三四五六七八九十两]{1,3}点(?=多|半|钟|以后|之后|前|左右))"
    r"(?:多|半|钟)?(?![\d一二三四五六七八九十])|^(?:有家|有名|一位|一名)"
)
NAMES = re.compile(r"(?<![A-Za-z])[A-Za-z][A-Za-z0-9.+#-]{1,}(?![A-Za-z])")
NAMED_CASE = 2
_NOT_DONE = re.compile(r"没|不|比较")  # 没做过、比较随和: nothing done
POINT = re.compile(r"^第[一二三四五六七八九十\d]\s*(?:个|点|条)?\s*(?:就是|是|事)")
POINTS = 3  # points numbered: a view laid out, not a story told
STORY_ACTIONS = 2  # own actions told as done, without a general account: a story
# 去年一年签了…、三年里…、连续三个季度…: a period summed up, not an occasion
PERIOD = re.compile(
    r"(?:去年|今年|前年)(?:一|全|整)年(?:里|下来|内|中|来|的)?(?![级底初前后])|(?:全|整)年(?![级底初前后])|"
    r"一年(?:里|下来|内|中|来)|"
    r"[\d一二三四五六七八九十两几]+年(?:里|来|内|中|下来|间)|"
    r"[\d一二三四五六七八九十两几]+个(?:季度|月)(?:里|来|都)|连续[^，。]{1,4}(?:季度|个月|年)"
)
GENERAL = re.compile(
    r"累计|始终|(?<![\d一二三四五六七八九十百千少量])多(?:次|个|款|家)|每次|每年|每个月|历年|经常|从来|"
    r"总是|向来|各种|长期|常年|一共|总共|过很多|我都是|"
    r"平时|一般|通常|往往|曾(?!经)|历任|先后|连续|这几年|这些年|多年|几年来|"
    r"(?<![超经通越])过[\d一二三四五六七八九十百千]+多?[个起次项场家款单]|前前后后|大大小小|一直都|基本上都|"
    r"^(?:我|我们)?[\u4e00-\u9fff]{1,3}(?<![没不被])过的|"
    r"(?:[干做当待](?:了|过)?[^，。]{0,6}?|有)[\d一二三四五六七八九十两几]+年(?:多)?(?:了|吧)?$|"
    + PERIOD.pattern
)
# 以前每次都要…: how things were before the story changed them
BEFORE = re.compile(
    r"(?:以前|之前|原来|过去|本来|原先)[^，。]{0,4}(?:每次|经常|总是|一般|往往|通常)"
)
_WORDS = re.compile(r"[\w\u4e00-\u9fff]")
FILLER_CLAUSES = frozenset(
    ("就是", "然后", "那个", "这个", "对", "是吧", "好", "哦", "那", "所以", "其实")
)
_DONE_ALONE = re.compile(r"^(?:然后|接着|随后|于是|之后|先|再|马上|立刻|当场)|了")
_PARTICLES = re.compile(r"^[了过着的地得就也都还又再]+")
_OBJECT = re.compile(r"[\w\u4e00-\u9fff]")
OBJECT_CHARS = 12

METRIC = re.compile(
    r"率|额|量|数|成本|时间|时长|耗时|收入|利润|营业额|销售额|业绩|工单|投诉|客流|库存|订单|响应|效率|"
    r"返工|缺陷|故障|满意度|价格|预算|费用|金额|排名|评分|分数|单|客户|顾客|人|次|天|小时|分钟|毫秒|"
    r"损耗|损失|报损|毛利|退货|差评|好评|流失|积压|占比|比例|转化|复购|成交|停机|报警|不良|"
    r"秒|万|元|块|台|件|个|家|名|位|条|项|倍|点"
)
_UNIT_KINDS = frozenset({"amount", "duration", "count", "multiple"})
CHAIN_STEPS = (
    ("first", re.compile(r"先|首先|第一|一开始|起初")),
    ("next", re.compile(r"然后|接着|随后|之后|其次|第二|再|又")),
    ("because", re.compile(r"于是|所以|因此|发现|因为|这样")),
    ("end", re.compile(r"结果|最后|最终|后来|终于|之后")),
)
DIFFICULTY = re.compile(
    r"激动|生气|投诉|冲突|争执|吵|骂|紧急|压力|下滑|故障|隐患|风险|犹豫|拒绝|不满|质疑|延误|延期|"
    r"来不及|时间紧|只剩|下降|流失|事故|报错|卡住|不配合|反对|分歧|困难|难题|危机|挑战"
)
REUSABLE = re.compile(
    r"复盘|机制|规范|制度|标准作业|作业卡|模板|清单|检查表|点检|知识库|推广|固定(?:做法|流程)|沉淀|"
    r"培训材料|写成文档|整理成文档|流程(?:改|优化|固化)|标准回复|分享"
)


@dataclass(frozen=True)
class Clause:
    """One clause of the answer (``text`` verbatim) as the rules read it."""

    text: str
    reads: str  # what the rules read: the clause without fillers
    sentence: str  # the verbatim sentence the clause is in
    actor: str | None  # self, we, other, or None
    verb: str  # the action verb of a done action ("" when none)
    object: str  # what the action was done to, a few characters ("" when none)
    parts: frozenset[str]  # STAR parts
    habitual: bool  # a habit or a hypothesis (我一般会…, 如果…), not a story
    numbers: tuple[Quantity, ...]
    words: tuple[str, ...] = ()  # jieba's words of two characters or more

    @property
    def acts(self) -> bool:
        """A done action with an object (or a two-character verb told as a step: 然后跟他道歉,
        我们复盘了), by anybody."""
        if not self.verb:
            return False
        return bool(self.object) or (len(self.verb) >= 2 and bool(_DONE_ALONE.search(self.text)))

    @property
    def owned(self) -> bool:
        return self.acts and self.actor == "self"


@dataclass(frozen=True)
class Episode:
    clauses: tuple[Clause, ...]

    @cached_property
    def reads(self) -> str:
        """The whole answer as the rules read it (fillers dropped)."""
        return "\n".join(c.reads for c in self.clauses)

    @cached_property
    def own(self) -> tuple[Clause, ...]:
        """Done actions of the candidate (我)."""
        return tuple(c for c in self.clauses if c.owned and not c.habitual)

    @cached_property
    def shared(self) -> tuple[Clause, ...]:
        """Done actions of 我们 / 团队 / 大家."""
        return tuple(c for c in self.clauses if c.acts and c.actor == "we" and not c.habitual)

    @cached_property
    def habits(self) -> tuple[Clause, ...]:
        """Actions told as habits or hypotheses: what the candidate would do, not did."""
        return tuple(c for c in self.clauses if c.acts and c.habitual and c.actor != "other")

    def part(self, name: str) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if name in c.parts and not c.habitual)

    @cached_property
    def particular(self) -> tuple[str, ...]:
        """Clauses that place the answer at one occasion (有一次、去年、那天、当时…)."""
        return tuple(
            c.text
            for c in self.clauses
            if PARTICULAR.search(c.reads) and not PERIOD.search(c.reads)
        )

    @cached_property
    def acted(self) -> bool:
        """Actions of the candidate or the team, told as done (once or in general)."""
        return bool(self.own or self.shared)

    @cached_property
    def named(self) -> tuple[str, ...]:
        """Names of things (Nginx, pprof, K8s) something was done with: the marks of a real
        case. Names listed without an action (SOP、5S、TPM这些我都很熟) are a list."""
        found = (m.group() for c in self.clauses if c.acts for m in NAMES.finditer(c.reads))
        return tuple(dict.fromkeys(found))

    @cached_property
    def general(self) -> tuple[str, ...]:
        """Clauses of a general account of what was done or achieved: 我一直…、累计…、
        多次…、每次都… A general background (以前每次遇到…都要…) is the situation of a
        story, not an account instead of one."""
        return tuple(
            c.text for c in self.clauses if GENERAL.search(c.reads) and not BEFORE.search(c.reads)
        )

    @property
    def told(self) -> bool:
        """A story: something the candidate or their team did at one occasion (有一次、去年…),
        or actions with their result told without the words of a general account (一直、
        累计、多次…). Actions told as a general account are no episode."""
        if not self.acted:
            return False
        if self.particular or len(self.named) >= NAMED_CASE:
            return True
        if self.general or len(self.points) >= POINTS:
            return False
        # 我去道歉后给他们留了电话，承诺24小时到场，三个月后他们下了12台的单: several
        # things done and a figure, however short, are a story
        done = [c for c in self.own if c.object and not _NOT_DONE.match(c.verb)]
        figures = any(q.kind != "number" for c in self.clauses for q in c.numbers)
        return bool(self.results) or (len(done) >= STORY_ACTIONS and figures)

    @cached_property
    def points(self) -> tuple[str, ...]:
        """Clauses numbered as points of a view (第一是客户分层，第二是…): a list of what
        matters, not steps of what was done (第一步我先…、第二是我去现场…)."""
        return tuple(c.text for c in self.clauses if POINT.match(c.reads) and "我" not in c.reads)

    @cached_property
    def results(self) -> tuple[Clause, ...]:
        return self.part("result")

    @cached_property
    def tied_numbers(self) -> tuple[Quantity, ...]:
        """Numbers that say what they measure, in a sentence of the story."""
        story = {c.sentence for c in self.clauses if (c.acts or c.parts) and not c.habitual}
        return tuple(
            q
            for c in self.clauses
            if c.sentence in story and not c.habitual
            for q in c.numbers
            if _tied(q, c)
        )

    @cached_property
    def unmeasured(self) -> tuple[Quantity, ...]:
        """Claims of change (百分之五十、3倍) that do not say what they measure, story or not.
        Bare numbers (安卓7和8, H5) name things; they claim nothing."""
        return tuple(
            q
            for c in self.clauses
            for q in c.numbers
            if q.kind in ("percent", "multiple") and not _tied(q, c)
        )

    @cached_property
    def quantified_result(self) -> bool:
        """A result clause carrying a tied number."""
        return any(q in self.tied_numbers for c in self.results for q in c.numbers) or any(
            q.kind in ("percent", "multiple") for q in self.tied_numbers
        )

    @cached_property
    def chain(self) -> tuple[str, ...]:
        """The step markers of the actions and results, in the order told."""
        steps: list[str] = []
        for c in self.clauses:
            if not (c.acts or "result" in c.parts) or c.habitual:
                continue
            head = c.reads[:4]
            for name, marker in CHAIN_STEPS:
                if marker.search(head) and name not in steps:
                    steps.append(name)
                    break
        return tuple(steps)

    @cached_property
    def difficulty(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.clauses if DIFFICULTY.search(c.reads))

    @cached_property
    def reusable(self) -> tuple[str, ...]:
        """Improvements left behind by the candidate or the team (a rule, a checklist…)."""
        return tuple(
            c.text
            for c in self.clauses
            if (c.acts or "result" in c.parts) and c.actor in ("self", "we")
            and REUSABLE.search(c.reads)
        )  # fmt: skip

    @cached_property
    def level(self) -> float:
        """The general behavioural level 1..5 of the story told (see the module's docstring)."""
        if not self.told:
            return 1.8 if self.habits or self.acted else 1.3
        own = len(self.own)
        level = 2.0 + 0.3 * (own >= 1) + 0.2 * (own >= 2)
        if self.results:
            level += 0.5 + 0.2 * (own >= 3)
        level += 0.5 * self.quantified_result
        level += 0.1 * bool(self.part("situation")) + 0.1 * bool(self.part("task"))
        level += 0.1 * (len(self.chain) >= 2) + 0.1 * (len(self.chain) >= 3)
        level += 0.15 * bool(self.difficulty) + 0.35 * bool(self.reusable and self.results)
        if not own:
            level = min(level, 2.3)  # only 我们: the rating guidelines' ceiling is 2
        if not self.results:
            level = min(level, 2.7)  # actions without a result
        return round(min(level, 5.0), 2)


def read_episode(sentences: tuple[str, ...], *, spoken: bool = False) -> Episode:
    """Every clause of the answer with its actor, action, object, part and numbers.
    ``spoken``: a recogniser's transcript, whose pauses split a sentence (我就 | 到扶梯口去发
    传单): the candidate or the team stays the actor across them."""
    clauses: list[Clause] = []
    actor: str | None = None
    for sentence in sentences:
        habitual = _habitual(sentence)
        actor = actor if spoken and actor in ("self", "we") else None
        for piece in split_clauses(sentence):
            for text in _steps(piece):
                if not _WORDS.search(plain(text)) or text.strip() in FILLER_CLAUSES:
                    continue  # 嗯、就是、然后呢: fillers only
                clause = _clause(text, sentence, actor, habitual)
                clauses.append(clause)
                if clause.actor is not None and (clause.verb or clause.actor != "other"):
                    actor = clause.actor
    return Episode(tuple(clauses))


def _steps(clause: str) -> list[str]:
    """A clause cut before inner step markers (我先听他说完然后跟他道歉 → two actions)."""
    cuts = [m.start() for m in _SUB_STEP.finditer(clause) if m.start() >= 2]
    pieces, start = [], 0
    for cut in cuts:
        if cut - start >= 2:
            pieces.append(clause[start:cut])
            start = cut
    pieces.append(clause[start:])
    return [p for p in pieces if p.strip()]


def _habitual(sentence: str) -> bool:
    """A habit, a plan or a hypothesis (我一般会…, 我会多沟通, 如果…), not something done once."""
    text = plain(sentence)
    if HYPOTHETICAL.search(text):
        return True
    return bool(HABITUAL.search(text) or _MODAL_SENTENCE.search(text)) and not PAST.search(text)


def _clause(text: str, sentence: str, before: str | None, habitual: bool) -> Clause:
    reads = plain(text).strip()
    tokens = tuple(tokenizer().lcut(reads, HMM=False))
    actor, verb, obj = _action(reads, before, _word_starts(tokens))
    numbers = tuple(
        Quantity(m.group().strip(), m.lastgroup or "number", sentence)
        for m in QUANTITY_RE.finditer(reads)
        if m.lastgroup != "date"
    )
    return Clause(
        text=text.strip(),
        reads=reads,
        sentence=sentence,
        actor=actor,
        verb=verb,
        object=obj,
        parts=frozenset(clause_parts(reads)),
        habitual=habitual,
        numbers=numbers,
        words=tuple(w for w in tokens if len(w) > 1 and _WORDS.search(w)),
    )


def _action(
    reads: str, before: str | None, bounds: tuple[frozenset[int], frozenset[int]]
) -> tuple[str | None, str, str]:
    """(actor, verb, object) of a clause; the actor continues ``before`` after a step marker
    or when the clause names nobody."""
    subject = SUBJECT_RE.match(reads)
    if subject is not None:
        actor = _actor(subject.group("subject"))
        at = subject.end()
        rest = reads[at:]
        if _MODAL.match(rest) or _CLAIM.match(rest):
            return actor, "", ""
        lead = LEAD_RE.match(rest)
        at += lead.end() if lead else 0
        limit = PREPOSITION_GAP if _PREPOSITION.match(reads[at:]) else GAP
        verb = _verb(reads, at, bounds, limit) or _ba_verb(reads, at)
        if verb is None:
            return actor, "", ""
        return actor, _verb_text(verb), _object_of(verb, reads)
    if before is None:
        return None, "", ""
    lead = LEAD_RE.match(reads)
    at = lead.end() if lead else 0
    stepped = bool(_STEP.match(reads))
    limit = PREPOSITION_GAP if _PREPOSITION.match(reads[at:]) else STEP_GAP if stepped else 2
    verb = _verb(reads, at, bounds, limit) or _ba_verb(reads, at)
    if verb is None:
        return None, "", ""
    return before, _verb_text(verb), _object_of(verb, reads)


def _verb_text(match: re.Match[str]) -> str:
    return match.group("verb") if "verb" in match.re.groupindex else match.group()


def _object_of(verb: re.Match[str], reads: str) -> str:
    """What the action was done to: after the verb, or the object of 把 before it."""
    if "object" in verb.re.groupindex:
        return _object(verb.group("object"))
    return _object(reads[verb.end() :])


def _ba_verb(text: str, at: int) -> re.Match[str] | None:
    """The verb of 把/将 + object + verb + result (把两人分开、把参数抽到配置中心) when no
    listed verb is: the construction itself says something was done to the object."""
    return _BA_VERB.match(text, at)


def _word_starts(tokens: tuple[str, ...]) -> tuple[frozenset[int], frozenset[int]]:
    """Where jieba's words start and end: a verb is a word of its own or starts one and ends
    one (和测试同事 holds no 试, 设备科 no 设)."""
    starts, ends, at = set(), set(), 0
    for word in tokens:
        starts.add(at)
        at += len(word)
        ends.add(at)
    return frozenset(starts), frozenset(ends)


def _verb(
    text: str, at: int, bounds: tuple[frozenset[int], frozenset[int]], limit: int
) -> re.Match[str] | None:
    """The first action verb within ``limit`` characters after ``at`` that starts a word, is
    not a noun's part (测试同事) nor a trait (学习能力), with no opinion or plan before it."""
    block = _BA_GAP_BLOCK if _BA.match(text, at) else _GAP_BLOCK
    for match in VERB_RE.finditer(text, at):
        gap = text[at : match.start()]
        if block.search(gap):
            return None
        if match.start() - at > limit:
            break
        starts, ends = bounds
        after = text[match.end() :]
        whole = match.end() in ends or bool(_COMPLEMENT.match(after))
        starts_word = match.start() in starts or match.start() == at
        adverb = match.group() == "比较" and not _COMPARED.match(after)  # 比较喜欢: rather
        if starts_word and whole and not _NOT_VERB_NEXT.match(after) and not adverb:
            return match
    return _perfective(text, at, bounds[0])


def _perfective(text: str, at: int, starts: frozenset[int]) -> re.Match[str] | None:
    """Any word told as done (看了、刷了一周、卖了二十六支) when no listed verb is: the
    perfective 了 marks an action that happened, whatever the verb."""
    # 把官方文档里…的部分看了一遍: the 的 belongs to the object of 把, not to an opinion
    block = _BA_GAP_BLOCK if _BA.match(text, at) else _GAP_BLOCK
    for start in sorted(p for p in starts if p >= at):  # 部分看了: the word 看, not 分看
        match = _PERFECTIVE.match(text, start)
        if match is None:
            continue
        if block.search(text[at:start]):
            return None
        verb = match.group("verb")
        if verb not in _NOT_ACTIONS and not _NUMERAL.search(verb):
            return match
    return None


def _actor(subject: str) -> str:
    if re.fullmatch(_SELF, subject):
        return "self"
    if re.fullmatch(_WE, subject):
        return "we"
    return "other"


def _object(rest: str) -> str:
    """The few characters after the verb: what it was done to (particles dropped)."""
    text = _PARTICLES.sub("", rest).strip()
    return text[:OBJECT_CHARS] if len(_OBJECT.findall(text)) >= 2 else ""


def _tied(q: Quantity, c: Clause) -> bool:
    """Does the number say what it measures (a unit, or a measured thing before it)?"""
    if q.kind in _UNIT_KINDS:
        return True
    reads = c.reads
    at = reads.find(q.text)
    before = reads[max(at - 14, 0) : max(at, 0)]
    return bool(METRIC.search(before.replace("提升", "").replace("提高", ""))) or "从" in before
