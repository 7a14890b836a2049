"""Lists that put first things first, on a tree of real-looking mail: `due` keeps
"due now" to those a salesperson can act on, by grade then lateness, with the
last subject cleaned; the long-silent go into a dormant list of their own (text,
JSON and the HTML page); `check` ends with a summary and puts the worst first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import A, B, C, D, P, build_tree, run_cli

TODAY = "2026-12-01"


def mail(subject: str, date: str, sender: str = "lilei@example.cn") -> str:
    return (
        f"From: {sender}\r\nTo: buyer@example.com\r\nSubject: {subject}\r\n"
        f"Date: {date}\r\nMessage-ID: <{abs(hash((subject, date)))}@example.cn>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
    )


TREE = {
    # A, due two days ago: their reply, through a list, in two languages.
    f"{A}/Alpha Trading/Contact.txt": (
        "Company: Alpha Trading Co\nName: Rob Kossler\nEmail: rob.kossler@alpha.example\n"
        "---\nName: Jane Roe\nEmail: jane@alpha.example, purchasing@alpha.example\n"
    ),
    f"{A}/Alpha Trading/OUT/2026-11-10 Price list 2027.eml": mail(
        "Price list 2027", "Tue, 10 Nov 2026 09:00:00 +0800"
    ),
    f"{A}/Alpha Trading/IN/Re price list.eml": mail(
        "[Lighting-list] Re: 答复: RE: Price list 2027",
        "Sun, 15 Nov 2026 10:00:00 +0100",
        "rob.kossler@alpha.example",
    ),
    # B, due two days ago, and B due today: the most urgent grade.
    f"{B}/Beta GmbH/OUT/2026-11-22 Angebot.eml": mail(
        "AW: WG: Angebot LED-Panels", "Sun, 22 Nov 2026 09:00:00 +0100"
    ),
    f"{B}/Bravo Srl/OUT/2026-11-24 offerta.eml": mail(
        "Rif: R: Offerta lampade", "Tue, 24 Nov 2026 09:00:00 +0100"
    ),
    # C silent since March 2024, D since 2019: dormant.
    f"{C}/Charlie Ltd/OUT/2024-03-01 catalogue.txt": "x",
    f"{D}/Delta Inc/Contact.txt": "Company: Delta Inc\nEmail: support@nd.edu\n",
    f"{D}/Delta Inc/IN/2019-05-05 External LO.eml": mail(
        "[USRP-users] Re: 答复: Re: 答复: 答复: How to use External LO on N310 device?",
        "Sun, 5 May 2019 10:00:00 -0400",
        "support@nd.edu",
    ),
    f"{D}/Echo Research/Contact.txt": "Company: Echo Research\nEmail: lab@nd.edu\n",
    f"{D}/Echo Research/OUT/2026-11-20 samples.txt": "x",
    # A prospect who wrote first and was never answered: not due.
    f"{P}/Foxtrot LLC/IN/2026-11-28 inquiry.txt": "x",
}


@pytest.fixture
def ws(workspace: Path) -> Path:
    build_tree(workspace, TREE)
    return workspace


def sections(text: str) -> dict[str, list[str]]:
    """The customer column of each list `due` prints, by its title."""
    out: dict[str, list[str]] = {}
    title = ""
    for line in text.splitlines():
        if line.startswith(("Due now", "Dormant")):
            title = line.split(":")[0]
            out[title] = []
        elif line and not line.startswith(("customer ", "(")):
            out[title].append(line.split("  ")[0])
    return out


def test_due_now_by_grade_then_lateness_and_the_dormant_apart(invoke: Invoke, ws: Path) -> None:
    text = run_cli(invoke, ws, "due", "--today", TODAY)
    assert sections(text) == {
        "Due now": ["Beta GmbH", "Bravo Srl", "Alpha Trading"],
        "Dormant — revive or move down a grade": ["Charlie Ltd", "Delta Inc"],
    }
    assert "(silent for more than 4 cadences)" in text
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    # What the last contact was about: its subject without the Re:/答复: chain and tags.
    assert " in email: Price list 2027 " in lines["Alpha Trading"]
    assert " out email: Angebot LED-Panels " in lines["Beta GmbH"]
    assert " out email: Offerta lampade " in lines["Bravo Srl"]
    assert " in email: How to use External LO on N310 device? " in lines["Delta Inc"]
    assert " out file: catalogue " in lines["Charlie Ltd"]
    assert "[USRP-users]" not in text and "答复" not in text


def test_due_json_keeps_its_order_and_marks_the_dormant(invoke: Invoke, ws: Path) -> None:
    got = json.loads(run_cli(invoke, ws, "due", "--today", TODAY, "--json"))
    # The list as it always was: every customer due, most overdue first.
    assert [(d["customer"], d["dormant"]) for d in got] == [
        ("Delta Inc", True),
        ("Charlie Ltd", True),
        ("Beta GmbH", False),  # as late as Alpha: B before A
        ("Alpha Trading", False),
        ("Bravo Srl", False),
    ]
    assert [d["days_overdue"] for d in got] == sorted(
        (d["days_overdue"] for d in got), reverse=True
    )
    delta = got[0]["last"]
    assert delta["subject"] == "How to use External LO on N310 device?"
    assert delta["path"].endswith("IN/2019-05-05 External LO.eml")


def test_the_dormant_threshold_is_read_from_folder_kit_yaml(invoke: Invoke, ws: Path) -> None:
    config = ws / "folder-kit.yaml"
    text = config.read_text(encoding="utf-8")
    assert "dormant_after: 4" in text  # init writes it, with its note
    config.write_text(text.replace("dormant_after: 4 ", "dormant_after: 48"), encoding="utf-8")
    # 48 cadences of C (1008 days) are more than Charlie's silence (1005 days); 48 of
    # D (1344 days) less than Delta's.
    got = json.loads(run_cli(invoke, ws, "due", "--today", TODAY, "--json"))
    assert {d["customer"]: d["dormant"] for d in got}["Charlie Ltd"] is False
    assert {d["customer"]: d["dormant"] for d in got}["Delta Inc"] is True
    config.write_text(text.replace("dormant_after: 4", "dormant_after: 0"), encoding="utf-8")
    result = invoke("-w", str(ws), "due", "--today", TODAY)
    assert result.exit_code == 1
    assert "dormant_after" in result.stderr and result.stderr.startswith("Error: ")


def test_the_page_lists_the_dormant_apart(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    run_cli(invoke, ws, "report", "--today", TODAY, "--html", str(page))
    html = page.read_text(encoding="utf-8")
    now, _, dormant = html.partition('<h2 id="dormant">沉睡客户 — 重新激活或降级</h2>')
    assert dormant, "no dormant section"
    now = now.partition("<h2>现在该跟进</h2>")[2]
    assert now.index("Beta GmbH") < now.index("Bravo Srl") < now.index("Alpha Trading")
    assert "Delta Inc" not in now and "Charlie Ltd" not in now
    dormant = dormant.partition("<h2>")[0]
    assert dormant.index("Charlie Ltd") < dormant.index("Delta Inc")
    assert "超过 4 个跟进周期没有联系" in dormant
    assert "in email: How to use External LO on N310 device?" in dormant


def test_check_ends_with_a_summary_and_puts_the_worst_first(invoke: Invoke, ws: Path) -> None:
    findings = json.loads(run_cli(invoke, ws, "check", "--today", TODAY, "--json"))
    text = run_cli(invoke, ws, "check", "--today", TODAY)
    # The JSON and the text list the customers in one order: most problems first.
    order = list(dict.fromkeys(f["customer"] for f in findings))
    problems = {
        c: sum(f["customer"] == c and f["code"] != "suggest-grade" for f in findings) for c in order
    }
    assert [problems[c] for c in order] == sorted(problems.values(), reverse=True)
    headings = [line for line in text.splitlines() if line in problems]
    assert headings == order
    # The summary: findings by code, most frequent first.
    summary = text.rpartition("Summary: ")[2].splitlines()
    assert summary[0] == f"{len(findings)} findings for {len(order)} customers"
    assert summary[1].split() == ["code", "findings"]
    counts = {line.split()[0]: int(line.split()[1]) for line in summary[2:]}
    want: dict[str, int] = {}
    for f in findings:
        want[f["code"]] = want.get(f["code"], 0) + 1
    assert counts == want
    assert list(counts.values()) == sorted(counts.values(), reverse=True)


@pytest.mark.parametrize(
    ("name", "customer"),
    [
        ("Rob Kossler", "Alpha Trading"),  # a contact's name
        ("kossler, rob", "Alpha Trading"),  # written "Last, First", in another case
        ("Kossler", "Alpha Trading"),  # a whole word of it
        ("Jane Roe", "Alpha Trading"),  # the second contact
        ("rob.kossler@alpha.example", "Alpha Trading"),  # an address
        ("Purchasing@Alpha.example", "Alpha Trading"),  # the second address of a field
        ("<jane@alpha.example>", "Alpha Trading"),
        ("alpha.example", "Alpha Trading"),  # a domain
        ("@alpha.example", "Alpha Trading"),
        ("support@nd.edu", "Delta Inc"),  # an address at a shared domain: one customer
        ("Alpha Trading Co", "Alpha Trading"),  # what worked before still does
        ("Bravo", "Bravo Srl"),
    ],
)
def test_a_customer_is_named_the_way_people_remember_it(
    invoke: Invoke, ws: Path, name: str, customer: str
) -> None:
    got = json.loads(run_cli(invoke, ws, "timeline", name, "--json"))
    assert got and {e["customer"] for e in got} == {customer}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        # Two customers' cards share the domain: the same message as two names.
        (
            "nd.edu",
            "Error: 'nd.edu' matches more than one customer: Delta Inc (D), Echo Research (D)",
        ),
        ("nobody@nd.edu", "Error: no customer 'nobody@nd.edu'"),
        ("Rob Kossle", "Error: no customer 'Rob Kossle'; closest: Alpha Trading"),
    ],
)
def test_names_that_match_none_or_several(
    invoke: Invoke, ws: Path, name: str, message: str
) -> None:
    result = invoke("-w", str(ws), "timeline", name)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message]


def test_a_name_on_a_card_edited_since_the_last_scan(invoke: Invoke, ws: Path) -> None:
    run_cli(invoke, ws, "scan")
    card = ws / B / "Bravo Srl" / "Contact.txt"
    card.write_text("Company: Bravo Srl\nName: Giulia Bianchi\nEmail: g@bravo.example\n", "utf-8")
    for name in ("Giulia Bianchi", "g@bravo.example", "bravo.example"):
        got = json.loads(run_cli(invoke, ws, "timeline", name, "--json"))
        assert {e["customer"] for e in got} == {"Bravo Srl"}


def test_without_the_index_the_cards_are_read(ws: Path) -> None:
    """`sent` resolves a draft's folder before any scan: the same rules, from the files."""
    from folder_kit.workspace.customers import resolve_customer
    from folder_kit.workspace.find import open_workspace

    workspace = open_workspace(ws)
    assert resolve_customer(workspace, "Kossler Rob", cwd=ws).name == "Alpha Trading"
    assert resolve_customer(workspace, "alpha.example", cwd=ws).name == "Alpha Trading"
