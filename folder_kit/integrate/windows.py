"""Explorer's context menu: per-user registry keys under HKEY_CURRENT_USER\\Software\\Classes.

A verb under ``Directory\\shell`` shows on folders, one under
``Directory\\Background\\shell`` on the empty space inside the folder shown; its
default value is the label and its ``command`` subkey the command line, where
Explorer puts the folder for ``%V``. Keys under HKEY_CURRENT_USER need no
administrator rights. The same keys are also given as the text of a ``.reg``
file, which is what ``--dry-run`` and ``status`` show.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from folder_kit.integrate.entries import ENTRIES, NAME, Entry, run_command

ROOT = "HKEY_CURRENT_USER"
CLASSES = "Software\\Classes"
# Where a verb goes: on a folder, and on the background of the folder shown.
SHELLS = ("Directory\\shell", "Directory\\Background\\shell")
REG_HEADER = "Windows Registry Editor Version 5.00"


def command_line(entry: Entry, *, python: str) -> str:
    """The verb's command: the program always in quotes (a path may hold spaces),
    the folder as ``"%V"``. Windows forbids ``"`` in a name, so quoting is enough."""
    program, *rest = run_command(entry.action, python=python)
    return f'"{program}" {" ".join(rest)} "%V"'


def keys(*, python: str, classes: str = CLASSES) -> list[tuple[Entry, str, dict[str, str]]]:
    """(entry, key under HKEY_CURRENT_USER, its values; "" is the default value),
    each verb's key before its ``command`` key."""
    out: list[tuple[Entry, str, dict[str, str]]] = []
    for shell in SHELLS:
        for entry in ENTRIES:
            verb = f"{classes}\\{shell}\\{NAME}.{entry.action}"
            out.append((entry, verb, {"": entry.label}))
            out.append((entry, f"{verb}\\command", {"": command_line(entry, python=python)}))
    return out


def values_bytes(values: Mapping[str, str]) -> bytes:
    """A key's values as the bytes install records (a key has no bytes of its own)."""
    return json.dumps(dict(sorted(values.items())), ensure_ascii=False).encode("utf-8")


def reg_string(value: str) -> str:
    """A string as a .reg file writes it: in quotes, ``\\`` and ``"`` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def reg_text(blocks: Sequence[tuple[str, Mapping[str, str]]], *, remove: bool = False) -> str:
    """A .reg file (version 5) that sets these keys' values, or (``remove``) deletes
    the keys. Its header, then a block per key: ``[HKEY_...\\key]``, then
    ``@="..."`` for the default value and ``"name"="..."`` for the others."""
    out = [f"{REG_HEADER}\n"]
    for key, values in blocks:
        out.append("\n")
        if remove:
            out.append(f"[-{ROOT}\\{key}]\n")
            continue
        out.append(f"[{ROOT}\\{key}]\n")
        for name, value in sorted(values.items()):
            out.append(f"{'@' if name == '' else reg_string(name)}={reg_string(value)}\n")
    return "".join(out)


# The registry itself: Windows only (winreg exists nowhere else).


def _winreg() -> Any:
    if sys.platform != "win32":
        raise OSError("the Windows registry is only on Windows")
    import winreg

    return winreg


def read_values(key: str) -> dict[str, str] | None:
    """The values of HKEY_CURRENT_USER\\key (a value that is not text, shown with its
    type), or None when there is no such key."""
    winreg = _winreg()
    try:
        handle = winreg.OpenKey(winreg.HKEY_CURRENT_USER, key)
    except FileNotFoundError:
        return None
    with handle:
        count = winreg.QueryInfoKey(handle)[1]
        out = {}
        for i in range(count):
            name, data, kind = winreg.EnumValue(handle, i)
            out[name] = data if kind == winreg.REG_SZ else f"(type {kind}) {data!r}"
        return out


def key_is_empty(key: str) -> bool:
    """Whether HKEY_CURRENT_USER\\key has neither subkeys nor values."""
    winreg = _winreg()
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
        subkeys, values, _ = winreg.QueryInfoKey(handle)
    return bool(subkeys == 0 and values == 0)


def key_exists(key: str) -> bool:
    winreg = _winreg()
    try:
        winreg.OpenKey(winreg.HKEY_CURRENT_USER, key).Close()
    except FileNotFoundError:
        return False
    return True


def create_key(key: str) -> None:
    winreg = _winreg()
    winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_WRITE).Close()


def write_values(key: str, values: Mapping[str, str]) -> None:
    winreg = _winreg()
    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_WRITE) as handle:
        for name, value in values.items():
            winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)


def delete_key(key: str) -> None:
    """Delete a key that has no subkeys (the registry refuses one that has)."""
    winreg = _winreg()
    winreg.DeleteKey(winreg.HKEY_CURRENT_USER, key)
