"""What folder-kit keeps per user, outside any workspace: the per-user state
folder (``state_base``), and there, between runs, what would cost a command more
to work out again than its own work: answers a library gave (``Kept``: the
holidays library's calendars, 80 ms of a 250 ms `due` in the sample workspace;
pycountry's reading of the countries Contact.txt names), and what a file's bytes
were parsed into (``kept_parse``: folder-kit.yaml and the layout, whose YAML
library alone takes 10 ms to import).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from folder_kit import __version__
from folder_kit.files import write_replacing

ENV_STATE = "FOLDER_KIT_STATE"

Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


def state_base(*, env: dict[str, str] | None = None) -> Path:
    """``$FOLDER_KIT_STATE``, else the user state folder: where the workspaces' state
    folders are, and what folder-kit keeps per user (the file-manager entries it
    wrote, the answers ``Kept``)."""
    env = dict(os.environ) if env is None else env
    base = env.get(ENV_STATE)
    if not base:
        from platformdirs import user_state_dir

        base = user_state_dir("folder-kit", appauthor=False)
    # Absolute: worker processes and later commands may run from another folder.
    return Path(base).absolute()


# What is kept goes only into a state folder that is there already (a scan makes
# it, with the first index): a command that made none (a dry run, `--help`, a state
# folder refused on a network drive) leaves none behind.


class Kept:
    """A library's answers by key, in ``<name>-<stamp>.json`` in the per-user state
    folder, the stamp naming the library as installed (where its ``__init__`` is,
    its size and time: another version makes another file), read once a process.
    Only a copy: a file that cannot be read or written, or an answer that is not
    what ``get`` is told to expect, is asked of the library again."""

    def __init__(self, name: str, library: str) -> None:
        self.name = name
        self.library = library
        self._stamp: str | None = None
        self._kept: dict[str, Json] | None = None

    def get(self, key: str, valid: Callable[[Json], bool]) -> tuple[bool, Json]:
        """Whether an answer to ``key`` is kept (and ``valid``), and the answer."""
        kept = self._load()
        if key in kept and valid(kept[key]):
            return True, kept[key]
        return False, None

    def put(self, key: str, answer: Json) -> None:
        kept = self._load()
        kept[key] = answer
        path = self._file()
        if path is None or not path.parent.is_dir():  # only where state is kept already
            return
        with contextlib.suppress(OSError):  # else asked of the library again next time
            write_replacing(path, json.dumps(kept, ensure_ascii=False).encode("utf-8"))

    def _load(self) -> dict[str, Json]:
        if self._kept is None:
            path = self._file()
            try:
                data = json.loads(path.read_bytes()) if path is not None else {}
            except (OSError, ValueError):
                data = {}
            self._kept = data if isinstance(data, dict) else {}
        return self._kept

    def _file(self) -> Path | None:
        if self._stamp is None:
            spec = importlib.util.find_spec(self.library)
            try:
                st = os.stat(spec.origin) if spec is not None and spec.origin else None
            except OSError:
                st = None
            if spec is None or st is None:
                return None
            where = f"{spec.origin}\0{st.st_size}\0{st.st_mtime_ns}"
            self._stamp = hashlib.sha256(where.encode("utf-8", "replace")).hexdigest()[:16]
        return state_base() / f"{self.name}-{self._stamp}.json"


T = TypeVar("T")


def kept_parse(name: str, data: bytes, parse: Callable[[], T], kind: type[T]) -> T:
    """``parse()``: what ``data`` means, kept per user (``parsed/<name>.pickle`` in
    the state folder, with a digest of ``data``, of ``name`` and of this package's
    code as installed, ``code_stamp``): the same bytes read by the same code give
    what was kept, without parsing, nor importing the parser. Content-addressed,
    so never stale: an edited file has other bytes. Only a copy: one that cannot
    be read, is of another ``kind``, or cannot be written, and ``parse`` runs. What
    ``parse`` raises is raised, and nothing is kept."""
    import pickle

    digest = hashlib.sha256(f"{name}\0{code_stamp()}\0".encode() + data).hexdigest()
    path = state_base() / "parsed" / f"{name}.pickle"
    try:
        kept_digest, value = pickle.loads(path.read_bytes())
        if kept_digest == digest and isinstance(value, kind):
            return value
    except Exception:
        pass
    value = parse()
    if path.parent.parent.is_dir():  # only where state is kept already
        try:
            path.parent.mkdir(exist_ok=True)
            data = pickle.dumps((digest, value), protocol=pickle.HIGHEST_PROTOCOL)
            write_replacing(path, data)
        except OSError:
            pass  # parsed again next time
    return value


@cache
def code_stamp() -> str:
    """This package's code as installed: its version, and the size and time of each
    module in ``workspace/`` (where what ``kept_parse`` keeps is defined), so that
    a copy kept by other code is never taken for this code's."""
    folder = Path(__file__).resolve().parent / "workspace"
    parts = [__version__]
    try:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    st = entry.stat()
                    parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    except OSError:
        parts.append("?")
    return "\n".join(parts)
