"""`watch` and `service`: keeping the index current, in a terminal or at login."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from folder_kit.cli.common import (
    print_json_line,
    say,
    say_lines,
    width,
    workspace,
    workspace_option,
)
from folder_kit.errors import visible

if TYPE_CHECKING:
    from folder_kit.watch.changes import Change
    from folder_kit.watch.watcher import Note


# Colours of what matters (a terminal only: click drops them elsewhere).
class _Seconds(click.FloatRange):
    """A number of seconds: finite (``nan`` passes every comparison of a range)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a number of seconds.", param, ctx)
        return seconds


_HIGHLIGHT_STYLE: dict[str, dict[str, Any]] = {
    "order": {"fg": "green", "bold": True},
    "reply-to-quote": {"fg": "yellow", "bold": True},
    "first-answer": {"fg": "cyan", "bold": True},
}
_CUSTOMER_COLUMN = 14
CATCH_UP_SHOWN = 10  # lines of the first reconcile shown in a terminal; the rest counted


def change_line(c: Change, *, now: dt.datetime) -> str:
    """`10:42  in     ACME GmbH      IN/Re quotation.eml`, uncoloured."""
    from folder_kit.watch.highlights import MESSAGES

    e = c.event
    what = c.rel if e.kind != "grade" else f"{e.from_grade} -> {e.to_grade}"
    customer = e.customer + " " * max(1, _CUSTOMER_COLUMN + 1 - width(e.customer))
    line = f"{now:%H:%M}  {e.kind:<6} {customer}{what}"
    if c.change == "gone":
        line += "  (gone)"
    elif c.highlight is not None:
        line += f"  <- {MESSAGES[c.highlight]}"
    return line


@click.command("watch")
@click.option(
    "--polling",
    is_flag=True,
    help="Look at the folders every few seconds instead of asking the OS "
    "(synced folders; chosen by itself on a network drive).",
)
@click.option(
    "--interval",
    type=_Seconds(min=1.0),
    default=1800.0,
    show_default=True,
    metavar="S",
    help="Seconds between full reconciles (give or take 10 %).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines, for other programs.")
@click.option(
    "--stop",
    is_flag=True,
    help="Ask the watcher running on this workspace to stop, wait until it has, and exit.",
)
@click.option("--notify", is_flag=True, help="Also show a desktop notification for what matters.")
@click.option(
    "--log",
    "to_log",
    is_flag=True,
    help="Also write what it prints to a rotating log in the state folder (the service does).",
)
@workspace_option
@click.pass_context
def watch(
    ctx: click.Context,
    polling: bool,
    interval: float,
    as_json: bool,
    stop: bool,
    notify: bool,
    to_log: bool,
) -> None:
    """Watch the workspace and record each mail, quote, PI or order as it is saved.

    Prints one line per event; a reply to an open quote, a new order and a
    prospect's first answer stand out. While it runs, customer list, timeline
    and the other readers answer at once from the index it keeps. Whatever
    happened while it was off is caught up when it starts. With mail accounts
    in folder-kit.yaml it also syncs them, at start and every mail.interval
    seconds, and the mail it files shows as events. Ctrl-C stops it,
    and so does `folder-kit watch --stop` from anywhere (one that runs in the
    background too). To run it in the background at login, see `folder-kit
    service install`.
    """
    ws = workspace(ctx)
    if stop:
        _stop_watcher(ws.root)
        return
    from folder_kit.watch.mail_sync import Synced, SyncFailed
    from folder_kit.watch.watcher import Ready, Reconciled, Watcher

    log = None
    if to_log:
        from folder_kit.watch.log import open_log

        log = open_log(ws.root)
    notifier = None

    def warn(message: str) -> None:
        say(f"Warning: {message}", err=True)
        if log is not None:  # the visible form: `service status` prints the log's tail
            log.warning("Warning: %s", visible(message))

    if notify:
        from folder_kit.watch.notify import Notifier

        notifier = Notifier(on_warning=warn)

    # A first run finds every event there is: a terminal shows the first few,
    # under the banner (it names the workspace), so they wait for it.
    catching_up: list[Callable[[], None]] = []
    more = 0
    ready = False

    def note(n: Note) -> None:
        nonlocal more, ready
        if as_json:
            print_json_line(n.as_json())
            sys.stdout.flush()
        if isinstance(n, Ready):
            ready = True
            line = f"Watching {ws.root}: {n.customers} customers, {n.events} events. Ctrl-C stops."
            show(line, {})
            for shown in catching_up:
                shown()
            catching_up.clear()
            if more and not as_json:
                show(f"... and {more} more since the watcher last ran.", {})
            return
        if isinstance(n, Reconciled):
            if as_json or log is not None:
                line = f"Read the whole workspace again ({n.reason}): {n.events} events."
                show(line, None)
            return
        if isinstance(n, Synced):  # what it filed comes as events of their own
            if n.filed:
                show(f"Synced mail ({', '.join(n.accounts)}): {n.filed} filed.", None)
            return
        if isinstance(n, SyncFailed):
            return  # said by its warning
        if not ready:
            if len(catching_up) >= CATCH_UP_SHOWN:
                more += 1
                return
        elif notifier is not None and n.highlight is not None and n.change == "new":
            from folder_kit.watch.highlights import MESSAGES

            notifier.send(f"{n.event.customer}: {MESSAGES[n.highlight]}", n.rel)
        if as_json and log is None:
            return  # the JSON line was all there is to say
        style = _HIGHLIGHT_STYLE.get(n.highlight or "", {})
        if n.change == "gone":
            style = {"dim": True}
        line = change_line(n, now=dt.datetime.now())
        if ready:
            show(line, style)
        else:
            catching_up.append(functools.partial(show, line, style))

    def show(line: str, style: dict[str, Any] | None) -> None:
        """Log ``line`` and print it (``style=None``: to the log only)."""
        line = visible(line)  # a control character in a file name must not reach the terminal
        if log is not None:
            log.info("%s", line)
        if as_json or style is None:
            return
        click.echo(click.style(line, **style) if style else line)

    if not polling:
        from folder_kit.mounts import network_drive
        from folder_kit.watch.observer import POLL_SECONDS

        drive = network_drive(ws.root)
        if drive is not None:  # the OS is not told what other machines write there
            polling = True
            line = (
                f"{ws.root} is on a network drive ({drive}): "
                f"watching by polling every {POLL_SECONDS:g} s."
            )
            say(line, err=as_json)  # JSON lines stay alone on stdout
            if log is not None:
                log.info("%s", visible(line))
    from folder_kit.cli.answers import Answers

    watcher = Watcher(
        ws,
        on_note=note,
        on_warning=warn,
        polling=polling,
        interval=interval,
        service=Answers(ws.root),
    )
    restore = _stop_on_signals(watcher.stop)
    try:
        watcher.run()
    finally:
        restore()
    if log is not None:
        log.info("Stopped.")


def _stop_watcher(root: Path) -> None:
    from folder_kit.errors import WatcherStopError
    from folder_kit.timeline.watcher_lock import request_stop

    try:
        info = request_stop(root)
    except TimeoutError as e:
        raise WatcherStopError(reason=str(e)) from e
    if info is None:
        say(f"No watcher is running on {root}.")
    else:
        say(f"Stopped the watcher on {root}" + (f" (PID {info.pid})." if info.pid else "."))


def _stop_on_signals(stop: Callable[[], None]) -> Callable[[], None]:
    """Ctrl-C and SIGTERM end the watcher cleanly (exit 0, the index consistent)."""
    wanted = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGBREAK"):  # Windows' Ctrl-Break
        wanted.append(signal.SIGBREAK)
    previous = {s: signal.signal(s, lambda *_: stop()) for s in wanted}

    def restore() -> None:
        for s, handler in previous.items():
            signal.signal(s, handler)

    return restore


@click.group()
def service() -> None:
    """Run `folder-kit watch` in the background from login to logout.

    Linux: a systemd user unit; macOS: a LaunchAgent; Windows: a Task
    Scheduler task. The watcher then keeps the timeline current and logs to a
    rotating file in the state folder; `service status` shows it.
    """


DRY_RUN_HELP = "Show what would be written, and where; write nothing."


@service.command("install")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@workspace_option
@click.pass_context
def service_install(ctx: click.Context, dry_run: bool) -> None:
    """Start the watcher now and at every login."""
    from folder_kit.watch import service as svc

    ws = workspace(ctx)
    plan = svc.plan(ws.root)
    if dry_run:
        say(f"Would write {plan.path}:")
        say_lines(plan.shown().rstrip("\n"))
        for command in plan.commands:
            say(f"Would run: {' '.join(command)}")
        return
    svc.install(plan)
    say(f"Wrote {plan.path}")
    click.echo("The watcher runs now and at every login; see `folder-kit service status`.")


@service.command("uninstall")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@workspace_option
@click.pass_context
def service_uninstall(ctx: click.Context, dry_run: bool) -> None:
    """Stop the background watcher and remove it from login."""
    from folder_kit.watch import service as svc

    ws = workspace(ctx)
    plan = svc.plan(ws.root)
    if not plan.path.exists():
        say(f"No service installed for {ws.root} ({plan.path} is not there).")
        return
    if dry_run:
        if plan.manager == "schtasks":
            say("Would ask the running watcher to stop (as `folder-kit watch --stop` does)")
        for command in svc.removal_commands(plan):
            say(f"Would run: {' '.join(command)}")
        say(f"Would remove {plan.path}")
        return
    if plan.manager == "schtasks":
        # Task Scheduler ends a task by killing it: ask the watcher to finish first.
        from folder_kit.timeline.watcher_lock import request_stop

        with contextlib.suppress(TimeoutError):
            request_stop(ws.root)
    svc.uninstall(plan)
    say(f"Removed {plan.path}; the background watcher is stopped.")


@service.command("status")
@click.option("--dry-run", is_flag=True, hidden=True, help="Accepted; status writes nothing.")
@workspace_option
@click.pass_context
def service_status(ctx: click.Context, dry_run: bool) -> None:
    """Whether the watcher runs, what it did last, and the end of its log."""
    from folder_kit.timeline.events import indexed_events
    from folder_kit.timeline.watcher_lock import running_watcher
    from folder_kit.watch import service as svc
    from folder_kit.watch.log import log_path, tail

    ws = workspace(ctx)
    plan = svc.plan(ws.root)
    say(f"Service: {svc.state_of(plan)} ({plan.path})")
    info = running_watcher(ws.root)
    if info is None:
        click.echo("Watcher: not running")
    else:
        how = " (polling)" if info.polling else ""
        click.echo(f"Watcher: running, PID {info.pid}, since {info.started}{how}")
        if info.last_reconcile is not None:
            click.echo(f"Last full reconcile: {info.last_reconcile} ({info.reason})")
    click.echo(f"Events in the index: {indexed_events(ws)}")
    log = log_path(ws.root)
    lines = tail(log, 10)
    if not lines:
        say(f"Log: {log} (empty)")
        return
    say(f"Log: {log}, last lines:")
    for line in lines:  # written visible, but a log is a file anyone could have written to
        say(f"  {line}")
