"""The taboo registry: a check defined here, in a test, is run by `check`, read
from folder-kit.yaml and named on the report page, like the built-in ones; and
the README's table of codes is the registry's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import REPO, Invoke
from helpers import assert_error, assert_ok, build_tree

from folder_kit.followup.page import localize
from folder_kit.followup.rules import Finding
from folder_kit.followup.taboos import TABOOS, Seen, Taboo, code_names, register
from folder_kit.followup.taboos.too_direct import pushy_phrases_in
from folder_kit.workspace.scaffold import config_template
from folder_kit.workspace.thresholds import (
    DEFAULT_PUSHY_PHRASES,
    LOOKBACK,
    THRESHOLDS,
    TOO_SHORT,
    Taboos,
    Threshold,
    declare,
)

B = "客户/B-在谈客户"
TREE = {
    f"{B}/Late Co/OUT/2026-11-01 price list.txt": "x",
    f"{B}/Late Co/OUT/2026-11-12 new product.txt": "x",
    f"{B}/Late Co/OUT/2026-11-20 company news.txt": "x",
    f"{B}/Rossi/OUT/2026-11-01 price list.txt": "x",
    f"{B}/Rossi/OUT/2026-11-12 电话 new product.txt": "x",
    f"{B}/Rossi/OUT/2026-11-20 company news.txt": "x",
}
TODAY = "2026-12-01"

CALL_AFTER = Threshold(
    "call_after",
    3,
    "count",
    high=20,
    note={"en": "follow-ups before a call", "zh": "几次跟进后该打电话"},
)


def never_called(s: Seen) -> Finding | None:
    """Written to again and again, never called."""
    if len(s.by_day) < s.taboos[CALL_AFTER] or any(e.medium == "phone" for e in s.outs):
        return None
    return s.finding(
        "never-called",
        f"{len(s.by_day)} follow-ups and no call",
        s.outs[-1:],
        "Pick up the phone.",
        n=len(s.by_day),
    )


NEVER_CALLED = Taboo(
    code="never-called",
    names={"zh": "从不打电话", "en": "never called"},
    zh=("跟进 {n} 次，从没打过电话", "打个电话。"),
    check=never_called,
    thresholds=(CALL_AFTER,),
)


@contextmanager
def registered(taboo: Taboo) -> Iterator[None]:
    """``taboo`` in the registry (and its thresholds declared) for the block only."""
    taboos, thresholds = dict(TABOOS), dict(THRESHOLDS)
    register(taboo)
    try:
        yield
    finally:
        TABOOS.clear()
        TABOOS.update(taboos)
        THRESHOLDS.clear()
        THRESHOLDS.update(thresholds)


@pytest.fixture
def ws(workspace: Path) -> Path:
    build_tree(workspace, TREE)
    return workspace


def check_codes(invoke: Invoke, ws: Path, name: str) -> list[str]:
    result = invoke("-w", str(ws), "check", name, "--today", TODAY, "--json")
    assert_ok(result)
    return [f["code"] for f in json.loads(result.stdout)]


def test_a_registered_check_is_run_by_check(invoke: Invoke, ws: Path) -> None:
    assert "never-called" not in check_codes(invoke, ws, "Late")
    with registered(NEVER_CALLED):
        assert check_codes(invoke, ws, "Late")[-1] == "never-called"  # after the others
        assert "never-called" not in check_codes(invoke, ws, "Rossi")  # called once
        result = invoke("-w", str(ws), "check", "Late", "--today", TODAY)
        assert_ok(result)
        assert "  never-called: 3 follow-ups and no call\n" in result.stdout
        assert f"      {B}/Late Co/OUT/2026-11-20 company news.txt\n" in result.stdout
        assert "    → Pick up the phone.\n" in result.stdout
    assert "never-called" not in check_codes(invoke, ws, "Late")


def test_a_registered_threshold_is_read_from_folder_kit_yaml(invoke: Invoke, ws: Path) -> None:
    config = ws / "folder-kit.yaml"
    config.write_text("taboos:\n  call_after: 4\n", encoding="utf-8")
    result = invoke("-w", str(ws), "check", "--today", TODAY)
    assert_error(
        result,
        f"Error: {config}:2: taboos.call_after: unknown key (known keys: "
        + ", ".join(THRESHOLDS)
        + ")",
    )
    with registered(NEVER_CALLED):
        assert "never-called" not in check_codes(invoke, ws, "Late")  # 3 of 4
        config.write_text("taboos:\n  call_after: 2\n", encoding="utf-8")
        assert "never-called" in check_codes(invoke, ws, "Late")
        config.write_text("lang: zh\ntaboos:\n  call_after: 21\n", encoding="utf-8")
        result = invoke("-w", str(ws), "check", "--today", TODAY)
        assert_error(
            result, f"Error: {config}:3: taboos.call_after: expected a count from 1 to 20, got 21"
        )
        config.write_text("taboos:\n  call_after: [3]\n", encoding="utf-8")
        result = invoke("-w", str(ws), "scan")  # every command reads it, not only check
        assert_error(
            result, f"Error: {config}:2: taboos.call_after: expected a whole number, got a list"
        )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_registered_threshold_is_in_the_template_init_writes(lang: str) -> None:
    line = {"en": "follow-ups before a call", "zh": "几次跟进后该打电话"}[lang]
    assert line not in config_template(lang)  # type: ignore[arg-type]
    with registered(NEVER_CALLED):
        assert f"  call_after: 3           # {line}\n" in config_template(lang)  # type: ignore[arg-type]


def test_a_registered_check_is_named_on_the_report_page(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    with registered(NEVER_CALLED):
        assert code_names("zh")["never-called"] == "从不打电话"
        assert code_names("de")["never-called"] == "never called"  # no German: English
        assert_ok(invoke("-w", str(ws), "report", "--today", TODAY, "--html", str(page)))
    html = page.read_text(encoding="utf-8")
    assert 'title="never-called">从不打电话</span>' in html
    assert "跟进 3 次，从没打过电话" in html and "打个电话。" in html


def test_localize_falls_back_to_english_without_the_facts() -> None:
    finding = Finding("Late Co", "never-called", "3 follow-ups and no call", (), "Call.")
    with registered(NEVER_CALLED):
        assert localize(finding, "zh") == ("3 follow-ups and no call", "Call.")  # no n
        with_n = Finding("Late Co", "never-called", "m", (), "r", {"n": 3})
        assert localize(with_n, "zh") == ("跟进 3 次，从没打过电话", "打个电话。")
        assert localize(with_n, "en") == ("m", "r")


def test_a_code_or_a_threshold_key_is_taken_once() -> None:
    with registered(NEVER_CALLED):
        with pytest.raises(ValueError, match="never-called is registered twice"):
            register(NEVER_CALLED)
        with pytest.raises(ValueError, match="too_short is declared twice"):
            declare(Threshold("too_short", 10, "percent"))
        declare(TOO_SHORT)  # the same declaration again is no clash
    with pytest.raises(TypeError, match="unknown taboo thresholds: call_after"):
        Taboos(call_after=3)


def test_taboos_read_by_declaration() -> None:
    taboos = Taboos(too_short=40)
    assert taboos[TOO_SHORT] == 40
    assert taboos[LOOKBACK] == 90  # the default
    assert taboos == Taboos(too_short=40, lookback=90) != Taboos()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Please PLACE THE ORDER today", ["place the order"]),
        ("尽快下单，谢谢", ["尽快下单"]),
        ("when will you order? please order", ["when will you order", "please order"]),
        ("Our new price list", []),
        ("placed the order last week", []),  # "place the order" is not in "placed the order"
    ],
)
def test_pushy_phrases_in(text: str, found: list[str]) -> None:
    assert pushy_phrases_in(text, DEFAULT_PUSHY_PHRASES) == found


def readme_codes() -> list[tuple[str, str]]:
    """The rows of the README's table of `check` codes: (code, the rest of the row)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `([a-z-]+)` \|(.*)$", text.split("| code | means |", 1)[1], re.M)


def test_the_readme_lists_the_registry() -> None:
    """The README's table has a row for each taboo, in `check`'s order, naming the
    thresholds it owns."""
    rows = readme_codes()
    assert [code for code, _ in rows] == list(TABOOS)
    for code, row in rows:
        for threshold in TABOOS[code].thresholds:
            assert threshold.key in row, f"{code}: {threshold.key} not in its row"


def test_check_help_lists_the_registry() -> None:
    from folder_kit.cli.followup import check_cmd

    listed = re.findall(r"[a-z]+(?:-[a-z]+)+|evaporated", " ".join((check_cmd.help or "").split()))
    assert [code for code in listed if code in TABOOS] == list(TABOOS)


def _found(*pairs: str) -> list[Finding]:
    """Findings from "customer:code" pairs, in the order given."""
    return [Finding(c, code, "", (), "") for c, _, code in (p.partition(":") for p in pairs)]


@pytest.mark.parametrize(
    ("given", "worst_first_customers"),
    [
        # More problems first; the order `check` gave (grade, then name) among equals.
        (["B1:too-long", "A1:gave-up", "A1:too-short", "C1:evaporated"], ["A1", "B1", "C1"]),
        # A grade to raise is advice, not a problem: it makes no customer worse.
        (["B1:too-long", "P1:suggest-grade", "P1:suggest-grade"], ["B1", "P1"]),
        (["P1:suggest-grade", "D1:too-long"], ["D1", "P1"]),
        ([], []),
    ],
)
def test_check_lists_the_worst_customers_first(
    given: list[str], worst_first_customers: list[str]
) -> None:
    from folder_kit.followup.taboos import worst_first

    ranked = worst_first(_found(*given))
    assert list(dict.fromkeys(f.customer for f in ranked)) == worst_first_customers
    by_customer = [f"{f.customer}:{f.code}" for f in ranked]
    assert sorted(by_customer) == sorted(given)  # nothing lost or added
    # Each customer's findings stay together, in the order they came.
    for name in worst_first_customers:
        own = [p for p in by_customer if p.startswith(f"{name}:")]
        assert own == [p for p in given if p.startswith(f"{name}:")]


def test_the_summary_counts_findings_by_code_most_first() -> None:
    from folder_kit.followup.taboos import count_codes

    found = _found("A:too-long", "B:gave-up", "C:too-long", "C:too-direct", "D:gave-up")
    # Ties in the order the codes are checked: too-direct before gave-up.
    assert list(count_codes(found).items()) == [("gave-up", 2), ("too-long", 2), ("too-direct", 1)]
    assert count_codes([]) == {}
