"""One topic chooser (issue 17): what `due`, `due --ics` and `report --html` suggest
is what `draft` writes that day, for every customer, with the same reason.

`draft` finds its facts in a customer's events, `due` in the index's aggregates;
both hand them to ``followup.topics``. These tests hold the two paths together
on the sample workspace and on a tree of varied customers, on several days.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke
from helpers import A, B, C, D, P, assert_ok, build_tree, record_calls, set_times

from folder_kit.drafts.draft import prepare_draft
from folder_kit.followup.page import LABELS
from folder_kit.followup.pipeline import due
from folder_kit.timeline.events import fresh_index, indexed_customers, load_events
from folder_kit.workspace.find import open_workspace

CONFIG = """\
lang: zh
me: {name: Li Lei, title: Sales Manager, company: Example Co, email: li@example.cn}
exhibitions:
  - {name: Light + Building, city: Frankfurt, start: 2027-03-10, end: 2027-03-14, booth: 8.0 G12}
"""
PRICE_LIST = "产品/价格信息/2026-11-10 Price List 2027.xlsx"
OLD = 1_750_000_000  # June 2025: a file's time, long before any day judged


def mail(subject: str, date: str) -> str:
    return (
        f"From: li@example.cn\nTo: buyer@example.com\nSubject: {subject}\nDate: {date}\n\nHello\n"
    )


# Customers as a salesperson's tree has them: silent ones, ones a price list is news
# to and ones it is not, no card (no country), a holiday of their own coming, a
# quotation to complete, two follow-ups on one day, a prospect written to.
TREE: dict[str, str] = {
    "folder-kit.yaml": CONFIG,
    "产品/认证证书/CE Certificate 2026-11-28.pdf": "x",
    "产品/公司介绍/Company Profile 2025-01-01.pdf": "x",
    f"{B}/Silent Co/Contact.txt": "Company: Silent Co\nCountry: DE\nName: Anna\nEmail: a@silent.de\n",
    f"{B}/Silent Co/OUT/2026-09-01 Introduction.eml": mail(
        "Introduction - LED high bays", "Tue, 01 Sep 2026 10:00:00 +0800"
    ),
    f"{B}/Silent Co/OUT/2026-09-20 电话 new price.txt": "x",
    f"{B}/Silent Co/OUT/2026-10-10 catalogue.txt": "x",
    f"{C}/Never Co/Contact.txt": "Company: Never Co\nCountry: US\nEmail: b@never.com\n",
    f"{B}/Priced Co/Contact.txt": "Company: Priced Co\nCountry: FR\nEmail: c@priced.fr\n",
    f"{B}/Priced Co/OUT/2026-11-20 price list.txt": "x",
    f"{B}/Priced Co/OUT/2026-11-25 价格表.txt": "x",
    f"{A}/Fresh Co/Contact.txt": "Company: Fresh Co\nCountry: JP\nEmail: d@fresh.jp\n",
    f"{A}/Fresh Co/OUT/2026-10-01 Order follow-up.eml": mail(
        "Your order 4711 - shipping schedule", "Thu, 01 Oct 2026 09:00:00 +0800"
    ),
    f"{A}/Fresh Co/IN/2026-10-05 re order.txt": "x",
    f"{D}/NoCard Co/OUT/2026-10-20 newsletter.txt": "x",
    f"{B}/Quoted Co/Contact.txt": "Company: Quoted Co\nCountry: AE\nEmail: e@quoted.ae\n",
    f"{B}/Quoted Co/报价/2026-11-29 QT-9.pdf": "x",
    f"{B}/Quoted Co/OUT/2026-11-29 DHL samples.txt": "x",
    f"{C}/Same Day Co/Contact.txt": "Company: Same Day Co\nCountry: United States\n",
    f"{C}/Same Day Co/OUT/2026-11-02 catalogue.txt": "x",
    f"{C}/Same Day Co/OUT/2026-11-02 new price.txt": "x",
    f"{C}/Same Day Co/OUT/2026-11-02 company news\u2028line 2.txt": "x",  # a line break
    f"{P}/Written Prospect/Contact.txt": "Company: Written Prospect\nCountry: SE\n",
    f"{P}/Written Prospect/OUT/2026-11-20 Introduction.eml": mail(
        "Introduction - Example Co", "Fri, 20 Nov 2026 08:00:00 +0800"
    ),
    f"{P}/Cold Prospect/Contact.txt": "Company: Cold Prospect\nCountry: SE\n",
    f"{B}/上海恒瑞/Contact.txt": "公司: 上海恒瑞\n国家: 中国\n邮箱: f@hengrui.cn\n",
    f"{B}/上海恒瑞/OUT/2026-11-03 报价跟进.eml": mail(
        "关于报价的补充说明", "Tue, 03 Nov 2026 15:00:00 +0800"
    ),
}
# Everyone with a due date: a prospect never written to has none.
LISTED = {
    "Silent Co",
    "Never Co",
    "Priced Co",
    "Fresh Co",
    "NoCard Co",
    "Quoted Co",
    "Same Day Co",
    "Written Prospect",
    "上海恒瑞",
}
# The fair 99 days ahead (too early to invite); then 85 days ahead, and Christmas in
# 10 days (US); then New Year in 12 days (no card), Christmas in 5.
DAYS = ("2026-12-01", "2026-12-15", "2026-12-20")


def drafted(root: Path, today: dt.date) -> dict[str, tuple[str, str]]:
    """The topic and reason `draft NAME` would write for each customer, without writing."""
    ws = open_workspace(root)
    now = dt.datetime.combine(today, dt.time(9), dt.UTC)
    out = {}
    with fresh_index(ws) as index:
        for c in indexed_customers(ws, index):
            events = load_events(ws, index, customer=c.key)
            r = prepare_draft(ws, index, c, events, today=today, now=now).result
            out[c.name] = (r.topic, r.reason)
    return out


def ics_topics(path: Path) -> dict[str, str | None]:
    import icalendar

    cal = icalendar.Calendar.from_ical(path.read_bytes())
    out: dict[str, str | None] = {}
    for todo in cal.walk("VTODO"):
        name = re.fullmatch(r"Follow up (.*) \([A-DP]\)", str(todo["summary"]))
        assert name is not None
        topic = re.search(r"^Suggested topic: ([a-z-]+) \(", str(todo["description"]), re.M)
        out[name[1]] = topic[1] if topic else None
    return out


def page_topics(page: str, lang: str) -> dict[str, str | None]:
    """The topic of each row of the page's due list."""
    labels = LABELS[lang]
    section = page.split(f"<h2>{html.escape(labels['due'])}</h2>", 1)[1].split("<h2>", 1)[0]
    label = html.escape(labels["suggested_topic"])
    out: dict[str, str | None] = {}
    for name, row in re.findall(r'<tr><td class="customer">(.*?)</td>(.*?)</tr>', section):
        topic = re.search(rf"{re.escape(label)}: ([a-z-]+)</div>", row)
        out[html.unescape(name)] = topic[1] if topic else None
    return out


def assert_one_topic(invoke: Invoke, root: Path, tmp_path: Path, today: str) -> dict[str, Any]:
    """Every suggestion of `due --json`, `due --ics` and `report --html` is the topic
    `draft` writes that day; the library's `due` gives its reason too."""
    want = drafted(root, dt.date.fromisoformat(today))
    w, at = ("-w", str(root)), ("--today", today)
    listed = invoke(*w, "due", *at, "--within", "400", "--json")
    assert_ok(listed)
    suggested = {d["customer"]: d["suggested_topic"] for d in json.loads(listed.stdout)}
    assert suggested == {name: want[name][0] for name in suggested}
    ics = tmp_path / f"due {today}.ics"
    assert_ok(invoke(*w, "due", *at, "--within", "400", "--ics", str(ics)))
    assert ics_topics(ics) == suggested
    page = tmp_path / f"report {today}.html"
    assert_ok(invoke(*w, "report", *at, "--html", str(page)))
    shown = page_topics(page.read_text(encoding="utf-8"), open_workspace(root).config.lang)
    assert shown == {name: want[name][0] for name in shown}
    items = due(open_workspace(root), today=dt.date.fromisoformat(today), within=400)
    assert {d.customer: (d.suggested_topic, d.suggested_reason) for d in items} == {
        d.customer: want[d.customer] for d in items
    }
    return {"suggested": suggested, "page": shown, "drafted": want}


@pytest.mark.parametrize("today", ["2026-12-01", "2026-12-15"])
def test_the_sample_workspace_suggests_what_draft_writes(
    invoke: Invoke, sample_copy: Path, tmp_path: Path, today: str
) -> None:
    seen = assert_one_topic(invoke, sample_copy, tmp_path, today)
    assert len(seen["suggested"]) >= 10 and seen["page"]


@pytest.mark.parametrize("price_list", [True, False], ids=["price-list", "no-price-list"])
@pytest.mark.parametrize("today", DAYS)
def test_varied_customers_are_suggested_what_draft_writes(
    invoke: Invoke, workspace: Path, tmp_path: Path, today: str, price_list: bool
) -> None:
    build_tree(workspace, {**TREE, **({PRICE_LIST: "x"} if price_list else {})})
    seen = assert_one_topic(invoke, workspace, tmp_path, today)
    assert set(seen["suggested"]) == LISTED
    topics = set(seen["suggested"].values())
    # The tree reaches the choices it was built for.
    if today == "2026-12-01":
        assert {"self-check", "product-update"} <= topics
        assert ("price-update" in topics) == price_list
    if today == "2026-12-15":
        assert seen["suggested"]["Never Co"] == "holiday-greeting"
        assert "exhibition-invite" in topics
    if today == "2026-12-20":
        assert seen["suggested"]["NoCard Co"] == "holiday-greeting"


def test_no_price_list_no_price_update(invoke: Invoke, workspace: Path) -> None:
    """The issue's mailbox: no price list anywhere, and `due` suggested price-update
    to everyone, while `draft` wrote a self-check."""
    build_tree(workspace, TREE)
    args = ("-w", str(workspace), "due", "--today", "2026-12-01", "--within", "400", "--json")
    got = json.loads(invoke(*args).stdout)
    assert got and "price-update" not in {d["suggested_topic"] for d in got}
    # Silent since 10 October (52 days, over three 7-day cadences): a revival, not a
    # self-check of a mail of long ago (its last two follow-ups were about prices
    # and products, so the company's news).
    silent = {d["customer"]: d for d in got}["Silent Co"]
    assert silent["suggested_topic"] == "company-news"


def test_due_reads_no_card_and_the_product_folders_once(
    invoke: Invoke, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The topic's facts cost `due` no file read per customer: the country comes
    from the index, the 产品/ files are listed once for the command."""
    from folder_kit.followup import products
    from folder_kit.timeline import reader
    from folder_kit.workspace import contact

    build_tree(workspace, {**TREE, PRICE_LIST: "x"})
    for path in workspace.rglob("*"):
        # Not re-read as "maybe still being written"; a mail saved after its Date
        # (one saved before it was dated by a wrong clock).
        set_times(path, time.time() - 60 if path.suffix == ".eml" else OLD)
    assert_ok(invoke("-w", str(workspace), "scan"))

    def no_card(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Contact.txt read by `due`")

    monkeypatch.setattr(contact, "read_card", no_card)
    monkeypatch.setattr(reader, "read_card", no_card)
    listed = record_calls(monkeypatch, products, "product_files", lambda ws, key: key)
    result = invoke(
        "-w", str(workspace), "due", "--today", "2026-12-15", "--within", "400", "--json"
    )
    assert_ok(result)
    assert sorted(listed) == sorted(products.PRODUCT_KEYS)
    got = {d["customer"]: d["suggested_topic"] for d in json.loads(result.stdout)}
    assert got["Never Co"] == "holiday-greeting"  # its country, from the index


def test_a_card_edit_changes_the_country_due_knows(invoke: Invoke, workspace: Path) -> None:
    build_tree(workspace, TREE)
    args = ("-w", str(workspace), "due", "--today", "2026-12-15", "--within", "400", "--json")

    def never_co() -> str:
        got = json.loads(invoke(*args).stdout)
        return str(next(d["suggested_topic"] for d in got if d["customer"] == "Never Co"))

    assert never_co() == "holiday-greeting"  # Christmas in the US
    card = workspace / C / "Never Co" / "Contact.txt"
    card.write_text("Company: Never Co\nCountry: China\nEmail: b@never.com\n", encoding="utf-8")
    set_times(card, OLD)
    assert never_co() == "exhibition-invite"  # nothing to greet in China in 3-14 days
