"""What every command shares: the workspace option, grade choice, tables and JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from itertools import chain, islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from folder_kit.cli import WORKSPACE_HELP
from folder_kit.errors import shown, visible

if TYPE_CHECKING:
    from folder_kit.workspace.find import Workspace


class GradeChoice(click.Choice[str]):
    """A–D or P, typed in either case, shown in capitals."""

    def __init__(self) -> None:
        super().__init__(["A", "B", "C", "D", "P"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return super().convert(value.upper() if isinstance(value, str) else value, param, ctx)


GRADE_CHOICE = GradeChoice()
MAX_CELL = 160  # characters of one table cell: file names fit, a 4 MB company does not


# JSON goes out as UTF-8 bytes with LF line endings, written past the text layer,
# so that its bytes are the same on every system and whatever the stream's own
# encoding and newline setting (a Windows text stream would write CRLF).


# Where JSON goes instead of stdout, in this thread: the running watcher answering
# a reader (``answers``) runs the command and sends back what it wrote.
JSON_OUT: ContextVar[IO[bytes] | None] = ContextVar("JSON_OUT", default=None)


def _write(data: bytes) -> None:
    out = JSON_OUT.get()
    if out is not None:
        out.write(data)
        return
    click.echo(data, nl=False)


def print_json(value: object) -> None:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` would give it,
    with what a terminal or a reader would take for something else escaped."""
    for piece in json_pieces(value):
        if isinstance(piece, bytes):
            _write(_escape_raw_utf8(piece))
        else:
            _write(_escape_raw(piece).encode("utf-8"))
    _write(b"\n")


# In UTF-8, every character _JSON_RAW escapes but the lone surrogates (which
# neither orjson nor SQLite writes) begins with one of these bytes: JSON text
# without them needs no escaping. Looking for one byte is a memchr (3 ms in 35 MB
# of text, where a two-byte string takes 25 ms and the regex over the text
# 0.12 s); where 0xE2 is found (“quotes” — dashes…), the bytes are looked at
# more closely before the whole text is.
_RAW_UTF8_BYTES = (b"\x7f", b"\xc2", b"\xe2")
_RAW_UTF8 = re.compile(b"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def _escape_raw_utf8(data: bytes) -> bytes:
    """``_escape_raw`` for UTF-8 JSON text without lone surrogates (orjson's, SQLite's)."""
    if all(data.find(byte) < 0 for byte in _RAW_UTF8_BYTES) or not _RAW_UTF8.search(data):
        return data
    return _escape_raw(data.decode("utf-8")).encode("utf-8")


def _escape_raw(text: str) -> str:
    # json escapes C0 controls itself; DEL, C1 controls, separators and lone
    # surrogates it leaves raw with ensure_ascii=False: escape those too.
    return _JSON_RAW.sub(_escaped, text)


_SCALARS = {str, int, float, bool, type(None)}
_CHUNK = 2000  # objects encoded at a time: big enough for C to do the work, small in memory
_SEAM = "\n  },\n  {\n    "  # between two objects of the list, as indent=2 writes it


def json_pieces(value: object) -> Iterator[str | bytes]:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, byte for byte, in pieces
    and faster: text, or orjson's UTF-8 bytes (which never hold a lone surrogate).

    With ``indent`` set, the json module leaves its C encoder for the pure-Python
    one, which is about three times slower. What the commands print
    is mostly a list of flat objects (events, customers): that shape is encoded
    here by the C encoder, a chunk of objects at a time, with the separators
    that indent writes inside an object; the seams between objects are then
    made into what indent writes there. A raw newline cannot occur inside an
    encoded string (it is written ``\\n``), so ``},\\n    {`` is found only at a
    seam. Anything else goes to json.dumps itself.
    """
    types = _flat_list_types(value)
    if types is None:
        yield json.dumps(value, ensure_ascii=False, indent=2)
        return
    assert isinstance(value, list)
    fast = _orjson() if len(value) >= ORJSON_MIN and float not in types else None
    if fast is not None:
        # orjson writes indent=2 as json does, for strings, ints, bools and None;
        # floats it writes otherwise, so they are left to json. It refuses lone
        # surrogates and ints beyond 64 bits (TypeError): json does those.
        try:
            yield fast.dumps(value, option=fast.OPT_INDENT_2)
            return
        except TypeError:
            pass
    yield "[\n  {\n    "
    for start in range(0, len(value), _CHUNK):
        if start:
            yield _SEAM
        flat = json.dumps(value[start : start + _CHUNK], ensure_ascii=False, separators=_INSIDE)
        yield flat[2:-2].replace("},\n    {", _SEAM)
    yield "\n  }\n]"


def _flat_list_types(value: object) -> set[type] | None:
    """The types of the values of a non-empty list of non-empty flat objects; None
    for anything else (a nested list or object would have seams of its own)."""
    if type(value) is not list or not value:
        return None
    if not all(type(item) is dict and item for item in value):
        return None
    types = set(map(type, chain.from_iterable(map(dict.values, value))))  # gathered in C
    return types if types <= _SCALARS else None


# orjson, an optional extra (`pip install folder-kit[fast]`), encodes a long list
# about ten times faster than json; below this many objects its import costs more
# than it saves.
ORJSON_MIN = 1000


def _orjson() -> Any:
    try:
        import orjson
    except ImportError:
        return None
    return orjson


_INSIDE = (",\n    ", ": ")  # the item and key separators indent=2 writes inside an object


_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def json_line(value: object) -> str:
    """One value as one line of compact JSON (JSON Lines, or a row of
    ``print_json_rows``), escaped as ``print_json`` escapes."""
    return _escape_raw(json.dumps(value, ensure_ascii=False))


def print_json_line(value: object) -> None:
    """One value as a line of JSON Lines (``json_line``), as bytes as all JSON is."""
    _write(json_line(value).encode("utf-8") + b"\n")


def say(text: str, *, err: bool = False) -> None:
    """Print one line a person reads, with control characters in the names it holds
    made visible: an escape sequence in a file name must not reach the terminal, nor
    a newline in one forge a second line."""
    click.echo(visible(text), err=err)


def say_lines(text: str) -> None:
    """Print a text of several lines (a mail's body), each made safe as ``say`` does."""
    click.echo("\n".join(visible(line) for line in text.split("\n")))


def print_json_objects(objects: Iterable[bytes]) -> None:
    """A JSON list whose objects are already written, in UTF-8, as ``json.dumps(...,
    ensure_ascii=False, indent=2)`` writes them inside a list: the same text as
    ``print_json`` of the list, escaped the same way. Taken a chunk at a time (a
    stream of objects is never held whole); nothing is written before the first
    chunk is there, so an error in making the first object leaves no output."""
    it = iter(objects)
    chunk = list(islice(it, _CHUNK))
    if not chunk:
        _write(b"[]\n")
        return
    # A chunk at a time, not joined into one bytes (35 MB at 110,000 events, then
    # copied again to add the brackets): memory that is used again is memory the
    # kernel need not hand out and zero again (about 90 ms less at 110,000 events).
    _write(b"[\n")
    while True:
        _write(_escape_raw_utf8(b",\n".join(chunk)))
        chunk = list(islice(it, _CHUNK))
        if not chunk:
            break
        _write(b",\n")
    _write(b"\n]\n")


def print_json_rows(rows: list[dict[str, object]]) -> None:
    """A JSON list of many objects, one object a line: still one JSON value, and
    written by the C encoder (``indent`` falls back to pure Python, about three
    times slower)."""
    if not rows:
        _write(b"[]\n")
        return
    # One call of the C encoder for a chunk of rows rather than one per row. With
    # ",\n" as the item separator, ',\n"' occurs only before a key or a string (a
    # raw newline never occurs inside an encoded string) and is made ', "' again.
    # What is left of ",\n" should be the seams between rows, one a line as above:
    # if there are more, an item of a list is not a string (a number, an object),
    # and that chunk is written a row at a time instead. Done on the UTF-8 bytes,
    # where replacing, counting and looking for what to escape are memchr/memmem
    # (the 26,000 rows of `check` of a large workspace, 13 MB, in 0.11 s where a dumps per
    # row took 0.2 s; in chunks for the reason print_json_objects gives).
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        text = json.dumps(chunk, ensure_ascii=False, separators=(",\n", ": "))
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: escaped by the text's own regex
            lines = text[1:-1].replace(',\n"', ', "')
            if lines.count(",\n") != len(chunk) - 1:
                lines = ",\n".join(map(json_line, chunk))
            _write((("," if start else "[") + "\n" + _escape_raw(lines)).encode("utf-8"))
            continue
        body = data[1:-1].replace(b',\n"', b', "')
        if body.count(b",\n") != len(chunk) - 1:
            body = ",\n".join(map(json_line, chunk)).encode("utf-8")
        _write(b",\n" if start else b"[\n")
        _write(_escape_raw_utf8(body))
    _write(b"\n]\n")


def print_json_object(value: dict[str, object]) -> None:
    """A JSON object with each key on a line and long lists one item a line, by
    the C encoder: for reports that may list thousands of customers."""

    dump = json_line
    parts = []
    for key, item in value.items():
        if isinstance(item, list) and item:
            inner = ",\n".join(f"    {dump(x)}" for x in item)
            parts.append(f"  {dump(key)}: [\n{inner}\n  ]")
        else:
            parts.append(f"  {dump(key)}: {dump(item)}")
    _write(("{\n" + ",\n".join(parts) + "\n}\n").encode("utf-8"))


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(
    headers: list[str],
    rows: list[list[str]],
    *,
    last_styles: Sequence[Mapping[str, Any] | None] | None = None,
) -> None:
    """Columns padded to the widest cell; every cell with its control characters
    made visible and cut to a sane length. ``last_styles`` colours each row's last
    cell (click.style keywords), after the padding, so the columns stay aligned;
    click.echo drops the colour where the output is not a terminal."""
    rows = [[shown(cell, limit=MAX_CELL) for cell in row] for row in rows]
    widths = [max(width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str], style: Mapping[str, Any] | None = None) -> str:
        padded = [c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)]
        if style and cells:
            padded[-1] = click.style(cells[-1], **style)
        return "  ".join(padded).rstrip()

    click.echo(line(headers))
    for i, row in enumerate(rows):
        click.echo(line(row, last_styles[i] if last_styles is not None else None))


TODAY_HELP = "Judge as of this day, YYYY-MM-DD (default: today); later files are not known yet."


def today_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option("--today", "today_text", metavar="YYYY-MM-DD", help=TODAY_HELP)(f)


def parse_today(text: str | None, ws: Workspace | None = None) -> dt.date:
    """``--today``, else the user's day now: in ``ws``'s time zone (the local one
    without a workspace, or when it names none)."""
    from folder_kit.timeline.dates import parse_judging_day
    from folder_kit.timeline.instants import today_in, user_zone

    if text is not None:
        return parse_judging_day(text)
    return today_in(user_zone(ws.config.timezone if ws is not None else None))


def _remember_workspace(ctx: click.Context, _: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta["folder_kit.workspace.find"] = value


def workspace_option(f: Any) -> Any:
    """``-w DIR`` after the command too: `folder-kit scan -w ~/sales` as well as
    `folder-kit -w ~/sales scan`."""
    return click.option(
        "-w",
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        expose_value=False,
        callback=_remember_workspace,
        help=WORKSPACE_HELP,
    )(f)


def workspace(ctx: click.Context) -> Workspace:
    from folder_kit.workspace.find import find_workspace, open_workspace

    return open_workspace(find_workspace(given_workspace(ctx)))


def given_workspace(ctx: click.Context) -> Path | None:
    """The folder `-w` named, after the command or before it (the group's option
    takes a string: --help makes no Path)."""
    root: Path | None = ctx.meta.get("folder_kit.workspace.find")
    if root is None:
        given = ctx.find_root().params.get("workspace")
        root = Path(given) if given is not None else None
    return root
