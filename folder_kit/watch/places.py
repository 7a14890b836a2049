"""Which folder a file-system event names: pure string work on absolute paths."""

from __future__ import annotations

import os
from typing import Literal, NamedTuple

Level = Literal["customer", "grades", "root", "outside"]


class Place(NamedTuple):
    """Where an event happened.

    ``customer``: inside a customer folder (``folder`` is that folder, ``rel`` the
    path inside it, "" for the folder itself); ``grades``: the customers folder or a
    grade folder itself, which only a full reconcile can settle; ``root``: a file or
    folder directly in the workspace (``rel`` is its name); ``outside``: elsewhere.
    """

    level: Level
    folder: str = ""
    rel: str = ""


def place_of(root: str, customers: str, path: str) -> Place:
    """The place of ``path`` in a workspace at ``root`` whose customers folder is ``customers``."""
    if not path:
        return Place("outside")
    if path == customers or path.startswith(customers + os.sep):
        rest = path[len(customers) + 1 :]
        parts = rest.split(os.sep) if rest else []
        if len(parts) < 2:
            return Place("grades")
        folder = os.path.join(customers, parts[0], parts[1])
        return Place("customer", folder, "/".join(parts[2:]))
    if os.path.dirname(path) == root:
        return Place("root", rel=os.path.basename(path))
    return Place("outside")
