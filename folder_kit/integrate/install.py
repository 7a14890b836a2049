"""Installing the menu entries, seeing what is installed, and taking it back.

What install writes (files, or registry keys on Windows) is recorded with its
SHA-256 in a manifest, ``integrate.json`` in the per-user state folder, with the
folders (or keys) it had to create. Uninstall removes exactly those: an entry
changed since install wrote it is the user's now and is kept (with a warning),
and a folder is removed only when it is empty. Install never replaces what it
did not write; what stands there already, byte for byte as install would write
it, is taken as its own (a manifest lost with the state folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from folder_kit.integrate import linux, macos, windows
from folder_kit.integrate.entries import ENTRIES, Action, python_for_menu
from folder_kit.kept import state_base

Kind = Literal["file", "key"]
MANIFEST = "integrate.json"
MANIFEST_VERSION = 1

# What stands at an entry's place, before anything is done:
#   installed      as install writes it now
#   not-installed  nothing there
#   outdated       install wrote it and it is unchanged, but install would now write
#                  something else (folder-kit moved to another Python, say)
#   changed        install wrote it and it was changed since: the user's now
#   missing        install wrote it and it was deleted since
#   foreign        something install did not write
State = Literal["installed", "not-installed", "outdated", "changed", "missing", "foreign"]
# What install or uninstall did with it.
Done = Literal["written", "updated", "removed", "kept", "none"]


@dataclass(frozen=True)
class Item:
    """One file or registry key of a menu entry, with the bytes install writes (a
    key's values as ``windows.values_bytes``)."""

    manager: str  # nautilus, nemo, caja, dolphin, finder, explorer
    actions: tuple[Action, ...]  # the entries it holds (Dolphin's one file holds both)
    kind: Kind
    target: str  # an absolute path, or a key under HKEY_CURRENT_USER
    content: bytes
    executable: bool = False

    @property
    def shown_target(self) -> str:
        return self.target if self.kind == "file" else f"{windows.ROOT}\\{self.target}"


@dataclass(frozen=True)
class Plan:
    """What install writes on this system, and where it records it."""

    platform: str
    python: str
    items: list[Item]
    manifest: Path


@dataclass(frozen=True)
class Row:
    item: Item
    state: State
    done: Done = "none"

    def as_json(self) -> dict[str, object]:
        return {
            "manager": self.item.manager,
            "actions": list(self.item.actions),
            "labels": [e.label for e in ENTRIES if e.action in self.item.actions],
            "kind": self.item.kind,
            "target": self.item.shown_target,
            "state": self.state,
            "done": self.done,
        }


@dataclass
class Report:
    plan: Plan
    rows: list[Row] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # folders or keys made (or removed)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "platform": self.plan.platform,
            "python": self.plan.python,
            "manifest": str(self.plan.manifest),
            "entries": [row.as_json() for row in self.rows],
            "warnings": list(self.warnings),
        }


def platform_name(platform: str = sys.platform) -> str:
    if platform == "win32":
        return "windows"
    if platform == "darwin":
        return "macos"
    return "linux"


def plan(
    *,
    platform: str = sys.platform,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    python: str = sys.executable,
    classes: str = windows.CLASSES,
) -> Plan:
    """What install writes for ``platform``, running ``python`` (on Windows, under
    HKEY_CURRENT_USER\\``classes``: another key only for the tests)."""
    env = dict(os.environ) if env is None else env
    home = Path.home() if home is None else home
    python = python_for_menu(python, platform=platform)
    name = platform_name(platform)
    items: list[Item] = []
    if name == "windows":
        for entry, key, values in windows.keys(python=python, classes=classes):
            data = windows.values_bytes(values)
            items.append(Item("explorer", (entry.action,), "key", key, data))
    elif name == "macos":
        for entry, path, data in macos.files(home=home, python=python):
            items.append(Item("finder", (entry.action,), "file", str(path), data))
    else:
        for manager, entries, path, text in linux.files(env=env, home=home, python=python):
            actions = tuple(e.action for e in entries)
            items.append(Item(manager, actions, "file", str(path), text.encode("utf-8"), True))
    manifest = state_base(env=dict(env)) / MANIFEST
    return Plan(name, python, items, manifest)


# The manifest.


@dataclass
class Manifest:
    items: dict[tuple[Kind, str], str] = field(default_factory=dict)  # (kind, target) -> sha256
    created: list[tuple[Kind, str]] = field(default_factory=list)  # (kind, target), made in order
    # (kind, target) -> (manager, actions): to name what an older install wrote
    meta: dict[tuple[Kind, str], tuple[str, tuple[Action, ...]]] = field(default_factory=dict)


def load_manifest(path: Path) -> Manifest:
    from folder_kit.errors import IntegrationError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        out = Manifest()
        for entry in data.get("items", []):
            key = (_kind(entry["kind"]), str(entry["target"]))
            out.items[key] = str(entry["sha256"])
            recorded = entry.get("actions", ())
            actions = tuple(e.action for e in ENTRIES if e.action in recorded)
            out.meta[key] = (str(entry.get("manager", "")), actions)
        out.created = [(_kind(c["kind"]), str(c["target"])) for c in data.get("created", [])]
    except FileNotFoundError:
        return Manifest()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise IntegrationError(
            reason=f"the record of what install wrote, {path}, is unreadable ({e}); "
            "delete it, and remove the entries by hand if install made any"
        ) from e
    return out


def _kind(value: object) -> Kind:
    if value == "file" or value == "key":
        return value
    raise ValueError(f"unknown kind {value!r}")


def save_manifest(path: Path, manifest: Manifest, *, platform: str) -> None:
    if not manifest.items and not manifest.created:
        path.unlink(missing_ok=True)
        return
    data = {
        "version": MANIFEST_VERSION,
        "platform": platform,
        "items": [
            {
                "kind": kind,
                "target": target,
                "sha256": digest,
                "manager": manifest.meta.get((kind, target), ("", ()))[0],
                "actions": list(manifest.meta.get((kind, target), ("", ()))[1]),
            }
            for (kind, target), digest in manifest.items.items()
        ],
        "created": [{"kind": kind, "target": target} for kind, target in manifest.created],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_file(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")


# Reading and writing one item, a file or a registry key.

_SOMETHING_ELSE = b"\0not a regular file\0"  # stands where a file was looked for


def _current(kind: str, target: str) -> bytes | None:
    """What stands at the item's place now: its bytes, None when nothing does."""
    if kind == "key":
        values = windows.read_values(target)
        return None if values is None else windows.values_bytes(values)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(mode):  # a folder, a link: never ours
        return _SOMETHING_ELSE
    return Path(target).read_bytes()


def _write_file(path: Path, data: bytes, *, executable: bool = False) -> None:
    tmp = path.with_name(f".{path.name}.folder-kit.tmp")
    tmp.write_bytes(data)
    if executable:
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.replace(tmp, path)


def _write(item: Item, manifest: Manifest) -> None:
    _make_containers(item, manifest)
    if item.kind == "key":
        windows.write_values(item.target, json.loads(item.content))
    else:
        _write_file(Path(item.target), item.content, executable=item.executable)


def _containers(kind: str, target: str) -> list[str]:
    """The folders (keys, below Software) above the item, outermost first."""
    if kind == "key":
        parts = target.split("\\")
        return ["\\".join(parts[:i]) for i in range(2, len(parts))]
    return [str(p) for p in reversed(Path(target).parents)]


def _exists(kind: str, target: str) -> bool:
    return windows.key_exists(target) if kind == "key" else os.path.lexists(target)


def _make_containers(item: Item, manifest: Manifest) -> None:
    for container in _containers(item.kind, item.target):
        if _exists(item.kind, container):
            continue
        if item.kind == "key":
            windows.create_key(container)
        else:
            Path(container).mkdir()
        manifest.created.append((item.kind, container))


def _is_empty(kind: str, target: str) -> bool:
    if kind == "key":
        return windows.key_is_empty(target)
    return Path(target).is_dir() and not any(Path(target).iterdir())


def _remove(kind: str, target: str) -> None:
    if kind == "key":
        windows.delete_key(target)
    else:
        Path(target).unlink()


def _remove_container(kind: str, target: str) -> None:
    if kind == "key":
        windows.delete_key(target)
    else:
        Path(target).rmdir()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _state(item: Item, recorded: str | None) -> State:
    now = _current(item.kind, item.target)
    if now is None:
        return "not-installed" if recorded is None else "missing"
    if now == item.content:
        return "installed"
    if recorded is None:
        return "foreign"
    return "outdated" if _digest(now) == recorded else "changed"


# The three commands.


def _depth(key: tuple[Kind, str]) -> int:
    return key[1].count("\\") + key[1].count("/")


def status(p: Plan) -> Report:
    manifest = load_manifest(p.manifest)
    report = Report(p)
    for item in p.items:
        report.rows.append(Row(item, _state(item, manifest.items.get((item.kind, item.target)))))
    return report


def install(p: Plan, *, dry_run: bool = False) -> Report:
    """Write every item that is not there as it should be; keep what is not ours."""
    manifest = load_manifest(p.manifest)
    report = Report(p, dry_run=dry_run)
    try:
        for item in p.items:
            key = (item.kind, item.target)
            state = _state(item, manifest.items.get(key))
            done: Done = "none"
            if state in ("not-installed", "missing", "outdated"):
                done = "updated" if state == "outdated" else "written"
                if not dry_run:
                    before = len(manifest.created)
                    _write(item, manifest)
                    report.created += [t for _, t in manifest.created[before:]]
            elif state == "changed":
                done = "kept"
                report.warnings.append(
                    f"{item.shown_target} was changed since folder-kit wrote it: left as it is"
                )
            elif state == "foreign":
                done = "kept"
                report.warnings.append(
                    f"{item.shown_target} is not folder-kit's: left as it is "
                    "(move it away and install again to have folder-kit's entry there)"
                )
            if done in ("written", "updated") or state == "installed":
                manifest.items[key] = _digest(item.content)
                manifest.meta[key] = (item.manager, item.actions)
            report.rows.append(Row(item, state, done))
    finally:
        if not dry_run:
            save_manifest(p.manifest, manifest, platform=p.platform)
    return report


def uninstall(p: Plan, *, dry_run: bool = False) -> Report:
    """Remove what the manifest says install wrote, where it is unchanged, then the
    folders (keys) install made, where they are empty."""
    manifest = load_manifest(p.manifest)
    report = Report(p, dry_run=dry_run)
    planned = {(i.kind, i.target): i for i in p.items}
    # Deepest first: a registry key goes after its `command` subkey.
    for key in sorted(manifest.items, key=_depth, reverse=True):
        kind, target = key
        manager, actions = manifest.meta.get(key, ("", ()))
        item = planned.get(key) or Item(manager, actions, kind, target, b"")  # kind: as recorded
        now = _current(kind, target)
        if now is None:
            report.rows.append(Row(item, "missing"))
        elif _digest(now) == manifest.items[key]:
            if not dry_run:
                _remove(kind, target)
            state: State = "installed" if now == item.content else "outdated"
            report.rows.append(Row(item, state, "removed"))
        else:
            report.warnings.append(
                f"{item.shown_target} was changed since folder-kit wrote it: kept"
            )
            report.rows.append(Row(item, "changed", "kept"))
    if dry_run:
        return report
    left: list[tuple[Kind, str]] = []
    for kind, target in reversed(manifest.created):
        if not _exists(kind, target):
            continue
        if _is_empty(kind, target):
            _remove_container(kind, target)
            report.created.append(target)
        else:
            left.insert(0, (kind, target))
    # What was kept is the user's now; the folders (keys) install made that still
    # hold it stay on record, so that a later uninstall removes them once empty.
    save_manifest(p.manifest, Manifest(created=left), platform=p.platform)
    report.rows.sort(key=lambda r: p.items.index(r.item) if r.item in p.items else len(p.items))
    return report
