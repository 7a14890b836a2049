"""`due`, `check` and `report` on the command line: tables, JSON, .ics, HTML, and mistakes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from collections.abc import Callable, Collection
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import click
import pytest
import vobject
from click.testing import CliRunner
from conftest import Invoke
from helpers import WINDOWS, assert_error, assert_ok, build_tree, needs_names, read_tree, run_cli

from folder_kit.cli import cli
from folder_kit.followup.rules import Due

B = "客户/B-在谈客户"
# A customer folder whose name HTML and .ics must escape. Windows forbids "<>" in
# names: there it is the folder `customer add "Cold <Co> & Sons"` makes.
COLD = "Cold _Co_ & Sons" if WINDOWS else "Cold <Co> & Sons"
TREE = {
    f"{B}/Late Co/Contact.txt": "公司: Late Co\n",
    f"{B}/Late Co/OUT/2026-11-01 price list.txt": "x",
    f"{B}/Late Co/OUT/2026-11-03 price list again.txt": "x",
    f"{B}/Late Co/OUT/2026-11-05 new product.txt": "x",
    f"{B}/Late Co/报价/QT-1 2026-11-01.pdf": "x",
    f"{B}/Soon Co/OUT/2026-11-28 catalogue.txt": "x",
    f"{B}/Soon Co/IN/2026-11-29 re catalogue.txt": "x",
    "客户/A-交易客户/Müller & Söhne GmbH/IN/2026-11-20 re price.txt": "x",
    "客户/A-交易客户/Müller & Söhne GmbH/OUT/2026-11-18 电话 new price.txt": "x",
    f"客户/待开发客户/{COLD}/OUT/2026-11-25 introduction.txt": "x",
}
TODAY = "2026-12-01"


@pytest.fixture
def ws(workspace: Path) -> Path:
    build_tree(workspace, TREE)
    return workspace


def test_due_table_and_json(invoke: Invoke, ws: Path) -> None:
    out = run_cli(invoke, ws, "due", "--today", TODAY)
    lines = out.splitlines()
    assert lines[0] == "Due now: 1 customer"
    assert lines[1].split() == ["customer", "grade", "last", "contact", "what", "due", "late"]
    assert lines[2].startswith("Late Co ")
    assert " out file: new product " in lines[2]  # what it was about: its name, cleaned
    assert lines[2].endswith("19 days late")
    assert len(lines) == 3  # Soon Co is due on 2026-12-06, Müller on 2026-12-04
    got = json.loads(run_cli(invoke, ws, "due", "--today", TODAY, "--within", "7", "--json"))
    assert [(d["customer"], d["grade"], d["due"], d["days_overdue"]) for d in got] == [
        ("Late Co", "B", "2026-11-12", 19),
        ("Müller & Söhne GmbH", "A", "2026-12-04", -3),
        ("Soon Co", "B", "2026-12-06", -5),
    ]
    assert {"customer", "grade", "last_contact", "due", "days_overdue"} <= set(got[0])
    assert got[1]["last_contact"] == "2026-11-20"


def test_due_ics_is_read_back_by_another_parser(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    ics = tmp_path / "followups.ics"
    run_cli(invoke, ws, "due", "--today", TODAY, "--within", "30", "--ics", str(ics))
    cal = vobject.readOne(ics.read_text(encoding="utf-8"))
    todos = cal.contents["vtodo"]
    by_summary = {t.summary.value: t for t in todos}
    assert set(by_summary) == {
        "Follow up Late Co (B)",
        "Follow up Müller & Söhne GmbH (A)",
        "Follow up Soon Co (B)",
        f"Follow up {COLD} (P)",
    }
    late = by_summary["Follow up Late Co (B)"]
    assert str(late.due.value) == "2026-11-12"
    description = late.description.value
    assert "Last contact: 2026-11-05 (out file product-update)" in description
    # What `draft` writes: no price list, nothing new in 产品/, the last two follow-ups
    # were a price and a product: complete the quotation.
    # Its last mail went out 26 days ago, over two 7-day cadences: no self-check of it.
    assert "Suggested topic: visit-invite" in description
    first = {t.summary.value: t.uid.value for t in todos}
    assert len(set(first.values())) == 4
    # Exporting again, later: the same UIDs, so a calendar updates instead of duplicating.
    run_cli(invoke, ws, "due", "--today", "2026-12-03", "--within", "30", "--ics", str(ics))
    again = vobject.readOne(ics.read_text(encoding="utf-8")).contents["vtodo"]
    assert {t.summary.value: t.uid.value for t in again} == first
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".folder-kit-")] == []


def test_due_ics_closes_the_to_do_of_a_customer_followed_up(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    """Left out of the next export, the to-do stayed open on the phone."""
    ics = tmp_path / "followups.ics"
    run_cli(invoke, ws, "due", "--today", TODAY, "--ics", str(ics))
    first = {t.summary.value: t for t in vobject.readOne(ics.read_text("utf-8")).contents["vtodo"]}
    assert first["Follow up Late Co (B)"].status.value == "NEEDS-ACTION"
    log = ("log", "Late", "--direction", "out", "--medium", "phone", "--date", TODAY)
    assert_ok(invoke("-w", str(ws), *log))
    run_cli(invoke, ws, "due", "--today", TODAY, "--ics", str(ics))
    todos = vobject.readOne(ics.read_text("utf-8")).contents["vtodo"]
    again = {t.summary.value: t for t in todos}
    assert set(again) == set(first)
    late = again["Follow up Late Co (B)"]
    assert late.uid.value == first["Follow up Late Co (B)"].uid.value
    assert late.status.value == "COMPLETED"
    assert late.percent_complete.value == "100" and late.completed.value is not None
    assert int(late.sequence.value) == 1
    others = [t for name, t in again.items() if name != "Follow up Late Co (B)"]
    assert all(t.status.value == "NEEDS-ACTION" for t in others)
    # Still closed in the export after that, so a phone that imports later closes it too.
    run_cli(invoke, ws, "due", "--today", TODAY, "--ics", str(ics))
    third = {t.summary.value: t for t in vobject.readOne(ics.read_text("utf-8")).contents["vtodo"]}
    assert third["Follow up Late Co (B)"].status.value == "COMPLETED"


def test_a_closed_to_do_is_reopened_when_due_again_and_dropped_in_the_end() -> None:
    from folder_kit.followup.ics import KEEP_DONE_DAYS, calendar

    day = dt.date(2026, 12, 1)
    stamp = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    late = Due("Late Co", "B", day - dt.timedelta(days=9), day - dt.timedelta(days=2), 2, 7)
    soon = Due("Soon Co", "A", day, day, 0, 14)

    def todos(data: bytes) -> dict[str, tuple[str, int]]:
        cal = vobject.readOne(data.decode("utf-8"))
        return {
            t.summary.value: (
                t.status.value,
                int(t.sequence.value) if hasattr(t, "sequence") else 0,
            )
            for t in cal.contents.get("vtodo", [])
        }

    one = calendar([late, soon], stamp=stamp)
    two = calendar([soon], stamp=stamp, last=one)
    assert todos(two) == {
        "Follow up Late Co (B)": ("COMPLETED", 1),
        "Follow up Soon Co (A)": ("NEEDS-ACTION", 0),
    }
    three = calendar([late, soon], stamp=stamp, last=two)
    assert todos(three)["Follow up Late Co (B)"] == ("NEEDS-ACTION", 2)
    later = stamp + dt.timedelta(days=KEEP_DONE_DAYS + 1)
    assert todos(calendar([soon], stamp=later, last=calendar([soon], stamp=stamp, last=one))) == {
        "Follow up Soon Co (A)": ("NEEDS-ACTION", 0)
    }
    assert todos(calendar([], stamp=stamp, last=b"not a calendar")) == {}


def test_an_export_never_replaces_a_file_folder_kit_did_not_write(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "notes.ics"
    mine.write_text("my own notes\n", encoding="utf-8")
    result = invoke("-w", str(ws), "due", "--today", TODAY, "--ics", str(mine))
    assert_error(
        result,
        f"Error: {mine} already exists; folder-kit replaces only a file it wrote itself; "
        "name another file",
    )
    assert mine.read_text(encoding="utf-8") == "my own notes\n"
    page = tmp_path / "page.html"
    page.write_text("<html>mine</html>", encoding="utf-8")
    assert_error(invoke("-w", str(ws), "report", "--today", TODAY, "--html", str(page)))
    assert page.read_text(encoding="utf-8") == "<html>mine</html>"
    missing = tmp_path / "nowhere" / "x.ics"
    assert_error(
        invoke("-w", str(ws), "due", "--ics", str(missing)),
        f"Error: cannot write {missing}: {missing.parent} is not a folder",
    )


@pytest.mark.parametrize(
    ("command", "option", "where"),
    [
        ("report", "--html", f"{B}/Soon Co/OUT/report.html"),
        ("due", "--ics", f"{B}/Soon Co/IN/followups.ics"),
        ("report", "--html", f"{B}/Soon Co/report.html"),
        ("due", "--ics", "客户/followups.ics"),
    ],
    ids=["html-in-OUT", "ics-in-IN", "html-in-a-customer", "ics-in-customers"],
)
def test_an_export_is_never_written_among_the_customers(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch, command: str, option: str, where: str
) -> None:
    """A report page saved into a customer's OUT/ was read as a follow-up by the next
    scan (and the one in IN/ as a reply): an export goes beside 客户/, not into it."""
    before = read_tree(ws)
    monkeypatch.chdir(ws / B / "Soon Co")  # a relative FILE, typed inside the folder
    target = os.path.relpath(ws / where)
    result = invoke("-w", str(ws), command, "--today", TODAY, option, target)
    name = Path(where).name
    assert_error(
        result,
        f"Error: {target} is inside 客户/, where every file may count as contact with a "
        f"customer; write it beside it, in the workspace folder: {ws / name}",
    )
    assert read_tree(ws) == before
    assert_ok(invoke("-w", str(ws), command, "--today", TODAY, option, str(ws / name)))


def test_check_one_customer_with_evidence(invoke: Invoke, ws: Path) -> None:
    got = json.loads(run_cli(invoke, ws, "check", "Late", "--today", TODAY, "--json"))
    assert [f["code"] for f in got] == ["repeated-topic", "gave-up", "too-short", "evaporated"]
    assert all(f["customer"] == "Late Co" for f in got)
    assert got[0]["evidence"] == [
        f"{B}/Late Co/OUT/2026-11-01 price list.txt",
        f"{B}/Late Co/OUT/2026-11-03 price list again.txt",
    ]
    out = run_cli(invoke, ws, "check", "Late", "--today", TODAY)
    assert out.splitlines()[0] == "Late Co"
    assert "  evaporated: the quote of 2026-11-01 (QT-1 2026-11-01.pdf) has had no answer" in out


def test_check_all_and_report_json(invoke: Invoke, ws: Path) -> None:
    got = json.loads(run_cli(invoke, ws, "check", "--today", TODAY, "--json"))
    assert {f["customer"] for f in got} == {"Late Co", COLD}
    assert {f["code"] for f in got if f["customer"] != "Late Co"} == {"suggest-grade"}
    report = json.loads(run_cli(invoke, ws, "report", "--today", TODAY, "--json"))
    assert report["today"] == TODAY
    assert report["grades"]["B"] == {"customers": 2, "overdue": 1, "due_this_week": 1, "replied": 1}
    assert report["open_quotes"] == [
        {
            "customer": "Late Co",
            "path": f"{B}/Late Co/报价/QT-1 2026-11-01.pdf",
            "date": "2026-11-01",
            "days": 30,
        }
    ]
    assert report["suggestions"] == [
        {
            "customer": COLD,
            "from": "P",
            "to": "D",
            "why": "first contact made (2026-11-25 introduction.txt, 2026-11-25)",
        }
    ]
    assert report["follow_ups_before_reply"] == {
        "0": 0,
        "1": 2,
        "2": 0,
        "3": 0,
        "4-11": 0,
        "12+": 0,
    }
    text = run_cli(invoke, ws, "report", "--today", TODAY)
    assert "█" in text and "80 %" in text


class Page(HTMLParser):
    """What a report page names and loads."""

    def __init__(self) -> None:
        super().__init__()
        self.customers: list[str] = []
        self.loads: list[tuple[str, str, str]] = []
        self.scripts = 0
        self.lang = ""
        self._in_customer = 0
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href", "xlink:href", "srcset", "data", "poster", "action"):
            if a.get(key):
                self.loads.append((tag, key, a[key] or ""))
        if tag == "link":
            self.loads.append((tag, "rel", a.get("rel") or ""))
        if "customer" in (a.get("class") or "").split():
            self._in_customer, self._text = 1, ""

    def handle_endtag(self, tag: str) -> None:
        if self._in_customer:
            self.customers.append(self._text)
            self._in_customer = 0

    def handle_data(self, data: str) -> None:
        if self._in_customer:
            self._text += data


def test_report_html_is_one_self_contained_page(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = invoke("-w", str(ws), "report", "--today", TODAY, "--html", str(page))
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    parsed = Page()
    parsed.feed(html)
    known = {"Late Co", "Soon Co", "Müller & Söhne GmbH", COLD}
    assert parsed.customers, "the page names no customer"
    assert set(parsed.customers) <= known
    assert COLD in parsed.customers  # escaped, and read back whole
    assert parsed.scripts == 0
    assert parsed.loads == []  # no stylesheet, font, image or link to fetch
    assert "url(" not in html and "@import" not in html
    assert parsed.lang == "zh"
    assert "客户跟进报告" in html
    assert "报价后蒸发" in html  # Late Co's quote, the taboo by the course's name
    assert html.count("<svg") >= 5
    # Again: the page it wrote is replaced.
    assert_ok(invoke("-w", str(ws), "report", "--today", TODAY, "--html", str(page)))


def test_report_html_in_english_for_an_english_workspace(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "en"
    assert_ok(invoke("init", str(root), "--lang", "en"))
    build_tree(root, {"Customers/B-Negotiating/Rossi/OUT/2026-11-01 price list.txt": "x"})
    page = tmp_path / "en.html"
    assert_ok(invoke("-w", str(root), "report", "--today", TODAY, "--html", str(page)))
    html = page.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Follow-up report" in html


def test_report_html_names_chinese_fonts_after_the_latin_ones(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    """Chinese customers' names render wherever the page is opened: a face of each
    system's for Chinese, after the Latin faces (whose Latin letters read better)."""
    page = tmp_path / "report.html"
    assert_ok(invoke("-w", str(ws), "report", "--today", TODAY, "--html", str(page)))
    html = page.read_text(encoding="utf-8")
    found = re.search(r"body \{[^}]*font: [^ ]+ ([^;]+);", html)
    assert found is not None
    faces = [f.strip().strip('"') for f in found.group(1).split(",")]
    assert faces[-1] == "sans-serif"
    cjk = ["PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
           "Source Han Sans SC"]  # fmt: skip
    assert set(cjk) <= set(faces)
    first_cjk = min(faces.index(f) for f in cjk)
    assert all(faces.index(f) < first_cjk for f in ("Segoe UI", "Roboto", "Arial"))


@pytest.mark.parametrize("command", ["due", "check", "report"])
def test_a_broken_today(invoke: Invoke, ws: Path, command: str) -> None:
    result = invoke("-w", str(ws), command, "--today", "2026-02-30")
    assert_error(result, "Error: not a date: '2026-02-30' (expected YYYY-MM-DD)")


def test_an_unknown_customer(invoke: Invoke, ws: Path) -> None:
    result = invoke("-w", str(ws), "check", "Sooon", "--today", TODAY)
    assert_error(result, "Error: no customer 'Sooon'; closest: Soon Co")


def test_check_by_company_name_reads_no_contact_txt(
    invoke: Invoke, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from folder_kit.timeline import reader
    from folder_kit.workspace import contact, customers

    (ws / B / "Soon Co" / "Contact.txt").write_text("公司: Soon Trading Ltd\n", encoding="utf-8")
    for card in ws.glob("客户/*/*/Contact.txt"):  # not just written: a scan need not read it again
        os.utime(card, (1_700_000_000, 1_700_000_000))
    run_cli(invoke, ws, "check", "--today", TODAY)  # the index knows the company names now
    read: list[str] = []
    for module in (contact, customers, reader):
        real = module.read_card

        def spy(path: str | Path, real: Callable[..., Any] = real) -> Any:
            read.append(str(path))
            return real(path)

        monkeypatch.setattr(module, "read_card", spy)
    out = run_cli(invoke, ws, "check", "Soon Trading Ltd", "--today", TODAY)
    assert out == "Nothing to report for Soon Trading Ltd: no taboo broken.\n"  # found, no findings
    assert read == []


@pytest.mark.parametrize("name", ["", "  ", "\t"])
def test_check_refuses_a_blank_name_as_timeline_does(invoke: Invoke, ws: Path, name: str) -> None:
    expected = (
        "Error: NAME is empty: give the customer's name as `customer list` shows it, "
        "or . inside its folder"
    )
    assert_error(invoke("-w", str(ws), "timeline", name), expected)
    assert_error(invoke("-w", str(ws), "check", name, "--today", TODAY), expected)


@pytest.mark.parametrize("command", ["due", "check", "report"])
def test_a_workspace_with_no_events(invoke: Invoke, workspace: Path, command: str) -> None:
    before = read_tree(workspace)
    out = run_cli(invoke, workspace, command, "--today", TODAY)
    assert out == (
        "No contact events yet: save the mail you send into a customer's OUT folder and "
        "the replies into IN (or record a call with `folder-kit log`), then run this again.\n"
    )
    assert read_tree(workspace) == before


def test_the_ladder_names_another_contact_from_contact_txt(invoke: Invoke, workspace: Path) -> None:
    days = ["06-01", "06-15", "06-29", "07-13", "07-27", "08-10"]
    days += ["08-24", "09-07", "09-21", "10-05", "11-25"]
    topics = ["price list", "new product", "company news", "fair", "christmas", "catalogue"]
    media = ["", "电话 ", "WeChat ", "DHL "]
    tree = {
        f"{B}/Rossi/Contact.txt": "Company: Rossi Srl\nName: Marco Rossi\n---\nName: Giulia Bianchi\n",
        **{
            f"{B}/Rossi/OUT/2026-{d} {media[i % 4]}{topics[i % 6]}.txt": "x"
            for i, d in enumerate(days)
        },
    }
    build_tree(workspace, tree)
    got = json.loads(run_cli(invoke, workspace, "check", "Rossi", "--today", TODAY, "--json"))
    ladder = [f for f in got if f["code"] == "change-approach"]
    assert len(ladder) == 1
    assert "write to Giulia Bianchi instead (Contact.txt) (换客人)" in ladder[0]["remedy"]


def test_taboo_thresholds_in_folder_kit_yaml(invoke: Invoke, ws: Path) -> None:
    config = ws / "folder-kit.yaml"
    text = config.read_text(encoding="utf-8")
    assert "too_short: 50" in text and "evaporated_after: 100 " in text  # the template's
    text = text.replace("too_short: 50", "too_short: 10")
    config.write_text(text.replace("evaporated_after: 100 ", "evaporated_after: 1000 "), "utf-8")
    got = json.loads(run_cli(invoke, ws, "check", "Late", "--today", TODAY, "--json"))
    assert [f["code"] for f in got] == ["repeated-topic", "gave-up"]
    config.write_text("taboos:\n  too_long: many\n", encoding="utf-8")
    result = invoke("-w", str(ws), "check", "--today", TODAY)
    assert_error(
        result,
        f"Error: {config}:2: taboos.too_long: expected a whole number, got 'many'",
    )


def test_colour_only_on_a_terminal(runner: CliRunner, ws: Path) -> None:
    args = ["-w", str(ws), "due", "--today", TODAY]
    plain = runner.invoke(cli, args, prog_name="folder-kit")
    assert "\x1b[" not in plain.stdout
    coloured = runner.invoke(cli, args, prog_name="folder-kit", color=True)
    assert "\x1b[31m\x1b[1m19 days late\x1b[0m" in coloured.stdout
    # the escape codes come last on the line: the columns stay aligned
    assert click.unstyle(coloured.stdout) == plain.stdout


def test_report_from_aggregates_matches_the_rules_on_whole_timelines(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report` asks SQL for a few facts per customer; the pure rules read every
    event. On a varied tree (moves, same-day replies with times, answered and open
    quotes, orders, prospects, events after the day judged) both must agree. The
    event rows fetched are those of the customers moved, not everyone's."""
    import datetime as dt

    from folder_kit.followup import pipeline
    from folder_kit.followup.rules import build_report
    from folder_kit.timeline.events import fresh_index
    from folder_kit.timeline.index import Index
    from folder_kit.workspace.customers import move_customer, resolve_customer
    from folder_kit.workspace.find import open_workspace

    def mail(day: str, time: str, subject: str) -> str:
        return f"Subject: {subject}\nDate: {day} {time} +0800\n\nx\n"

    tree: dict[str, str] = dict(TREE)
    tree.update(
        {
            # an inquiry at 9:00 answered by a quote at 15:00: the quote stays open
            f"{B}/Same Day/IN/inquiry.eml": mail("20 Nov 2026", "09:00:00", "RFQ lights"),
            f"{B}/Same Day/OUT/quote.eml": mail("20 Nov 2026", "15:00:00", "Quotation QT-9"),
            f"{B}/Same Day/报价/QT-9 2026-11-20.pdf": "x",
            # a reply the day of the quote, no times: answered
            f"{B}/Answered/报价/QT-8 2026-11-10.pdf": "x",
            f"{B}/Answered/IN/2026-11-10 re quote.txt": "x",
            f"{B}/Answered/OUT/2026-11-02 first contact.txt": "x",
            # ordered after three follow-ups
            "客户/A-交易客户/Buyer/OUT/2026-09-01 introduction.txt": "x",
            "客户/A-交易客户/Buyer/OUT/2026-09-08 price list.txt": "x",
            "客户/A-交易客户/Buyer/OUT/2026-09-08 DHL samples.txt": "x",
            "客户/A-交易客户/Buyer/OUT/2026-09-20 new product.txt": "x",
            "客户/A-交易客户/Buyer/IN/2026-09-22 re new product.txt": "x",
            "客户/A-交易客户/Buyer/定单/PO 2026-10-01.pdf": "x",
            "客户/A-交易客户/Buyer/PI/PI 2026-10-02.pdf": "x",
            # a D that answered, to be moved to C (then earns nothing new), and a C moved
            # down from B after a quote: the move is newer than the quote
            "客户/D-行业客户/Answering/OUT/2026-10-01 introduction.txt": "x",
            "客户/D-行业客户/Answering/IN/2026-10-05 re introduction.txt": "x",
            "客户/B-在谈客户/Cooling/报价/QT-7 2026-08-01.pdf": "x",
            "客户/B-在谈客户/Cooling/OUT/2026-08-01 quotation.txt": "x",
            "客户/待开发客户/Untouched/Contact.txt": "公司: Untouched\n",
            "客户/C-潜力客户/Future/OUT/2026-12-20 fair.txt": "x",
        }
    )
    build_tree(workspace, tree)
    ws = open_workspace(workspace)
    with fresh_index(ws):
        pass  # brought up to date before the moves below
    move_customer(ws, resolve_customer(ws, "Cooling"), grade="C")
    move_customer(ws, resolve_customer(ws, "Answering"), grade="C")
    asked: list[list[str] | None] = []
    contact_rows = Index.contact_rows

    def spy(self: Index, *, until: str, customers: Collection[str] | None = None) -> Any:
        asked.append(None if customers is None else sorted(customers))
        return contact_rows(self, until=until, customers=customers)

    for today in (dt.date(2026, 12, 1), dt.date(2026, 11, 15), dt.date(2027, 1, 31)):
        asked.clear()
        with monkeypatch.context() as m:
            m.setattr(Index, "contact_rows", spy)
            got = pipeline.report(ws, today=today)
        moved_by_then = [] if today < dt.date.today() else [["Answering", "Cooling"]]
        assert asked == moved_by_then, today
        with Index.open(ws.root) as index:
            timelines = pipeline._timelines(ws, index, today=today)
        want = build_report(timelines, today=today, cadence=ws.config.cadence)
        assert got.as_json() == want.as_json(), today
        assert got.events == want.events
    assert got.open_quotes and got.suggestions  # the tree exercises both


@needs_names("Evil\x1b[2J Co")
def test_names_cannot_send_escape_sequences(invoke: Invoke, workspace: Path) -> None:
    evil = "Evil\x1b[2J Co"
    build_tree(workspace, {f"{B}/{evil}/OUT/2026-10-01 hello\x1b[31m.txt": "x"})
    for command in ("due", "check"):
        out = run_cli(invoke, workspace, command, "--today", TODAY)
        assert "\x1b" not in out, command
        assert "Evil\\x1b[2J Co" in out
    rows = json.loads(run_cli(invoke, workspace, "check", "--today", TODAY, "--json"))
    assert {r["customer"] for r in rows} == {evil}


def test_every_topic_a_to_do_can_suggest_is_put_in_words() -> None:
    from folder_kit.followup.ics import TOPIC_WORDS
    from folder_kit.terms import DRAFT_TOPICS

    assert set(TOPIC_WORDS) == set(DRAFT_TOPICS)


def test_a_dormant_customers_to_do_says_so() -> None:
    from folder_kit.followup.ics import describe

    item = Due(
        customer="Charlie Ltd",
        grade="C",
        last_contact=dt.date(2024, 3, 1),
        due=dt.date(2024, 3, 22),
        days_overdue=984,
        cadence=21,
        last_kind="in",
        last_medium="email",
        suggested_topic="reply",
        dormant=True,
    )
    text = describe(item)
    assert "Dormant: silent for many cadences. Revive, or move down a grade." in text
    assert "Suggested topic: reply (an answer to their mail)." in text
    assert "Dormant" not in describe(dataclasses.replace(item, dormant=False))
