"""`due`, `check` and `report`: whom to follow up, which habits hurt, the pipeline at a glance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from folder_kit.cli.common import (
    parse_today,
    print_json_object,
    print_json_rows,
    say,
    table,
    today_option,
    workspace,
    workspace_option,
)
from folder_kit.errors import visible

if TYPE_CHECKING:
    from folder_kit.followup.rules import Due, Report

NO_EVENTS = (
    "No contact events yet: save the mail you send into a customer's OUT folder and "
    "the replies into IN (or record a call with `folder-kit log`), then run this again."
)
BLOCKS = " ▏▎▍▌▋▊▉█"


def colour(text: str, *, fg: str | None = None, bold: bool | None = None) -> str:
    """``text`` styled on a terminal; click.echo drops the codes elsewhere."""
    return click.style(text, fg=fg, bold=bold)


def bar(value: int, top: int, width: int = 24) -> str:
    """A bar of block characters, eighths of a cell at its end."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(8 * width * value / top))
    return "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


@click.command("due")
@today_option
@click.option(
    "--within",
    type=click.IntRange(min=0),
    default=0,
    metavar="DAYS",
    help="Also those due in the next DAYS days.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@click.option(
    "--ics",
    "ics_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write them as calendar to-dos (.ics) a phone calendar imports.",
)
@workspace_option
@click.pass_context
def due_cmd(
    ctx: click.Context, today_text: str | None, within: int, as_json: bool, ics_path: Path | None
) -> None:
    """The customers to follow up now, by grade (B, A, C, D, prospects) then most
    overdue, with their last contact (what it was: its subject) and how late; then
    the dormant ones, silent for more than a few cadences (`taboos: dormant_after`
    in folder-kit.yaml, default 4), to revive or move down a grade.

    A follow-up is due one cadence after the latest contact in either direction
    (A 14, B 7, C 21, D 28 days; `cadence:` in folder-kit.yaml); a reply restarts
    the clock. Prospects have none until you first write to them. With --ics
    FILE, the same list becomes calendar to-dos; exporting again updates them.
    """
    from folder_kit.followup.pipeline import due

    ws = workspace(ctx)
    today = parse_today(today_text, ws)
    if ics_path is not None:
        from folder_kit.workspace.customers import check_export_place

        check_export_place(ws, ics_path)
    items = due(ws, today=today, within=within)
    if ics_path is not None:
        from folder_kit.followup.ics import export

        export(ics_path, items, stamp=dt.datetime.now(dt.UTC).replace(microsecond=0))
        if not as_json:
            say(f"Wrote {len(items)} to-dos to {ics_path}")
    if as_json:
        print_json_rows([d.as_json() for d in items])
        return
    if not items:
        click.echo(f"Nobody is due by {today}." if items.indexed else NO_EVENTS)
        return
    from folder_kit.followup.rules import first_things_first

    now, dormant = first_things_first(items)
    many = "1 customer" if len(now) == 1 else f"{len(now)} customers"
    click.echo(colour(f"Due now: {many}", bold=True) if now else "Due now: nobody")
    if now:
        due_table(now)
    if dormant:
        from folder_kit.workspace.thresholds import DORMANT_AFTER

        n = ws.config.taboos[DORMANT_AFTER]
        many = "1 customer" if len(dormant) == 1 else f"{len(dormant)} customers"
        click.echo()
        click.echo(colour(f"Dormant — revive or move down a grade: {many}", bold=True))
        click.echo(f"(silent for more than {n} cadences)")
        due_table(dormant)


SUBJECT_WIDTH = 60  # characters of the last subject shown; --json has it whole


def due_table(items: list[Due]) -> None:
    """Those due, a line each: grade, last contact and what it was about, how late."""
    rows, styles = [], []
    for d in items:
        what = d.last_said
        if len(what) > SUBJECT_WIDTH:
            what = what[: SUBJECT_WIDTH - 1] + "…"
        if d.days_overdue > 0:
            late = "1 day late" if d.days_overdue == 1 else f"{d.days_overdue} days late"
            style: dict[str, object] | None = {"fg": "red", "bold": True}
        elif d.days_overdue == 0:
            late, style = "due today", {"fg": "yellow"}
        else:
            late = "in 1 day" if d.days_overdue == -1 else f"in {-d.days_overdue} days"
            style = None
        rows.append([d.customer, d.grade, str(d.last_contact or "never"), what, str(d.due), late])
        styles.append(style)
    table(["customer", "grade", "last contact", "what", "due", "late"], rows, last_styles=styles)


@click.command("check")
@click.argument("name", required=False)
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@workspace_option
@click.pass_context
def check_cmd(ctx: click.Context, name: str | None, today_text: str | None, as_json: bool) -> None:
    """The course's follow-up taboos in your pipeline, or for one customer (NAME),
    with the evidence (dates and files) and what to do instead.

    Codes: too-direct, repeated-topic, blind-follow-up, gave-up, too-short,
    too-long, single-medium, evaporated (a quote with no answer), change-approach
    (after many unanswered follow-ups), suggest-grade. Thresholds: `taboos:` in
    folder-kit.yaml. The customers with the most problems come first; a summary
    (findings by code) ends the list.
    """
    from folder_kit.followup.pipeline import check
    from folder_kit.followup.taboos import count_codes

    ws = workspace(ctx)
    today = parse_today(today_text, ws)
    findings = check(ws, today=today, name=name)
    if as_json:
        print_json_rows([f.as_json() for f in findings])
        return
    if not findings:
        if not findings.indexed:
            click.echo(NO_EVENTS)
        else:
            say(f"Nothing to report{f' for {name}' if name else ''}: no taboo broken.")
        return
    current = None
    for f in findings:
        # Names and paths are made visible (say), then coloured: a file name cannot
        # send escape sequences to the terminal.
        if f.customer != current:
            if current is not None:
                click.echo()
            click.echo(colour(visible(f.customer), bold=True))
            current = f.customer
        click.echo(f"  {colour(f.code, fg='red')}: {visible(f.message)}")
        for path in f.evidence[:5]:
            say(f"      {path}")
        if len(f.evidence) > 5:
            click.echo(f"      ... and {len(f.evidence) - 5} more")
        say(f"    → {f.remedy}")
    customers = len({f.customer for f in findings})
    many = "1 finding" if len(findings) == 1 else f"{len(findings)} findings"
    whom = "1 customer" if customers == 1 else f"{customers} customers"
    click.echo()
    click.echo(colour(f"Summary: {many} for {whom}", bold=True))
    table(["code", "findings"], [[code, str(n)] for code, n in count_codes(findings).items()])


@click.command("report")
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON, for other programs.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the report as one web page (works offline, can be mailed).",
)
@workspace_option
@click.pass_context
def report_cmd(
    ctx: click.Context, today_text: str | None, as_json: bool, html_path: Path | None
) -> None:
    """Per grade: customers, overdue, due this week, replied within the cadence;
    quotes waiting for an answer; grade changes to make; and how many follow-ups
    your customers needed before their first reply and first order, beside the
    course's figures (80 % of sales come after the 4th follow-up).
    """
    from folder_kit.followup.pipeline import overview, report

    ws = workspace(ctx)
    today = parse_today(today_text, ws)
    if html_path is not None:
        from folder_kit.workspace.customers import check_export_place

        check_export_place(ws, html_path)
    if html_path is None:
        result = report(ws, today=today)
    else:
        from folder_kit.files import write_export
        from folder_kit.followup.page import MARKER, render
        from folder_kit.workspace.customers import printable
        from folder_kit.workspace.thresholds import DORMANT_AFTER

        seen = overview(ws, today=today)
        result = seen.report
        page = render(
            result,
            due=seen.due,
            findings=seen.findings,
            lang=ws.config.lang,
            workspace=printable(ws.root.name),  # its undecodable bytes too
            dormant_after=ws.config.taboos[DORMANT_AFTER],
        )
        write_export(html_path, page.encode("utf-8"), marker=MARKER)
        if not as_json:
            say(f"Wrote {html_path}")
    if as_json:
        print_json_object(result.as_json())
        return
    if result.events == 0:
        click.echo(NO_EVENTS)
        return
    show_report(result)


def show_report(r: Report) -> None:
    from folder_kit.followup.rules import COURSE_SALES_SHARE, DISTRIBUTION_KEYS

    click.echo(
        colour(f"Pipeline on {r.today}: {r.customers} customers, {r.events} events", bold=True)
    )
    click.echo()
    top = max((s.customers for s in r.grades.values()), default=0)
    table(
        ["grade", "customers", "overdue", "due this week", "replied", ""],
        [
            [
                g,
                str(s.customers),
                str(s.overdue),
                str(s.due_this_week),
                str(s.replied),
                bar(s.customers, top, 20),
            ]
            for g, s in r.grades.items()
        ],
    )
    click.echo()
    click.echo(colour("Open quotes without a reply", bold=True))
    if r.open_quotes:
        table(
            ["customer", "sent", "days", "file"],
            [
                [q.customer, str(q.day), str(q.days), q.path.rsplit("/", 1)[-1]]
                for q in r.open_quotes[:20]
            ],
        )
        if len(r.open_quotes) > 20:
            click.echo(f"... and {len(r.open_quotes) - 20} more (report --json lists all)")
    else:
        click.echo("none")
    click.echo()
    click.echo(colour("Suggested grade changes", bold=True))
    if r.suggestions:
        table(
            ["customer", "from", "to", "why"],
            [[s.customer, s.from_grade, s.to_grade, s.why] for s in r.suggestions[:20]],
        )
        if len(r.suggestions) > 20:
            click.echo(f"... and {len(r.suggestions) - 20} more (report --json lists all)")
    else:
        click.echo("none")
    click.echo()
    click.echo(colour("Follow-ups before the first reply / the first order", bold=True))
    reply, order = r.follow_ups_before_reply, r.follow_ups_before_order
    top = max([*reply.values(), *order.values(), 0])
    table(
        ["before", "reply", "", "order", ""],
        [
            [k, str(reply[k]), bar(reply[k], top, 16), str(order[k]), bar(order[k], top, 16)]
            for k in DISTRIBUTION_KEYS
        ],
    )
    click.echo("(0: they wrote first. Follow-ups on one day count once.)")
    click.echo()
    click.echo(colour("The course: when sales close", bold=True))
    table(
        ["", "sales", ""],
        [[name, f"{share} %", bar(share, 80, 16)] for name, share in COURSE_SALES_SHARE],
    )
    click.echo("80 % of salespeople give up after the 3rd follow-up.")
