"""docs/cli.md against the code: every command, option, choice and JSON key the
command line has is on the page, in that command's section, so the page cannot
fall behind the code unnoticed. The prose itself is the reviewer's to check."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import click
import pytest
from conftest import REPO, Invoke
from helpers import assert_ok

from folder_kit.cli import COMMANDS, cli
from folder_kit.timeline.events import Event
from folder_kit.watch.changes import Change
from folder_kit.watch.watcher import Ready, Reconciled

CLI_DOC = REPO / "docs" / "cli.md"
TODAY = "2026-12-01"  # the day the sample workspace is set up to be judged on

Words = tuple[str, ...]  # a command as its words after `folder-kit`: ("customer", "add")
# Every command accepts these; the page describes them once, under `folder-kit`.
EVERYWHERE = frozenset({"-w", "--workspace"})
_HEADING = re.compile(r"^#{2,3} `folder-kit((?: [a-z-]+)*)`\s*$")


def commands() -> Iterator[tuple[Words, click.Command]]:
    """The group, every command in COMMANDS, and the subcommands of the groups."""
    yield (), cli
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, name
        yield (name,), command
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                subcommand = command.get_command(ctx, sub)
                assert subcommand is not None, f"{name} {sub}"
                yield (name, sub), subcommand


def sections(text: str) -> dict[Words, str]:
    """The text under each heading "### `folder-kit customer add`", to the next heading."""
    out: dict[Words, str] = {}
    key: Words | None = None
    for line in text.splitlines():
        if line.startswith("#"):
            m = _HEADING.match(line)
            key = tuple(m.group(1).split()) if m else None
            if key is not None:
                out[key] = ""
        elif key is not None:
            out[key] += line + "\n"
    return out


def synopsis(section: str) -> str:
    """The section's first code block: the command as it is typed."""
    m = re.search(r"^```[a-z]*\n(.*?)^```", section, re.S | re.M)
    return m.group(1) if m else ""


def has_word(text: str, word: str) -> bool:
    """``word`` in ``text``, not as a part of a longer option or word."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def option_problems(text: str) -> list[str]:
    """What docs/cli.md lacks of the commands, options, choices and arguments,
    and the options its synopses show that the code does not have."""
    found = sections(text)
    problems = []
    for path, command in commands():
        name = " ".join(("folder-kit", *path))
        section = found.get(path)
        if section is None:
            problems.append(f"no section for `{name}`")
            continue
        usage = synopsis(section)
        known = set()
        for param in command.params:
            if isinstance(param, click.Argument):
                if not has_word(usage, param.human_readable_name):
                    problems.append(
                        f"{name}: argument {param.human_readable_name} not in its synopsis"
                    )
                continue
            if not isinstance(param, click.Option) or param.hidden:
                continue
            opts = [*param.opts, *param.secondary_opts]
            known.update(opts)
            if path and EVERYWHERE.issuperset(opts):
                continue
            for opt in opts:
                if not has_word(section, opt):
                    problems.append(f"{name}: option {opt} not in its section")
            long = max(opts, key=len)
            if not has_word(usage, long):
                problems.append(f"{name}: option {long} not in its synopsis")
            if isinstance(param.type, click.Choice):
                for choice in param.type.choices:
                    if not has_word(section, str(choice)):
                        problems.append(f"{name}: {long} {choice} not in its section")
        for shown in re.findall(r"(?<![\w-])--?[a-z][a-z-]*", usage):
            if shown not in known and shown not in ("-h", "--help"):
                problems.append(f"{name}: its synopsis shows {shown}, which it does not have")
    return problems


def key_problems(text: str, keys: Mapping[Words, set[str]]) -> list[str]:
    """The JSON keys each command prints that its section does not show as "key"."""
    found = sections(text)
    problems = []
    for path, wanted in keys.items():
        section = found.get(path, "")
        for key in sorted(wanted):
            if f'"{key}"' not in section:
                problems.append(
                    f"folder-kit {' '.join(path)} --json: key {key!r} not in its section"
                )
    return problems


def json_keys(value: object) -> set[str]:
    """Every key of every object in ``value``, however deep."""
    if isinstance(value, dict):
        return set(value).union(*map(json_keys, value.values()))
    if isinstance(value, list):
        return set().union(*map(json_keys, value))
    return set()


def test_every_command_and_option_is_in_the_page() -> None:
    assert option_problems(CLI_DOC.read_text(encoding="utf-8")) == []


def test_every_json_key_is_in_the_page(invoke: Invoke, sample_copy: Path) -> None:
    ws = ["-w", str(sample_copy)]

    def printed(*args: str) -> object:
        result = invoke(*args, *ws)
        assert_ok(result)
        return json.loads(result.stdout)

    keys: dict[Words, set[str]] = {}

    def record(path: Words, value: object) -> object:
        keys.setdefault(path, set()).update(json_keys(value))
        return value

    record(("scan",), printed("scan", "--json"))
    record(("customer", "list"), printed("customer", "list", "--json"))
    # A grade move, so that the timeline holds a grade event with its own keys.
    assert_ok(invoke("customer", "move", "Ohio Valley", "--grade", "D", *ws))
    events = record(("timeline",), printed("timeline", "--json"))
    assert isinstance(events, list) and any(e["kind"] == "grade" for e in events)
    for command in ("due", "check", "report"):
        record((command,), printed(command, "--today", TODAY, "--json"))
    draft = record(("draft",), printed("draft", "Brightway", "--today", TODAY, "--json"))
    record(("draft",), printed("draft", "--due", "--today", TODAY, "--json"))
    assert isinstance(draft, dict)
    record(("sent",), printed("sent", draft["path"], "--json"))
    export = sample_copy.parent / "export.mbox"
    export.write_bytes(
        b"From x Thu Mar  5 10:00:00 2026\nFrom: j.hartmann@hartmann-elektro.example\n"
        b"Subject: Order\nMessage-ID: <a@h>\n\nHi\n\n"
        b"From x Thu Mar  5 10:00:00 2026\nFrom: zhao@newbuyer.example\n"
        b"Subject: RFQ\nMessage-ID: <b@n>\n\nHi\n"
    )
    imported = record(("mail", "import"), printed("mail", "import", str(export), "--json"))
    assert isinstance(imported, dict) and imported["filed"]
    assert record(("mail", "unmatched"), printed("mail", "unmatched", "--json"))
    add = ["mail", "add", "work", "--host", "exmail", "--address", "lilei@example.cn"]
    add += ["--since", "2026-01-01", "--no-check", "--password-command", "pass show mail/work"]
    record(("mail", "add"), printed(*add, "--json"))
    # `watch --json` prints what these give; an event there is the timeline's
    # object, which its section refers to, plus the keys of a change.
    event = Event(
        customer="C",
        grade="D",
        kind="grade",
        date=TODAY,
        day=TODAY,
        date_source="mtime",
        medium=None,
        topic=None,
        path="客户/D-行业客户/C",
        subject="a subject",
        from_grade="P",
        to_grade="D",
    )
    change = Change("new", event, highlight="order").as_json()
    record(("watch",), [Ready(1, 1).as_json(), Reconciled("timer", 1).as_json()])
    record(("watch",), {k: v for k, v in change.items() if k not in event.as_json()})
    assert keys[("watch",)] >= {"change", "highlight"}

    assert key_problems(CLI_DOC.read_text(encoding="utf-8"), keys) == []


# The checks above can fail: a page with a line gone, or one too many, is caught.


def test_a_missing_option_is_caught() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    line = "folder-kit scan [--json] [--rebuild]\n"
    assert line in text
    changed = text.replace(line, "folder-kit scan [--json]\n")
    assert set(option_problems(changed)) - set(option_problems(text)) == {
        "folder-kit scan: option --rebuild not in its synopsis"
    }


def test_a_missing_section_and_an_unknown_option_are_caught() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    before = set(option_problems(text))
    gone = text.replace("### `folder-kit sent`", "### Sent")
    assert set(option_problems(gone)) - before == {"no section for `folder-kit sent`"}
    extra = text.replace("[--within DAYS]", "[--within DAYS] [--weekly]")
    assert set(option_problems(extra)) - before == {
        "folder-kit due: its synopsis shows --weekly, which it does not have"
    }


@pytest.mark.parametrize("key", ["days_overdue", "suggested_topic"])
def test_a_missing_json_key_is_caught(key: str) -> None:
    text = CLI_DOC.read_text(encoding="utf-8").replace(f'"{key}"', key)
    assert key_problems(text, {("due",): {key}}) == [
        f"folder-kit due --json: key {key!r} not in its section"
    ]
