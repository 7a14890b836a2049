"""`integrate install|uninstall|status|run`: the file-manager entries, written into a
fake home, run for real (the Linux scripts, the Finder workflow's shell script),
validated (desktop-file-validate, plistlib, the .reg format), and taken back to the
very tree that was there before. On Windows the registry keys are written for real
(under a key of the test's own)."""

from __future__ import annotations

import importlib
import json
import os
import plistlib
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke
from helpers import WINDOWS, assert_error, assert_ok, build_tree, read_tree
from test_docs import CLI_DOC, json_keys, key_problems

from folder_kit.integrate import install as ig
from folder_kit.integrate import launch, linux, macos, windows
from folder_kit.integrate.entries import ENTRIES, run_command

needs_sh = pytest.mark.skipif(WINDOWS, reason="the Linux and macOS entries are /bin/sh scripts")
CUSTOMER = "Müller & Söhne 'Licht' GmbH"
CONFIG = """\
lang: zh
me: {name: Li Lei, title: Sales Manager, company: Suzhou Example Co., email: lilei@example.cn}
"""
CARD = (
    "Company: Müller & Söhne GmbH\nCountry: DE\nName: Anna Schmidt\nEmail: anna@mueller.example\n"
)
MAIL = (
    b"From: lilei@example.cn\r\nTo: anna@mueller.example\r\n"
    b"Subject: Quotation QT-1\r\nDate: Sun, 01 Nov 2026 10:00:00 +0800\r\n\r\nHello\r\n"
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The fake home the isolate fixture set (HOME, XDG_DATA_HOME, XDG_CONFIG_HOME)."""
    return Path(os.environ["HOME"])


def linux_plan(home: Path, python: str = sys.executable) -> ig.Plan:
    return ig.plan(platform="linux", env=dict(os.environ), home=home, python=python)


# Installing, seeing, removing: whatever the platform, files into a fake home.


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_uninstall_leaves_the_home_as_it_was(home: Path, platform: str) -> None:
    build_tree(home, {".local/share/nautilus/scripts/mine.sh": "#!/bin/sh\n", "Library": None})
    before = read_tree(home)
    plan = ig.plan(platform=platform, env=dict(os.environ), home=home)
    assert {r.state for r in ig.status(plan).rows} == {"not-installed"}

    report = ig.install(plan)
    assert {r.done for r in report.rows} == {"written"} and report.warnings == []
    written = set(read_tree(home)) - set(before)
    targets = {Path(i.target).relative_to(home).as_posix() for i in plan.items}
    assert targets <= written  # and the folders above them
    assert {r.state for r in ig.status(plan).rows} == {"installed"}
    assert plan.manifest.is_file()

    report = ig.uninstall(plan)
    assert {r.done for r in report.rows} == {"removed"} and report.warnings == []
    assert read_tree(home) == before  # the user's script and folders stay, ours are gone
    assert not plan.manifest.exists()
    assert {r.state for r in ig.status(plan).rows} == {"not-installed"}


def test_install_again_writes_nothing(home: Path) -> None:
    plan = linux_plan(home)
    ig.install(plan)
    times = {i.target: os.stat(i.target).st_mtime_ns for i in plan.items}
    manifest = plan.manifest.read_bytes()
    report = ig.install(plan)
    assert {(r.state, r.done) for r in report.rows} == {("installed", "none")}
    assert {i.target: os.stat(i.target).st_mtime_ns for i in plan.items} == times
    assert plan.manifest.read_bytes() == manifest


def test_a_new_python_makes_the_entries_outdated_and_install_updates_them(
    home: Path, tmp_path: Path
) -> None:
    ig.install(linux_plan(home, python="/opt/old/bin/python3"))
    plan = linux_plan(home)
    assert {r.state for r in ig.status(plan).rows} == {"outdated"}
    assert {r.done for r in ig.install(plan).rows} == {"updated"}
    assert {r.state for r in ig.status(plan).rows} == {"installed"}
    ig.uninstall(plan)
    assert not any(Path(i.target).exists() for i in plan.items)


def test_what_the_user_changed_or_owns_is_kept(home: Path) -> None:
    plan = linux_plan(home)
    nautilus, theirs = Path(plan.items[0].target), Path(plan.items[2].target)
    build_tree(theirs.parent, {theirs.name: "#!/bin/sh\necho their own\n"})
    before = read_tree(home)
    report = ig.install(plan)
    assert report.rows[2].state == "foreign" and report.rows[2].done == "kept"
    assert theirs.read_text(encoding="utf-8") == "#!/bin/sh\necho their own\n"
    assert any("is not folder-kit's" in w and str(theirs) in w for w in report.warnings)

    nautilus.write_text("#!/bin/sh\necho changed by hand\n", encoding="utf-8")
    assert ig.status(plan).rows[0].state == "changed"
    report = ig.uninstall(plan)
    assert nautilus.read_text(encoding="utf-8") == "#!/bin/sh\necho changed by hand\n"
    assert theirs.exists()
    assert [w for w in report.warnings if "was changed since" in w] == [
        f"{nautilus} was changed since folder-kit wrote it: kept"
    ]
    others = [Path(i.target) for i in plan.items[1:] if i.target != str(theirs)]
    assert others and not any(p.exists() for p in others)

    # Once the user deletes what was kept, uninstall removes the folders install made.
    nautilus.unlink()
    ig.uninstall(plan)
    assert read_tree(home) == before
    assert not plan.manifest.exists()


def test_a_lost_manifest_adopts_identical_entries(home: Path) -> None:
    plan = linux_plan(home)
    ig.install(plan)
    plan.manifest.unlink()
    assert {r.state for r in ig.status(plan).rows} == {"installed"}
    ig.install(plan)  # records them again
    ig.uninstall(plan)
    assert not any(Path(i.target).exists() for i in plan.items)


def test_a_deleted_entry_is_missing_and_install_puts_it_back(home: Path) -> None:
    plan = linux_plan(home)
    ig.install(plan)
    Path(plan.items[1].target).unlink()
    assert ig.status(plan).rows[1].state == "missing"
    assert ig.install(plan).rows[1].done == "written"


# The command line.


@pytest.mark.skipif(WINDOWS, reason="on Windows the entries are registry keys (tested below)")
def test_the_commands_install_show_and_remove(invoke: Invoke, home: Path) -> None:
    before = read_tree(home)
    result = invoke("integrate", "install", "--dry-run")
    assert_ok(result)
    assert read_tree(home) == before
    assert "Would write " in result.stdout and "integrate run draft --" in result.stdout

    result = invoke("integrate", "status")
    assert_ok(result)
    assert result.stdout.splitlines()[-1] == "Not installed: run `folder-kit integrate install`."

    result = invoke("integrate", "install")
    assert_ok(result)
    script = home / ".local/share/nautilus/scripts/Write a follow-up draft"
    assert f"Wrote          {script}" in result.stdout.splitlines()
    assert os.access(script, os.X_OK)

    status = json.loads(invoke("integrate", "status", "--json").stdout)
    assert {e["state"] for e in status["entries"]} == {"installed"}
    assert status["python"] == str(Path(sys.executable).absolute())
    managers = {e["manager"] for e in status["entries"]}
    assert managers == {"nautilus", "nemo", "caja", "dolphin"}
    assert invoke("integrate", "status").stdout.splitlines()[-1] == "Installed and current."

    result = invoke("integrate", "uninstall", "--dry-run", "--json")
    assert_ok(result)
    assert {e["done"] for e in json.loads(result.stdout)["entries"]} == {"removed"}
    assert script.exists()
    assert_ok(invoke("integrate", "uninstall"))
    assert read_tree(home) == before
    result = invoke("integrate", "uninstall")
    assert_ok(result)
    assert result.stdout.startswith("Nothing to remove:")


def test_an_unreadable_manifest_is_one_error(invoke: Invoke, tmp_path: Path) -> None:
    state = Path(os.environ["FOLDER_KIT_STATE"])
    build_tree(state, {"integrate.json": "{not json"})
    line = assert_error(invoke("integrate", "uninstall"))
    assert line.startswith(f"Error: the record of what install wrote, {state / 'integrate.json'}")
    assert (state / "integrate.json").read_text(encoding="utf-8") == "{not json"


@pytest.mark.skipif(WINDOWS, reason="the command would write the user's own registry keys")
def test_the_json_keys_are_documented(invoke: Invoke) -> None:
    """The three commands print one shape, described once, under `status`."""
    keys: set[str] = set()
    for command in ("install", "status", "uninstall"):
        result = invoke("integrate", command, "--json")
        assert_ok(result)
        keys |= json_keys(json.loads(result.stdout))
    assert keys >= {"entries", "state", "target", "labels", "done"}
    problems = key_problems(CLI_DOC.read_text(encoding="utf-8"), {("integrate", "status"): keys})
    assert problems == []


# Running the entries: the real scripts, folder-kit, and a fake mail program.


@pytest.fixture
def customer(workspace: Path) -> Path:
    folder = workspace / "客户" / "B-在谈客户" / CUSTOMER
    build_tree(folder, {"Contact.txt": CARD, "OUT": {"2026-11-01 Quotation QT-1.eml": MAIL}})
    (workspace / "folder-kit.yaml").write_text(CONFIG, encoding="utf-8")
    return folder


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    """xdg-open and zenity that write down what they were given, first on PATH."""
    folder = tmp_path / "bin"
    for name in ("xdg-open", "zenity"):
        build_tree(folder, {name: f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{folder}/{name}.log"\n'})
        (folder / name).chmod(0o755)
    return folder


def run_entry(script: Path, fake_bin: Path, *args: str, cwd: Path, **env: str) -> int:
    environment = {**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.defpath}", **env}
    done = subprocess.run([str(script), *args], cwd=cwd, env=environment, timeout=120)
    return done.returncode


def said(fake_bin: Path, name: str) -> list[str]:
    log = fake_bin / f"{name}.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


@needs_sh
def test_the_nautilus_script_writes_and_opens_a_draft(
    home: Path, customer: Path, fake_bin: Path
) -> None:
    plan = linux_plan(home)
    ig.install(plan)
    script = home / ".local/share/nautilus/scripts/Write a follow-up draft"
    # Nautilus runs a script in the folder shown, with the selection as arguments.
    assert run_entry(script, fake_bin, customer.name, cwd=customer.parent) == 0
    drafts = sorted((customer / "草稿").iterdir())
    assert len(drafts) == 1 and drafts[0].suffix == ".eml"
    assert said(fake_bin, "xdg-open") == [str(drafts[0])]
    assert said(fake_bin, "zenity") == []


@needs_sh
@pytest.mark.parametrize(
    ("manager", "variable"),
    [("nemo", "NEMO_SCRIPT_SELECTED_FILE_PATHS"), ("caja", "CAJA_SCRIPT_SELECTED_FILE_PATHS")],
)
def test_the_nemo_and_caja_scripts_read_the_selection_variable(
    home: Path, customer: Path, fake_bin: Path, manager: str, variable: str
) -> None:
    ig.install(linux_plan(home))
    base = ".config" if manager == "caja" else ".local/share"
    script = home / base / manager / "scripts" / "Show timeline"
    assert run_entry(script, fake_bin, cwd=home, **{variable: f"{customer}\n"}) == 0
    opened = said(fake_bin, "xdg-open")
    assert opened == [str(launch.timeline_file(customer, os.environ))]
    text = Path(opened[0]).read_text(encoding="utf-8-sig")
    assert text.startswith(f"{CUSTOMER}\n{customer}\n")
    assert "2026-11-01  out" in text and "Quotation QT-1.eml" in text


@needs_sh
def test_inside_the_folder_with_nothing_selected_the_folder_shown_is_used(
    home: Path, customer: Path, fake_bin: Path
) -> None:
    ig.install(linux_plan(home))
    script = home / ".local/share/nautilus/scripts/Write a follow-up draft"
    uri = customer.as_uri()  # percent-encoded: spaces, '&', 'ü'
    assert "%20" in uri
    assert run_entry(script, fake_bin, cwd=home, NAUTILUS_SCRIPT_CURRENT_URI=uri) == 0
    assert len(list((customer / "草稿").iterdir())) == 1


@needs_sh
def test_the_draft_s_warnings_are_said_in_a_message_box(
    home: Path, customer: Path, fake_bin: Path
) -> None:
    (customer / "Contact.txt").write_text("Company: Müller & Söhne GmbH\n", encoding="utf-8")
    ig.install(linux_plan(home))
    script = home / ".local/share/nautilus/scripts/Write a follow-up draft"
    assert run_entry(script, fake_bin, str(customer), cwd=home) == 0
    box = said(fake_bin, "zenity")
    assert box[:3] == ["--info", "--no-markup", "--title=folder-kit"]
    assert box[3].startswith("--text=Warning: ") and "Country:" in "\n".join(box)
    assert len(said(fake_bin, "xdg-open")) == 1  # written and opened all the same


@needs_sh
def test_a_draft_that_cannot_be_opened_says_where_it_was_written(
    home: Path, customer: Path, fake_bin: Path
) -> None:
    ig.install(linux_plan(home))
    script = home / ".local/share/nautilus/scripts/Write a follow-up draft"
    environment = {**os.environ, "PATH": str(fake_bin)}  # no xdg-open at all
    (fake_bin / "xdg-open").unlink()
    done = subprocess.run([str(script), str(customer)], cwd=home, env=environment, timeout=120)
    assert done.returncode == 1
    (draft,) = (customer / "草稿").iterdir()
    box = said(fake_bin, "zenity")
    assert box[0] == "--error"
    text = "\n".join(box[3:]).removeprefix("--text=")
    workspace = customer.parents[2]
    wrote, error = text.split("\n")
    assert wrote == f"Wrote {draft.relative_to(workspace).as_posix()}"
    assert error.startswith("Error: ") and "xdg-open" in error


@needs_sh
def test_a_folder_that_is_no_customer_is_said_in_a_message_box(
    home: Path, tmp_path: Path, fake_bin: Path
) -> None:
    ig.install(linux_plan(home))
    script = home / ".local/share/nautilus/scripts/Write a follow-up draft"
    elsewhere = tmp_path / "Holiday photos"
    elsewhere.mkdir()
    assert run_entry(script, fake_bin, str(elsewhere), cwd=tmp_path) == 1
    box = said(fake_bin, "zenity")
    assert box[:3] == ["--error", "--no-markup", "--title=folder-kit"]
    assert box[3].startswith("--text=Error: no folder-kit.yaml found in")
    assert list(elsewhere.iterdir()) == [] and said(fake_bin, "xdg-open") == []


@needs_sh
def test_the_scripts_quote_a_python_path_the_shell_would_split(
    home: Path, customer: Path, fake_bin: Path, tmp_path: Path
) -> None:
    # A stand-in for Python at a path that needs quoting (a link would lose the venv).
    odd = tmp_path / "My Python's $HOME & `co`" / "python3"
    build_tree(odd.parent, {odd.name: f'#!/bin/sh\nexec "{sys.executable}" "$@"\n'})
    odd.chmod(0o755)
    ig.install(linux_plan(home, python=str(odd)))
    script = home / ".local/share/nautilus/scripts/Show timeline"
    assert run_entry(script, fake_bin, str(customer), cwd=home) == 0
    assert said(fake_bin, "xdg-open") == [str(launch.timeline_file(customer, os.environ))]


# The Dolphin service menu.


def exec_arguments(line: str) -> list[str]:
    """An Exec value read as the Desktop Entry specification says: string escapes
    first, then quoted arguments with \\-escapes, then %% as %."""
    value = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t"}.get(m[1], m[1]), line)
    out = []
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"|(\S+)', value):
        arg = re.sub(r"\\(.)", r"\1", m[1]) if m[1] is not None else m[2]
        out.append(arg.replace("%%", "%"))
    return out


ODD_PYTHON = '/opt/My "Python" $HOME 100% \\ `x`/bin/python3'


def test_the_service_menu_exec_line_gives_back_the_command() -> None:
    text = linux.service_menu(python=ODD_PYTHON)
    lines = [line for line in text.splitlines() if line.startswith("Exec=")]
    assert len(lines) == len(ENTRIES)
    for entry, line in zip(ENTRIES, lines, strict=True):
        assert exec_arguments(line.removeprefix("Exec=")) == [
            *run_command(entry.action, python=ODD_PYTHON),
            "%F",
        ]


# desktop-file-validate (0.26) knows Type=Service as KDE's, but says MimeType and
# Actions belong to Type=Application; a KDE service menu is made of exactly those
# keys (KIO reads both, and refuses a Type=Application file outside applications/).
KDE_FORMAT = {
    'error: key "MimeType" is present in group "Desktop Entry", but the type is "Service" '
    'while this key is only valid for type "Application"',
    'error: key "Actions" is present in group "Desktop Entry", but the type is "Service" '
    'while this key is only valid for type "Application"',
}


def validate(path: Path) -> set[str]:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    done = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
    return {line.removeprefix(f"{path}: ") for line in done.stdout.splitlines()}


@pytest.mark.parametrize("python", [sys.executable, ODD_PYTHON])
def test_the_service_menu_passes_desktop_file_validate(
    home: Path, tmp_path: Path, python: str
) -> None:
    plan = linux_plan(home, python=python)
    ig.install(plan)
    menu = home / ".local/share/kio/servicemenus/folder-kit.desktop"
    assert os.access(menu, os.X_OK) or WINDOWS
    assert validate(menu) <= KDE_FORMAT


def test_desktop_file_validate_catches_a_broken_exec_line(tmp_path: Path) -> None:
    """The check above can fail: an Exec line with an unquoted '"'."""
    text = linux.service_menu(python="/opt/python3").replace("/opt/python3", '/opt/"python3')
    build_tree(tmp_path, {"broken.desktop": text})
    assert validate(tmp_path / "broken.desktop") - KDE_FORMAT


# The Finder Quick Action.


def test_the_quick_action_is_two_plists_finder_reads(home: Path) -> None:
    plan = ig.plan(platform="darwin", env=dict(os.environ), home=home, python="/usr/bin/python3")
    ig.install(plan)
    for entry in ENTRIES:
        contents = home / "Library" / "Services" / f"{entry.label}.workflow" / "Contents"
        info = plistlib.loads((contents / "Info.plist").read_bytes())
        (service,) = info["NSServices"]
        assert service["NSMenuItem"] == {"default": entry.label}
        assert service["NSMessage"] == "runWorkflowAsService"
        assert service["NSSendFileTypes"] == ["public.folder"]
        assert service["NSRequiredContext"] == {"NSApplicationIdentifier": "com.apple.finder"}

        flow = plistlib.loads((contents / "document.wflow").read_bytes())
        meta = flow["workflowMetaData"]
        assert meta["workflowTypeIdentifier"] == "com.apple.Automator.servicesMenu"
        assert meta["serviceInputTypeIdentifier"] == "com.apple.Automator.fileSystemObject.folder"
        assert meta["serviceApplicationBundleID"] == "com.apple.finder"
        (step,) = flow["actions"]
        action = step["action"]
        assert action["ActionBundlePath"] == "/System/Library/Automator/Run Shell Script.action"
        assert action["BundleIdentifier"] == "com.apple.RunShellScript"
        parameters = action["ActionParameters"]
        assert parameters["inputMethod"] == 1 and parameters["shell"] == "/bin/sh"
        assert parameters["COMMAND_STRING"] == (
            f'exec /usr/bin/python3 -m folder_kit integrate run {entry.action} -- "$@"\n'
        )
        uuids = [action["UUID"], action["InputUUID"], action["OutputUUID"]]
        assert len(set(uuids)) == 3 and all(uuid.UUID(u) for u in uuids)


@needs_sh
def test_the_quick_action_script_runs(customer: Path, fake_bin: Path, home: Path) -> None:
    """Automator runs COMMAND_STRING with /bin/sh, the folders as arguments."""
    flow = plistlib.loads(macos.document_wflow(ENTRIES[0], python=sys.executable))
    command = flow["actions"][0]["action"]["ActionParameters"]["COMMAND_STRING"]
    environment = {**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.defpath}"}
    done = subprocess.run(
        ["/bin/sh", "-c", command, "sh", str(customer)], cwd="/", env=environment, timeout=120
    )
    assert done.returncode == 0
    (draft,) = (customer / "草稿").iterdir()
    assert said(fake_bin, "xdg-open") == [str(draft)]


# The Explorer entries: a .reg text, and on Windows the registry itself.

WINDOWS_PYTHON = "C:\\Program Files\\Python 3.12\\pythonw.exe"
REG_KEY = re.compile(r"^\[(-?)HKEY_CURRENT_USER\\((?:[^\\\]]+\\)*[^\\\]]+)\]$")
REG_VALUE = re.compile(r'^(@|"((?:[^"\\]|\\.)*)")="((?:[^"\\]|\\.)*)"$')


def parse_reg(text: str) -> dict[str, dict[str, str]]:
    """A .reg file of string values, read as regedit reads it; fails on anything else."""
    lines = text.split("\n")
    assert lines[0] == "Windows Registry Editor Version 5.00" and lines[1] == ""
    keys: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in lines[2:]:
        if line == "":
            current = None
            continue
        key = REG_KEY.match(line)
        if key:
            assert current is None, f"no blank line before {line}"
            current = keys.setdefault(key[2], {})
            continue
        value = REG_VALUE.match(line)
        assert value and current is not None, f"not a .reg line: {line!r}"
        name = "" if value[1] == "@" else re.sub(r"\\(.)", r"\1", value[2])
        current[name] = re.sub(r"\\(.)", r"\1", value[3])
    return keys


def windows_argv(command: str) -> list[str]:
    """A command line split as the C runtime splits it (no backslash before a quote
    here: a Windows name holds no '"')."""
    return [m[1] if m[1] is not None else m[2] for m in re.finditer(r'"([^"]*)"|(\S+)', command)]


def test_the_reg_text_is_a_reg_file_of_the_keys_install_writes() -> None:
    keys = windows.keys(python=WINDOWS_PYTHON)
    text = windows.reg_text([(key, values) for _, key, values in keys])
    parsed = parse_reg(text)
    assert parsed == {key: values for _, key, values in keys}
    assert len(parsed) == 8  # 2 entries x (folder, background) x (verb, command)
    for entry in ENTRIES:
        verb = f"Software\\Classes\\Directory\\shell\\folder-kit.{entry.action}"
        assert parsed[verb] == {"": entry.label}
        command = parsed[f"{verb}\\command"][""]
        assert windows_argv(command) == [*run_command(entry.action, python=WINDOWS_PYTHON), "%V"]
        background = f"Software\\Classes\\Directory\\Background\\shell\\folder-kit.{entry.action}"
        assert parsed[f"{background}\\command"] == parsed[f"{verb}\\command"]
    assert '@="\\"C:\\\\Program Files\\\\Python 3.12\\\\pythonw.exe\\" -m folder_kit' in text
    removal = parse_reg(windows.reg_text([(k, v) for _, k, v in keys], remove=True))
    assert removal == {key: {} for _, key, _ in keys}
    assert "[-HKEY_CURRENT_USER\\Software\\Classes\\Directory\\shell\\folder-kit.draft]" in (
        windows.reg_text([(k, v) for _, k, v in keys], remove=True)
    )


def test_the_reg_parser_refuses_a_broken_value() -> None:
    """The check above can fail: a value with an unescaped quote."""
    text = windows.reg_text([("Software\\X", {"": 'say "hi"'})]).replace('\\"', '"')
    with pytest.raises(AssertionError, match=r"not a \.reg line"):
        parse_reg(text)


@pytest.fixture
def test_classes() -> Iterator[str]:
    """A key of this test's own under HKEY_CURRENT_USER\\Software, in place of
    Software\\Classes: the real menu of the machine is never touched."""
    key = f"Software\\folder-kit-test-{uuid.uuid4().hex[:8]}\\Classes"
    yield key
    winreg: Any = importlib.import_module("winreg")  # Windows only: untyped elsewhere

    def delete(path: str) -> None:
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as handle:
                while True:
                    try:
                        sub = winreg.EnumKey(handle, 0)
                    except OSError:
                        break
                    delete(f"{path}\\{sub}")
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, path)
        except FileNotFoundError:
            pass

    delete(key.rsplit("\\", 1)[0])


@pytest.mark.skipif(not WINDOWS, reason="the registry is only on Windows (the Windows lane)")
def test_install_status_uninstall_in_the_registry(test_classes: str) -> None:
    top = test_classes.rsplit("\\", 1)[0]
    plan = ig.plan(platform="win32", env=dict(os.environ), classes=test_classes)
    assert plan.python.endswith(("pythonw.exe", "python.exe"))
    assert {r.state for r in ig.status(plan).rows} == {"not-installed"}

    report = ig.install(plan)
    assert {r.done for r in report.rows} == {"written"}
    for _, key, values in windows.keys(python=plan.python, classes=test_classes):
        assert windows.read_values(key) == values
    verb = f"{test_classes}\\Directory\\shell\\folder-kit.draft"
    command = windows.read_values(f"{verb}\\command")
    assert command is not None
    assert windows_argv(command[""])[0] == plan.python
    assert {r.state for r in ig.status(plan).rows} == {"installed"}
    assert {r.done for r in ig.install(plan).rows} == {"none"}

    windows.write_values(verb, {"Extended": ""})  # the user asked for Shift+right-click
    assert ig.status(plan).rows[0].state == "changed"
    report = ig.uninstall(plan)
    assert report.warnings == [
        f"HKEY_CURRENT_USER\\{verb} was changed since folder-kit wrote it: kept"
    ]
    assert windows.read_values(verb) == {"": "Write a follow-up draft", "Extended": ""}
    assert windows.read_values(f"{verb}\\command") is None
    timeline = f"{test_classes}\\Directory\\shell\\folder-kit.timeline"
    assert windows.read_values(timeline) is None
    assert not windows.key_exists(f"{test_classes}\\Directory\\Background")

    windows.delete_key(verb)
    ig.install(plan)
    ig.uninstall(plan)
    assert not windows.key_exists(top)  # every key install made is gone


# Which paths an entry runs on.


@pytest.mark.parametrize(
    ("args", "env", "platform", "expected"),
    [
        (["A Co"], {}, "linux", ["/w/A Co"]),
        (["/x/A Co", "/x/B"], {}, "linux", ["/x/A Co", "/x/B"]),
        ([], {"NAUTILUS_SCRIPT_SELECTED_FILE_PATHS": "/x/A\n/x/B\n"}, "linux", ["/x/A", "/x/B"]),
        ([], {"NEMO_SCRIPT_SELECTED_FILE_PATHS": "/x/A\n"}, "linux", ["/x/A"]),
        ([], {"CAJA_SCRIPT_SELECTED_FILE_PATHS": "/x/A\n"}, "linux", ["/x/A"]),
        (
            [],
            {"NAUTILUS_SCRIPT_CURRENT_URI": "file:///x/M%C3%BCller%20%26%20S"},
            "linux",
            ["/x/Müller & S"],
        ),
        ([], {"NAUTILUS_SCRIPT_CURRENT_URI": "sftp://host/x"}, "linux", ["/w"]),
        ([], {}, "linux", ["/w"]),
        (['C:\\"'], {}, "win32", ["C:\\"]),
    ],
)
def test_the_selected_paths(
    args: list[str], env: dict[str, str], platform: str, expected: list[str]
) -> None:
    got = launch.selected_paths(args, env=env, cwd=Path("/w"), platform=platform)
    if platform == "win32":
        assert [str(p).replace("/w/", "") for p in got] == expected
    else:
        assert [p.as_posix() for p in got] == expected


def test_the_message_says_what_went_wrong_and_nothing_when_all_is_well() -> None:
    ok = launch.Outcome(Path("/x/A"), 0, [], [])
    assert launch.message([ok]) is None
    warned = launch.Outcome(Path("/x/A"), 0, [], ["Warning: no address"])
    assert launch.message([warned]) == ("Warning: no address", False)
    failed = launch.Outcome(Path("/x/B"), 1, ["Error: no customer"], [])
    assert launch.message([warned, failed]) == (
        "A:\nWarning: no address\nB:\nError: no customer",
        True,
    )
