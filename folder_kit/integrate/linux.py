"""Nautilus, Nemo and Caja scripts, and a Dolphin service menu.

The three GNOME-family file managers list the executable files of their scripts
folder under "Scripts" in the context menu and run one with the selected files
as arguments (and in ``NAUTILUS_SCRIPT_SELECTED_FILE_PATHS`` and its Nemo and
Caja twins). Dolphin (KDE) reads ``.desktop`` service menus, whose ``Exec``
line follows the Desktop Entry specification.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from folder_kit.integrate.entries import ENTRIES, NAME, Entry, run_command

# The file managers that run scripts, and the folder each reads them from:
# (name, base variable, its default under HOME, the folder under it).
SCRIPT_MANAGERS: tuple[tuple[str, str, str, str], ...] = (
    ("nautilus", "XDG_DATA_HOME", ".local/share", "nautilus/scripts"),
    ("nemo", "XDG_DATA_HOME", ".local/share", "nemo/scripts"),
    ("caja", "XDG_CONFIG_HOME", ".config", "caja/scripts"),
)
# Plasma 5.85 and later (KDE Frameworks' KIO), and Plasma 6. The KF5 folder
# kservices5/ServiceMenus is read too by those, so writing both would show every
# entry twice there, for the sake of Plasma releases from before 2021.
SERVICE_MENU = ("XDG_DATA_HOME", ".local/share", "kio/servicemenus")


def xdg_folder(env: Mapping[str, str], home: Path, variable: str, default: str) -> Path:
    """An XDG base folder: the variable when it holds an absolute path (the spec
    says to ignore a relative one), else its default under HOME."""
    value = env.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else home / default


def script(entry: Entry, *, python: str) -> str:
    """The shell script a scripts folder holds for ``entry``."""
    command = " ".join(shlex.quote(arg) for arg in run_command(entry.action, python=python))
    return (
        "#!/bin/sh\n"
        f"# {NAME}: {entry.help}.\n"
        f"# Written by `{NAME} integrate install`; `{NAME} integrate uninstall` removes it.\n"
        "# The file manager passes the selected folders as arguments (none: the folder\n"
        "# shown, which `integrate run` reads from the file manager's variables).\n"
        f'exec {command} "$@"\n'
    )


# Characters that make a Desktop Entry Exec argument need quotes, and those that
# must be escaped inside the quotes.
_EXEC_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")
_EXEC_ESCAPED = re.compile(r"([\"`$\\])")


def exec_argument(arg: str) -> str:
    """One argument of an ``Exec`` key: quoted where the specification asks, with
    ``%`` doubled (a field code otherwise), then escaped as any string value is
    (a backslash doubled)."""
    if _EXEC_RESERVED.search(arg):
        arg = '"' + _EXEC_ESCAPED.sub(r"\\\1", arg) + '"'
    return arg.replace("%", "%%").replace("\\", "\\\\")


def desktop_value(text: str) -> str:
    """A string value of a .desktop key: no line break can start a new key."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def service_menu(*, python: str, entries: Sequence[Entry] = ENTRIES) -> str:
    """A Dolphin service menu with one action per entry, on folders."""
    actions = "".join(f"{e.action};" for e in entries)
    out = [
        "[Desktop Entry]\n",
        "Type=Service\n",
        f"Name={NAME}\n",
        "MimeType=inode/directory;\n",
        f"Actions={actions}\n",
        "X-KDE-ServiceTypes=KonqPopupMenu/Plugin\n",  # KF5 wants it; KF6 ignores it
        "X-KDE-Priority=TopLevel\n",
        f"# Written by `{NAME} integrate install`; `{NAME} integrate uninstall` removes it.\n",
    ]
    icons = {"draft": "mail-message-new", "timeline": "view-calendar-list"}
    for e in entries:
        command = " ".join(exec_argument(a) for a in run_command(e.action, python=python))
        out += [
            "\n",
            f"[Desktop Action {e.action}]\n",
            f"Name={desktop_value(e.label)}\n",
            f"Icon={icons[e.action]}\n",
            f"Exec={command} %F\n",
        ]
    return "".join(out)


def files(
    *, env: Mapping[str, str], home: Path, python: str
) -> list[tuple[str, tuple[Entry, ...], Path, str]]:
    """What install writes on Linux: (file manager, its entries, path, text). Every
    file is made executable, the service menu too (Dolphin refuses one that is not)."""
    out: list[tuple[str, tuple[Entry, ...], Path, str]] = []
    for manager, variable, default, folder in SCRIPT_MANAGERS:
        scripts = xdg_folder(env, home, variable, default) / folder
        for entry in ENTRIES:
            out.append((manager, (entry,), scripts / entry.label, script(entry, python=python)))
    variable, default, folder = SERVICE_MENU
    menu = xdg_folder(env, home, variable, default) / folder / f"{NAME}.desktop"
    out.append(("dolphin", ENTRIES, menu, service_menu(python=python)))
    return out
