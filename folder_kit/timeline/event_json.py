"""An event's JSON object, defined once: ``MEMBERS``, from which both writers of it
are made. The index writes `timeline --json` in SQL (``timeline_json_sql``);
``Event.as_json`` (the watcher's lines, the tests' reference) makes the same
members in Python (``object_maker``). A member added to the table appears in both.

Each member's SQL gives its JSON text (``json_quote`` of a column, a JSON literal)
for one kind of row: ``f`` a file's row (files), ``g`` a grade move's (grades),
and ``c`` the event's customer, with two columns: ``key``, and ``folder``, the
customer folder's workspace-relative path as a JSON string without its closing
quote (a path inside the folder is joined to it as quoted text, without quoting
the folder again for every file). A member whose SQL is the same for both kinds
of event (and not optional) is the customer's alone: it is made once per
customer, and ``c`` is then the customers row, all its columns, but no folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import NamedTuple


class Member(NamedTuple):
    """One member of an event's object, in the order the object lists them."""

    name: str  # its key
    attr: str  # the Event attribute it shows
    file: str | None  # SQL of its JSON in a file's event; None: not in one
    grade: str | None  # SQL of its JSON in a grade move's event; None: not in one
    optional: bool = False  # left out of an event where it is null


MEMBERS: tuple[Member, ...] = (
    Member("customer", "customer", "json_quote(c.key)", "json_quote(c.key)"),
    Member("grade", "grade", "json_quote(c.grade)", "json_quote(c.grade)"),
    Member("kind", "kind", "json_quote(f.kind)", "'\"grade\"'"),
    Member("date", "date", "json_quote(f.date)", "json_quote(g.date)"),
    Member("date_source", "date_source", "json_quote(f.date_source)", "'\"mtime\"'"),
    Member("medium", "medium", "json_quote(f.medium)", "'null'"),
    Member("topic", "topic", "json_quote(f.topic)", "'null'"),
    Member("path", "path", "c.folder || '/' || substr(json_quote(f.rel), 2)", "c.folder || '\"'"),
    Member("subject", "subject", "json_quote(f.subject)", None, optional=True),
    Member("from", "from_grade", None, "json_quote(g.from_grade)"),
    Member("to", "to_grade", None, "json_quote(g.to_grade)"),
)

# Index.timeline_json's query: each event as json.dumps(event.as_json(), indent=2)
# writes it inside a list (two spaces deeper). The customer's own members are
# made once per customer in c, not once per event (most of a large workspace's
# events are files of customers with many): the leading ones as c.head, any
# later one as a column of its own. c holds only what the rows use (all the
# customers' columns there cost 3% more). JSON escapes character by character,
# so c.folder and the quoted path inside it without its opening quote join as
# the whole path would be written. The first column sorts as the tuple (stamp,
# customer, path, seq) would: its parts joined by NUL, which none of them holds
# and which sorts before any character, so a part that is a prefix of another
# still sorts first (one bytes value a row, not five: 20 ms less at 110,000
# events).
_SQL = """
WITH c AS MATERIALIZED (
    SELECT c.key, {head} AS head,
           substr(json_quote(:base || '/' || c.grade_folder || '/' || c.name), 1,
                  length(json_quote(:base || '/' || c.grade_folder || '/' || c.name)) - 1)
               AS folder{own}
    FROM customers AS c{where}
)
SELECT {stamp} || x'00' || c.key || x'00' || f.rel || x'00' || '0000000000',
       c.head{file} || {close}
FROM c JOIN files f ON f.customer = c.key WHERE f.kind != 'history'
UNION ALL
SELECT {stamp} || x'00' || c.key || x'00' || x'00' || printf('%010d', g.seq),
       c.head{grade} || {close}
FROM c JOIN grades g ON g.customer = c.key
"""


def timeline_json_sql(members: Sequence[Member], *, stamp: str, keyed: bool) -> str:
    """The query of every event's object as ``members`` define it (one customer's,
    ``:customer``, when ``keyed``), each row its sort key and its object; ``stamp``
    is the SQL of an event's stamp (``instants.STAMP_SQL``), ``:base`` the name of
    the customers folder."""
    first = members[0] if members else None
    if first is None or first.optional or first.file is None or first.grade is None:
        # The object opens with it; one that can be missing would leave a comma
        # or none to decide per row.
        raise ValueError("an event's first member must be in every event")
    leading = 0
    while leading < len(members) and _customers_own(members[leading]):
        leading += 1
    head = " || ".join(_member(n, m, str(m.file)) for n, m in enumerate(members[:leading]))
    own = "".join(
        f",\n           {m.file} AS own{n}"
        for n, m in enumerate(members)
        if n >= leading and _customers_own(m)
    )
    file, grade = [], []
    for n, m in enumerate(members[leading:], start=leading):
        if _customers_own(m):
            file.append(" || " + _member(n, m, f"c.own{n}"))
            grade.append(" || " + _member(n, m, f"c.own{n}"))
            continue
        if m.file is not None:
            file.append(" || " + _member(n, m, m.file))
        if m.grade is not None:
            grade.append(" || " + _member(n, m, m.grade))
    return _SQL.format(
        head=head or "''",
        own=own,
        where=" WHERE c.key = :customer" if keyed else "",
        stamp=stamp,
        file="".join(file),
        grade="".join(grade),
        close=_sql_text("\n  }"),
    )


def _customers_own(member: Member) -> bool:
    """Whether ``member`` is the customer's alone: the same SQL for both kinds of
    event, and no per-row folder (c.folder is made beside it, not before it)."""
    return (
        member.file is not None
        and member.file == member.grade
        and not member.optional
        and re.search(r"\bc\.folder\b", member.file) is None
    )


def _opening(n: int) -> str:
    """What comes before the ``n``-th member's name, as json.dumps(indent=2) writes
    an object inside a list."""
    return "  {\n    " if n == 0 else ",\n    "


def _member(n: int, member: Member, value: str) -> str:
    """The SQL of the ``n``-th member in the object, whose JSON ``value`` gives."""
    text = _sql_text(_opening(n) + f'"{member.name}": ')
    if not member.optional:
        return f"{text} || {value}"
    # Left out where its JSON is null, which json_quote(x) is exactly when x is
    # NULL: that is the test then, rather than quoting x twice.
    quoted = re.fullmatch(r"json_quote\(([\w.]+)\)", value)
    null = f"{quoted[1]} IS NULL" if quoted else f"{value} = 'null'"
    return f"CASE WHEN {null} THEN '' ELSE {text} || {value} END"


def _sql_text(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def object_maker(
    members: Sequence[Member], fields: Sequence[str], *, grade: bool
) -> Callable[[tuple[object, ...]], dict[str, object]]:
    """What makes the object of a file's event (``grade`` False) or a grade move's
    from an Event, a tuple whose ``fields`` are named, as ``members`` define it.
    Its values are taken in C (one itemgetter, one dict of a zip): the watcher's
    first reconcile makes one for every event of the workspace."""
    shown = [m for m in members if (m.grade if grade else m.file) is not None]
    names = tuple(m.name for m in shown)
    at = [fields.index(m.attr) for m in shown]
    values: Callable[[tuple[object, ...]], tuple[object, ...]] = (
        itemgetter(*at) if len(at) > 1 else lambda event: tuple(event[i] for i in at)
    )
    optional = tuple(m.name for m in shown if m.optional)

    def make(event: tuple[object, ...]) -> dict[str, object]:
        out = dict(zip(names, values(event), strict=True))
        for name in optional:
            if out[name] is None:
                del out[name]
        return out

    return make
