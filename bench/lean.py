"""Lean scan: the least a pure-Python cold scan can cost, against the floor and the real scan.

Generates bench/scan.py's tree (N customers x F files) and times, in ONE process,
in interleaved rounds, the CPU time (user + system) of:

    floor            floors.walk(folders, read=True): scandir + lstat of every entry
                     under 客户/, the first 8 KiB of every .eml/.msg read
    lean             ``lean_scan``: the floor's walk and reads, and an index row
                     made for every file (its rules listed in ``lean_scan``)
    lean + SQLite    the same, its rows written to a new SQLite file (WAL,
                     synchronous=NORMAL, one transaction, the real files table)
    real scan        folder_kit.timeline.scan.scan(ws, rebuild=True, workers=1)

and prints each as microseconds a file and as a ratio to the floor (medians over
the runs, and minimums), then how many of the lean rows equal the real index's.
In one process, with no interpreter start, the ratios say what the per-file work
costs: the gap between the lean scan and the real one is the product's rules,
the gap between the floor and the lean scan with its writes is what any
pure-Python scan pays to make an index at all. Standard library only (the real
scan is this checkout's folder_kit). Run:

    .venv/bin/python bench/lean.py --customers 2000 --files 11 --runs 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from stat import S_ISDIR
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
# This checkout's folder_kit for the real scan, not the one installed in the venv.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from floors import customer_folders, walk
from scan import bench_folder, generate, machine, size_arguments

ZONE = "Asia/Shanghai"  # the user's, written into the bench workspace's config too
CONTACT = "Contact.txt"
MAIL_SUFFIXES = (".eml", ".msg")
HEAD = 8 * 1024
# The zh layout's kind folders, by their exact names (the real scan also knows the
# en names and any case or Unicode form of them).
KINDS = {"OUT": "out", "IN": "in", "报价": "quote", "PI": "pi", "定单": "order"}
DEFAULT_TOPIC = {"quote": "quote", "pi": "order", "order": "order"}

# Subject, Date and Message-ID, each with its folded continuation lines.
HEADER = re.compile(
    rb"^(subject|date|message-id)[ \t]*:[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)",
    re.IGNORECASE | re.MULTILINE,
)
FOLD = re.compile(rb"\r?\n(?=[ \t])")
# RFC 2822 (and 822's): "[Mon, ]2 Mar 2026 10:00[:00] [+0100]", folding white space
# anywhere between the parts; the seconds and the zone may be missing, and the zone
# may be GMT, UT, UTC or Z.
DATE = re.compile(
    rb"([0-9]{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+([0-9]{2,4})\s+"
    rb"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?:\s*([+-][0-9]{4}|GMT|UTC?|Z))?"
)
MONTHS = {
    m: i
    for i, m in enumerate(
        b"jan feb mar apr may jun jul aug sep oct nov dec".split(),
        1,
    )
}
# The bench subjects' topic words (the real keyword lists hold about 200).
TOPIC_OF = {
    "price update": "price-update",
    "new price": "price-update",
    "price list": "price-update",
    "new product": "product-update",
    "catalogue": "product-update",
    "catalog": "product-update",
    "canton fair": "exhibition-invite",
    "trade fair": "exhibition-invite",
    "exhibition": "exhibition-invite",
    "quotation": "quote",
    "greetings": "holiday-greeting",
    "visit": "visit-invite",
}
TOPIC = re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, TOPIC_OF)) + r")(?![a-z0-9])")

# The real index's files table (folder_kit/timeline/index.py), without its three
# partial indexes.
FILES_TABLE = """
CREATE TABLE files(
    customer TEXT NOT NULL,
    rel TEXT NOT NULL,
    dir TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    day TEXT NOT NULL,
    at INTEGER,
    date_source TEXT NOT NULL,
    medium TEXT,
    topic TEXT,
    subject TEXT,
    message_id TEXT,
    PRIMARY KEY(customer, rel)
) WITHOUT ROWID
"""
COLUMNS = [line.split()[0] for line in FILES_TABLE.strip().splitlines()[1:15]]

Row = tuple[str, str, str, int, int, str, str, str, int, str, str, str, str | None, str | None]


def lean_scan(folders: list[str], zone: ZoneInfo) -> list[Row]:
    """The files table's rows for the customer ``folders``: the least a scan does.

    What it does: the floor's walk (scandir of every folder, an lstat of every
    entry), the kind folders (and folders inside them) of each customer read, its
    Contact.txt read and decoded but not parsed; for each .eml/.msg its first
    8 KiB read and the header block's Subject, Date and Message-ID taken by one
    regex (folded lines unfolded); the Date by one regex (RFC 2822, with or
    without the weekday, the seconds and the zone; a two- or three-digit year as
    RFC 2822 says) into an aware datetime (naive for a date with no zone, its
    instant then UTC's, as the real scan takes it), its instant, ISO text and the
    user's day in ``zone``; a mail with no usable Date, and every other file, dated by
    its mtime; a topic by one regex over the subject, then the name, else the
    kind's default; each row a tuple in one list.

    What the real scan does and this does not:
    - ignored names (``is_ignored``: temporary, lock and system files), OneDrive
      conflict copies, names that are not valid UTF-8, customer names made NFC;
    - links, FIFOs and devices: taken for files here (the real scan warns and
      skips them; a FIFO named .eml would block this read); the folder depth limit;
    - warnings of every kind (unreadable folders and files, mail dated in the
      future, links, bad cards), and the future-date check itself (a mail dated
      more than a day after its file was saved is dated by its mtime);
    - the mail reader's rules: encoded words (=?utf-8?B?...?=), charsets other
      than UTF-8, whitespace collapsed, a header block longer than 8 KiB read on,
      Outlook .msg files parsed (read here as text: no headers, dated by mtime),
      dates in forms other than RFC 2822's (email.utils), zones written as names
      other than GMT, UT, UTC or Z (EST, PDT: taken here as no zone), the
      Message-ID's key rules (here: the value without its angle brackets, lower
      case) and the hash of a mail that has none;
    - a date in a file's name (the real scan dates the bench's PDFs by it);
    - the keyword matcher's rules: its ~200 topic and medium keywords, built in
      and from the config, leftmost match across all, plurals, the invitation rule, the medium
      of a non-mail file (always "file" here);
    - the card: parsing, its digest, its addresses, its event, the cards seen;
    - grade history files and their grade rows; grade moves noted;
    - settle times (a file or folder changed in the last 2 s remembered as
      unsettled), folder mtimes and the customer rows (grade, dirs, company,
      country, people), the drafts check, the warnings table;
    - the index's other tables and partial indexes, the previous index's rows
      (a rebuild has none), the workers (the real scan here runs with one).

    One thing it does otherwise: a two- or three-digit year is read as RFC 2822
    says (00-49: 20xx, 50-999: plus 1900), where email.utils, which the real scan
    asks for such dates, reads 50-68 as 20xx and keeps a three-digit year as it is.
    """
    rows: list[Row] = []
    append = rows.append
    header, fold, date_re, topic_re = HEADER.findall, FOLD.sub, DATE.search, TOPIC.search
    months, timezone, datetime = MONTHS, dt.timezone, dt.datetime
    fromtimestamp = dt.datetime.fromtimestamp
    utc = dt.UTC
    # A date with no zone stays naive (ISO text without an offset, its instant UTC's).
    zones: dict[bytes | None, dt.timezone | None] = {
        None: None,
        b"GMT": utc,
        b"UT": utc,
        b"UTC": utc,
        b"Z": utc,
    }
    for folder in sorted(folders, key=os.path.basename):  # the index's key order
        customer = os.path.basename(folder)
        stack: list[tuple[str, str, str]] = []
        with os.scandir(folder) as it:
            for entry in it:
                st = entry.stat(follow_symlinks=False)
                name = entry.name
                if S_ISDIR(st.st_mode):
                    kind = KINDS.get(name)
                    if kind is not None:
                        stack.append((entry.path, name, kind))
                elif name == CONTACT:
                    with open(entry.path, "rb") as card:
                        card.read().decode("utf-8", "replace")
        while stack:
            path, rel, kind = stack.pop()
            with os.scandir(path) as it:
                for entry in it:
                    st = entry.stat(follow_symlinks=False)
                    name = entry.name
                    if S_ISDIR(st.st_mode):
                        stack.append((entry.path, f"{rel}/{name}", kind))
                        continue
                    folded = name.casefold()
                    when: dt.datetime | None = None
                    subject: str | None = None
                    message_id: str | None = None
                    if folded.endswith(MAIL_SUFFIXES):
                        medium = "email"
                        fd = os.open(entry.path, os.O_RDONLY)
                        try:
                            data = os.read(fd, HEAD)
                        finally:
                            os.close(fd)
                        end = data.find(b"\r\n\r\n")
                        if end < 0:
                            end = data.find(b"\n\n")
                        block = data[:end] if end >= 0 else data
                        # The first of a repeated field, as the real reader takes it.
                        fields = {k.lower(): v for k, v in reversed(header(block))}
                        if fields:
                            value = fields.get(b"subject")
                            if value:
                                if b"\n" in value:
                                    value = fold(b"", value)
                                subject = value.decode("utf-8", "replace").strip() or None
                            value = fields.get(b"message-id")
                            if value:
                                text = value.strip().strip(b"<>").lower()
                                message_id = text.decode("ascii", "replace") or None
                            value = fields.get(b"date")
                            found = date_re(value) if value else None
                            if found is not None:
                                day, month, year, hour, minute, second, offset = found.groups()
                                number = int(year)
                                if number < 1000:
                                    number += 2000 if number < 50 else 1900
                                tz = zones.get(offset)
                                try:
                                    if tz is None and offset is not None:
                                        minutes = int(offset[1:3]) * 60 + int(offset[3:5])
                                        delta = dt.timedelta(minutes=minutes)
                                        tz = zones[offset] = timezone(
                                            -delta if offset[0] == 0x2D else delta
                                        )
                                    when = datetime(
                                        number,
                                        months[month.lower()],
                                        int(day),
                                        int(hour),
                                        int(minute),
                                        int(second or 0),
                                        tzinfo=tz,
                                    )
                                except (KeyError, ValueError):
                                    when = None  # no such month, day, time or zone
                    else:
                        medium = "file"
                    if when is not None:
                        if when.tzinfo is None:
                            at = int(when.replace(tzinfo=utc).timestamp())
                        else:
                            at = int(when.timestamp())
                        date = when.isoformat()
                        day_text = fromtimestamp(at, zone).date().isoformat()
                        source = "header"
                    else:
                        at = int(st.st_mtime)
                        date = fromtimestamp(at, zone).isoformat(timespec="seconds")
                        day_text = date[:10]
                        source = "mtime"
                    found_topic = topic_re(subject.casefold()) if subject else None
                    if found_topic is None:
                        found_topic = topic_re(folded)
                    topic = (
                        TOPIC_OF[found_topic[1]]
                        if found_topic is not None
                        else DEFAULT_TOPIC.get(kind, "other")
                    )
                    file_rel = f"{rel}/{name}"
                    size, mtime_ns = st.st_size, st.st_mtime_ns
                    append((customer, file_rel, rel, size, mtime_ns, kind, date, day_text, at,
                            source, medium, topic, subject, message_id))  # fmt: skip
    return rows


def write_rows(path: Path, rows: list[Row]) -> None:
    """``rows`` into a new SQLite file at ``path`` as the real index writes its
    files: WAL, synchronous=NORMAL, its writer's cache, one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-32768")
        conn.execute("BEGIN")
        conn.execute(FILES_TABLE)
        conn.executemany(f"INSERT INTO files VALUES ({', '.join('?' * len(COLUMNS))})", rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def cpu() -> float:
    """CPU seconds (user + system) of this process and any it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def compare(real: Path, lean: Path) -> tuple[int, int, Counter[str]]:
    """Rows of the lean index equal to the real one's, rows in all (the union of
    both keys), and the columns that differ, counted over the rows that differ."""

    def load(path: Path) -> dict[tuple[str, str], tuple[object, ...]]:
        conn = sqlite3.connect(path)
        try:
            select = f"SELECT {', '.join(COLUMNS)} FROM files"
            return {(r[0], r[1]): r for r in conn.execute(select)}
        finally:
            conn.close()

    theirs, ours = load(real), load(lean)
    same, differing = 0, Counter[str]()
    for key in theirs.keys() | ours.keys():
        a, b = theirs.get(key), ours.get(key)
        if a == b:
            same += 1
        elif a is None or b is None:
            differing["missing in " + ("the real index" if a is None else "the lean one")] += 1
        else:
            differing.update(c for c, x, y in zip(COLUMNS, a, b, strict=True) if x != y)
    return same, len(theirs.keys() | ours.keys()), differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser)
    parser.set_defaults(customers=2000)
    args = parser.parse_args()

    with bench_folder(keep=args.keep, prefix="folder-kit-lean-") as tmp:
        # Before folder_kit is imported: its index goes into the temporary folder.
        os.environ["FOLDER_KIT_STATE"] = str(tmp / "state")
        from folder_kit.timeline.scan import scan
        from folder_kit.workspace.find import open_workspace

        ws = tmp / "ws"
        ws.mkdir()
        total = generate(ws, args.customers, args.files)
        with (ws / "folder-kit.yaml").open("a", encoding="utf-8") as config:
            config.write(f"timezone: {ZONE}\n")  # the lean scan's zone, for the real one too
        time.sleep(2.5)  # older than the real scan's 2 s settle time, as in scan.py
        workspace = open_workspace(ws)
        folders = customer_folders(str(ws))
        zone = ZoneInfo(ZONE)
        lean_db = tmp / "lean.sqlite"
        real_db: list[Path] = []

        def run_floor() -> None:
            walk(folders, True)

        def run_lean() -> None:
            lean_scan(folders, zone)

        def run_lean_write() -> None:
            write_rows(lean_db, lean_scan(folders, zone))

        def run_real() -> None:
            real_db[:] = [scan(workspace, rebuild=True, workers=1).index_path]

        parts: dict[str, Callable[[], None]] = {
            "floor: walk+read (floors.walk)": run_floor,
            "lean scan, rows not written": run_lean,
            "lean scan, rows into SQLite": run_lean_write,
            "real scan --rebuild, workers=1": run_real,
        }
        print(f"machine: {machine()}")
        print(f"folder_kit: {Path(sys.modules['folder_kit'].__file__ or '').parent}")
        print(f"tree: {args.customers} customers x {args.files} files = {total} files")
        cpus: dict[str, list[float]] = {label: [] for label in parts}
        loads: list[float] = []
        for round_ in range(args.runs + 1):  # the first round warms up, untimed
            loads.append(os.getloadavg()[0])
            for label, part in parts.items():
                if part is run_lean_write:
                    remove_db(lean_db)
                start = cpu()
                part()
                if round_:
                    cpus[label].append(cpu() - start)

        floor = cpus[next(iter(parts))]
        med_floor, min_floor = statistics.median(floor), min(floor)
        print(
            f"\n{args.runs} interleaved rounds after one to warm up, CPU time "
            f"(user + system), load {min(loads):.1f}-{max(loads):.1f}"
        )
        print(f"{'':<32} {'us a file':>20} {'x floor':>16}")
        print(f"{'':<32} {'median':>9} {'min':>10} {'median':>8} {'min':>7}")
        for label, values in cpus.items():
            med, low = statistics.median(values), min(values)
            print(
                f"{label:<32} {med / total * 1e6:>9.1f} {low / total * 1e6:>10.1f}"
                f" {med / med_floor:>8.2f} {low / min_floor:>7.2f}"
            )
        real = statistics.median(cpus["real scan --rebuild, workers=1"])
        lean = statistics.median(cpus["lean scan, rows into SQLite"])
        print(
            f"\nof the real scan's CPU: {med_floor / real:.0%} the floor, "
            f"{(lean - med_floor) / real:.0%} the lean scan's rows and writes beyond it, "
            f"{(real - lean) / real:.0%} the product's rules beyond the lean scan"
        )
        same, rows, differing = compare(real_db[0], lean_db)
        detail = ", ".join(f"{column} {count}" for column, count in differing.most_common())
        print(f"lean rows equal to the real index's: {same} of {rows}; differing: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
