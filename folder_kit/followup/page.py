"""`report --html`: the pipeline as one self-contained page, in the workspace's language.

Inline CSS and inline SVG charts, no script and nothing fetched from the
network, so the page opens offline and can be mailed to a manager. Rendered
with Jinja2 (autoescaped) from ``templates/report/report.html.j2``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from folder_kit.followup.rules import COURSE_SALES_SHARE, DISTRIBUTION_KEYS, Due, Finding, Report

MARKER = b'<meta name="generator" content="folder-kit report">'

LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Follow-up report",
        "as_of": "as of",
        "customers": "customers",
        "customer": "Customer",
        "events": "events",
        "grades": "Per grade",
        "grade": "Grade",
        "overdue": "Overdue",
        "due_this_week": "Due this week",
        "replied": "Replied within the cadence",
        "due": "Follow up now",
        "last_contact": "Last contact",
        "days_late": "Days late",
        "suggested_topic": "Topic to try",
        "none_due": "Nobody is due.",
        "open_quotes": "Open quotes without a reply",
        "sent": "Sent",
        "days": "Days",
        "file": "File",
        "none_open": "No quote is waiting for an answer.",
        "suggestions": "Suggested grade changes",
        "why": "Why",
        "none_suggested": "No grade change to suggest.",
        "findings": "Habits that hurt",
        "none_found": "No taboo broken.",
        "before_reply": "Follow-ups before the first reply",
        "before_order": "Follow-ups before the first order",
        "outs": "mails and calls before",
        "course": "The course: when sales close",
        "course_note": "80 % of sales come after the 4th follow-up; 80 % of salespeople "
        "give up after the 3rd.",
        "zero_note": "0 = they wrote first.",
        "A": "A trading",
        "B": "B negotiating",
        "C": "C potential",
        "D": "D industry",
        "P": "Prospects",
        "footer": "Made by folder-kit from the customer folders.",
        "more": "more",
    },
    "zh": {
        "title": "客户跟进报告",
        "as_of": "截至",
        "customers": "个客户",
        "customer": "客户",
        "events": "条记录",
        "grades": "各等级",
        "grade": "等级",
        "overdue": "已逾期",
        "due_this_week": "本周到期",
        "replied": "周期内有回复",
        "due": "现在该跟进",
        "last_contact": "上次联系",
        "days_late": "逾期天数",
        "suggested_topic": "可用话题",
        "none_due": "暂无需要跟进的客户。",
        "open_quotes": "报价未获回复",
        "sent": "发出",
        "days": "天数",
        "file": "文件",
        "none_open": "没有等待回复的报价。",
        "suggestions": "建议调整等级",
        "why": "理由",
        "none_suggested": "暂无等级调整建议。",
        "findings": "跟进禁忌",
        "none_found": "没有触犯禁忌。",
        "before_reply": "首次回复前的跟进次数",
        "before_order": "首次下单前的跟进次数",
        "outs": "此前跟进次数",
        "course": "课程数据：成交发生在",
        "course_note": "80% 的销售在第 4 次跟进之后成交；80% 的业务员在第 3 次跟进后就放弃了。",
        "zero_note": "0 = 客户先联系我们。",
        "A": "A 交易客户",
        "B": "B 在谈客户",
        "C": "C 潜力客户",
        "D": "D 行业客户",
        "P": "待开发客户",
        "footer": "由 folder-kit 根据客户文件夹生成。",
        "more": "更多",
    },
}
# The taboos by the names the course gives them, for the page's own language.
CODE_NAMES: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "too-direct": "太直接：只催下单",
        "repeated-topic": "重复同一话题",
        "blind-follow-up": "盲目跟进：没有理由",
        "gave-up": "三次没回就放弃",
        "too-short": "间隔太短",
        "too-long": "间隔太长",
        "single-medium": "联系方式单一",
        "evaporated": "报价后蒸发",
        "change-approach": "屡战屡败：换个方法",
        "suggest-grade": "建议调整等级",
    },
    "en": {
        "too-direct": "too direct",
        "repeated-topic": "the same thing twice",
        "blind-follow-up": "blind follow-up",
        "gave-up": "gave up too soon",
        "too-short": "interval too short",
        "too-long": "interval too long",
        "single-medium": "one medium only",
        "evaporated": "quote evaporated",
        "change-approach": "change the approach",
        "suggest-grade": "grade to change",
    },
}
# Each finding in Chinese, from its facts (Finding.data); English is its own text.
ZH_MESSAGES: Mapping[str, tuple[str, str]] = {
    "too-direct": (
        "{n} 次跟进只是催下单：{file}（{day}）里写着“{phrase}”",
        "给客户一个回复的理由：公司新闻、新价格、新产品、邀请。一味催单，客户只会沉默。",
    ),
    "repeated-topic": (
        "{day} 又是“{topic}”，和 {old_day}（{old_file}）一样，中间没有回复",
        "每次跟进都要有新理由：价格更新、新产品、公司动态、展会、来访邀请、节日问候、"
        "对上次内容的修正和补充。",
    ),
    "blind-follow-up": (
        "{n} 次跟进没有话题：{files}",
        "每次跟进都要找一个好理由，并写进标题：新价格、新产品、新闻、展会、来访、问候。",
    ),
    "gave-up": (
        "自 {since} 起跟进 {n} 次都没有回复，{last} 之后再没有跟进"
        "（{silent} 天，超过 {cadence} 天周期的 {percent}%）",
        "80% 的销售在第 4 次跟进之后成交，而 80% 的业务员在第 3 次之后就放弃了："
        "换个新话题再写，或者打个电话。",
    ),
    "too-short": (
        "{a} 和 {b} 的两次跟进只隔 {gap} 天，中间没有回复（不到 {cadence} 天周期的 {percent}%）",
        "两次跟进之间留出约 {cadence} 天：客户感到被催，就不再回复。",
    ),
    "too-long": (
        "自 {since} 起没有任何联系（{days} 天；{grade} 级客户的跟进周期是 {cadence} 天）",
        "现在就跟进，之后每 {cadence} 天一次：久不联系，就会被忘记。",
    ),
    "single-medium": (
        "自 {since} 起，最近 {n} 次跟进全用 {medium}",
        "换一种方式：打电话、寄样品、微信/WhatsApp、拜访；不回邮件的客户也许会接电话。",
    ),
    "evaporated": (
        "{day} 发出的 {kind}（{file}）已经 {age} 天没有回复",
        "按课程自检。主观原因：开发信写得对吗？产品合适吗（外形、结构、参数）？价格太高？"
        "客观原因：客户有稳定的供应商、地域偏见、采购忙或出差、邮件被当作垃圾邮件、"
        "客户在试探你。收集信息：客户调研、竞争对手调研、市场调研，再带着发现去跟进。",
    ),
    "change-approach": (
        "自 {since} 起跟进 {n} 次都没有回复",
        "换个方法，依次：换同事跟进（换同事）；{second}（换客人）；"
        "把客户介绍给合作公司（换公司）。",
    ),
    "suggest-grade": (
        "{basis}（{file}，{day}）：建议从 {source} 级调到 {target} 级",
        "把文件夹移到 {target} 级文件夹，或运行 `folder-kit customer move NAME --grade {target}`。",
    ),
}
ZH_BASIS = {
    "order": "有订单",
    "quote": "有报价",
    "pi": "有 PI",
    "in": "客户回复了",
    "out": "已首次联系",
}


def localize(finding: Finding, lang: str) -> tuple[str, str]:
    """A finding's message and remedy in ``lang``; its own English where there is
    no translation (or it lacks a fact)."""
    texts = ZH_MESSAGES.get(finding.code) if lang == "zh" else None
    if texts is None:
        return finding.message, finding.remedy
    data = dict(finding.data)
    if finding.code == "suggest-grade":
        data["basis"] = ZH_BASIS.get(str(data.get("basis")), data.get("basis"))
    if finding.code == "change-approach":
        others = data.get("others")
        data["second"] = (
            f"改写给 {others}（Contact.txt）"
            if others
            else "在这家公司另找一位采购，记进 Contact.txt"
        )
    try:
        return texts[0].format(**data), texts[1].format(**data)
    except (KeyError, IndexError):
        return finding.message, finding.remedy


COURSE_LABELS_ZH = (
    "首次联系",
    "第 1 次跟进后",
    "第 2 次跟进后",
    "第 3 次跟进后",
    "第 4–11 次跟进后",
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float  # percent of the chart's bar area
    text: str


def bars(items: Sequence[tuple[str, int]], *, suffix: str = "") -> list[Bar]:
    top = max((v for _, v in items), default=0) or 1
    return [Bar(label, v, 100 * v / top, f"{v}{suffix}") for label, v in items]


def render(
    report: Report,
    *,
    due: Sequence[Due],
    findings: Sequence[Finding],
    lang: str,
    workspace: str,
    limit: int = 50,
) -> str:
    """The page's HTML; at most ``limit`` rows per list, with how many more."""
    import jinja2

    from folder_kit.resources import read_template

    labels = LABELS.get(lang, LABELS["en"])
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(read_template("report", "report.html.j2"))
    course_names = (
        COURSE_LABELS_ZH if lang == "zh" else tuple(name for name, _ in COURSE_SALES_SHARE)
    )
    grade_rows = [(g, report.grades[g]) for g in ("A", "B", "C", "D", "P")]
    return template.render(
        lang=lang,
        t=labels,
        code_names=CODE_NAMES.get(lang, CODE_NAMES["en"]),
        localize=lambda f: localize(f, lang),
        marker=MARKER.decode(),
        workspace=workspace,
        report=report,
        grade_rows=grade_rows,
        grade_bars=bars([(labels[g], s.customers) for g, s in grade_rows]),
        overdue_bars=bars([(labels[g], s.overdue) for g, s in grade_rows]),
        due=due[:limit],
        due_more=max(0, len(due) - limit),
        findings=findings[:limit],
        findings_more=max(0, len(findings) - limit),
        quotes=report.open_quotes[:limit],
        quotes_more=max(0, len(report.open_quotes) - limit),
        suggestions=report.suggestions[:limit],
        suggestions_more=max(0, len(report.suggestions) - limit),
        reply_bars=bars([(k, report.follow_ups_before_reply[k]) for k in DISTRIBUTION_KEYS]),
        order_bars=bars([(k, report.follow_ups_before_order[k]) for k in DISTRIBUTION_KEYS]),
        course_bars=bars(
            [(n, share) for n, (_, share) in zip(course_names, COURSE_SALES_SHARE, strict=True)],
            suffix=" %",
        ),
    )
