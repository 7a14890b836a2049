"""What folder-kit keeps per user, outside any workspace: the per-user state
folder (``state_base``), and answers a library gave, kept there between runs
(``Kept``), for libraries whose import and first answers cost more than a
command's own work: the holidays library's calendars (80 ms of a 250 ms `due` in
the sample workspace), pycountry's reading of the countries Contact.txt names.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

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
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_replacing(path, json.dumps(kept, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # asked of the library again next time

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
