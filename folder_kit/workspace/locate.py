"""Where a path lies in a workspace: which customer, which of its folders.

The one answer to "which customer does this path belong to?", shared by the
scan (which customers a watcher's paths name), the watcher (which folder an
event names), the commands that take a path (``log .`` inside a customer
folder) and the tests of what a file means. Pure string work: no file system.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal, NamedTuple

from folder_kit.workspace.contact import CONTACT_FILE
from folder_kit.workspace.layout import (
    Grade,
    Kind,
    customers_folder_names,
    grade_of_folder,
    kind_of_folder,
)

Level = Literal["customer", "grades", "root", "outside"]


class Location(NamedTuple):
    """Where a path lies.

    ``customer``: in a customer folder or that folder itself: ``folder`` is its
    path, ``rel`` the path inside it ("/"-separated, "" for the folder itself),
    ``kind`` the kind of the folder of ``rel`` at the customer's top (OUT, IN,
    报价...; "card" for its Contact.txt; None for anything else). ``grades``: the
    customers folder itself or an entry of it, which only a full scan can settle.
    ``root``: a file or folder directly in the workspace (``rel`` is its name; ""
    for the workspace folder itself). ``outside``: anywhere else.

    ``grade``: the grade the grade folder stands for, None when its name is no
    grade's (a customer folder is one only inside a grade folder; the walk warns
    about the rest).
    """

    level: Level
    grade_folder: str = ""  # as on disk
    grade: Grade | None = None
    customer: str = ""  # the customer folder's name, as on disk
    folder: str = ""
    rel: str = ""
    kind: Kind | Literal["card"] | None = None


_OUTSIDE = Location("outside")


def locate(path: str | os.PathLike[str], *, root: str, customers: str) -> Location:
    """The location of ``path`` (absolute, or relative as ``root`` is) in the workspace
    at ``root`` whose customers folder is ``customers``; ``folder`` is given the same way."""
    path = os.fspath(path)
    if not path:
        return _OUTSIDE
    if path == customers or path.startswith(customers + os.sep):
        rest = path[len(customers) + 1 :]
        return _under_customers(rest.split(os.sep) if rest else [], customers, os.sep)
    if path == root:
        return Location("root")
    if os.path.dirname(path) == root:
        return Location("root", rel=os.path.basename(path))
    return _OUTSIDE


def locate_parts(parts: Sequence[str]) -> Location:
    """The location of a workspace-relative path given as its parts, the customers
    folder under the name of either layout language (客户/ or Customers/)."""
    if not parts:
        return Location("root")
    if parts[0] in customers_folder_names():
        return _under_customers(parts[1:], parts[0], "/")
    if len(parts) == 1:
        return Location("root", rel=parts[0])
    return _OUTSIDE


def _under_customers(parts: Sequence[str], base: str, sep: str) -> Location:
    if len(parts) < 2:
        grade_folder = parts[0] if parts else ""
        return Location("grades", grade_folder, grade_of_folder(grade_folder) if parts else None)
    grade_folder, name = parts[0], parts[1]
    kind: Kind | Literal["card"] | None = None
    if len(parts) == 3 and parts[2] == CONTACT_FILE:
        kind = "card"
    elif len(parts) > 2:
        kind = kind_of_folder(parts[2])
    return Location(
        "customer",
        grade_folder,
        grade_of_folder(grade_folder),
        name,
        f"{base}{sep}{grade_folder}{sep}{name}",
        "/".join(parts[2:]),
        kind,
    )
