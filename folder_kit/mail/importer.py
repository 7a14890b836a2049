"""`mail import`: the messages of mail sources filed into the customers' OUT/ and IN/.

Each message is read once, as it streams out of its source: its key (what the
index keys every saved mail by), the day a scan will date it, who it names. The
cards say whose it is (``matching.decide``); a message already in that
customer's folders, saved by hand or filed before, is left alone, which holds
with the state folder deleted since the index is rebuilt from the files. A
reply that matches nobody yet waits for the end of the run: the mail it answers
may come later, in the same source or the next one. Only those found a
customer then are read again, from their sources.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from folder_kit.errors import MailError, MailSourceError, UsageError, quoted
from folder_kit.mail.matching import Decision, Directory, Parties, decide, normal
from folder_kit.mail.parties import read_key_and_parties, read_parties
from folder_kit.mail.sources import SourceMessage, SourceWarning, detect_source, read_source
from folder_kit.timeline.classify import date_text
from folder_kit.timeline.events import fresh_index, indexed_customers
from folder_kit.timeline.instants import Zone, user_zone
from folder_kit.timeline.mail import read_message_data
from folder_kit.timeline.unmatched import (
    Sighting,
    forget_sightings,
    read_sightings,
    record_sightings,
)
from folder_kit.workspace.customers import Customer
from folder_kit.workspace.filing import (
    NO_SUBJECT,
    Filer,
    Filing,
    mail_stem,
    remove_stale_temps_of,
)
from folder_kit.workspace.find import Workspace

if TYPE_CHECKING:
    from folder_kit.mail.correspondents import Correspondent
    from folder_kit.workspace.config import Config

__all__ = [
    "Filed",
    "ImportResult",
    "Importer",
    "Progress",
    "Read",
    "import_mail",
    "list_unmatched",
    "my_addresses",
]

_ADDRESS_SHAPE = r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+"


@dataclass(frozen=True)
class Filed:
    """One message filed (or, with --dry-run, to be filed) for one customer."""

    customer: str  # the customer's folder name
    kind: Literal["out", "in"]
    path: str  # workspace-relative, "/"-separated
    message_id: str

    def as_json(self) -> dict[str, object]:
        return {
            "customer": self.customer,
            "kind": self.kind,
            "path": self.path,
            "message_id": self.message_id,
        }


@dataclass
class ImportResult:
    """What an import did: docs/cli.md, `mail import --json`."""

    messages: int = 0
    filed: list[Filed] = field(default_factory=list)
    known: int = 0
    unmatched: int = 0
    internal: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "messages": self.messages,
            "filed": [f.as_json() for f in self.filed],
            "known": self.known,
            "unmatched": self.unmatched,
            "internal": self.internal,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Progress:
    """How far an import (or a sync) is: messages read, and how much of the work is done."""

    messages: int
    done: int  # bytes of messages read (messages, for a sync)
    total: int | None  # bytes of the sources (messages to read), None where not known up front
    unit: Literal["bytes", "messages"] = "bytes"
    label: str = "Importing mail"


@dataclass(frozen=True, slots=True)
class Read:
    """What the importer keeps of a message it has read."""

    key: str
    day: dt.date
    subject: str
    parties: Parties


@dataclass(frozen=True, slots=True)
class _Deferred:
    """A reply that matched nobody: where to find it again, and what it said."""

    path: Path
    index: int | None
    read: Read
    decision: Decision


def import_mail(
    ws: Workspace,
    paths: Sequence[Path],
    *,
    me: Sequence[str] = (),
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> ImportResult:
    """File the messages of the mail sources at ``paths`` (docs/cli.md, "Mail").

    Every path is looked at before anything is filed: one that is missing or is
    no mail source raises MailSourceError. ``me``: my addresses besides
    ``me.email``. With ``dry_run`` nothing is written, not even the record of
    unmatched mail; the result says what would be filed.
    """
    mine = my_addresses(ws.config, me)
    for path in paths:
        detect_source(path)
    with importing(ws, dry_run=dry_run, mine=mine, progress=progress, paths=paths) as importer:
        for path in paths:
            importer.run(path)
        importer.finish()
    importer.result.filed = [f.done() for f in importer.filings]
    return importer.result


@contextmanager
def importing(
    ws: Workspace,
    *,
    dry_run: bool,
    mine: list[str],
    progress: Callable[[Progress], None] | None,
    paths: Sequence[Path] = (),
    result: ImportResult | None = None,
) -> Iterator[Importer]:
    """An importer ready to file (`mail import` and `mail sync` alike): its filer,
    the customers with their addresses and what each has filed (from an index made
    current first), and no temporary file left behind by an earlier run."""
    with Filer(ws, dry_run=dry_run) as filer:
        importer = Importer(ws, filer, mine=mine, progress=progress, paths=paths, result=result)
        with fresh_index(ws) as index:
            importer.load(
                index.card_addresses(), index.filed_messages(), indexed_customers(ws, index)
            )
        if not dry_run:
            remove_stale_temps_of(ws, importer.customers.values())
        yield importer


def my_addresses(config: Config, given: Sequence[str] = ()) -> list[str]:
    """My addresses (docs/cli.md, "Whose mail is it"): ``given`` (``--me``),
    ``me.email`` and every mail account's."""
    import re

    found: list[str] = []
    for address in given:
        if not re.fullmatch(_ADDRESS_SHAPE, address.strip()):
            raise UsageError(f"--me {quoted(address, limit=80)} is not a mail address")
        found.append(normal(address))
    if config.me.email.strip():
        found.append(normal(config.me.email))
    for account in config.mail.accounts:
        found += (normal(a) for a in account.my_addresses())
    return list(dict.fromkeys(found))


class Importer:
    """Decides whose each message is and files it: driven by ``import_mail`` over
    mail sources, and by ``sync.sync_accounts`` over IMAP folders."""

    def __init__(
        self,
        ws: Workspace,
        filer: Filer,
        *,
        mine: list[str],
        progress: Callable[[Progress], None] | None,
        paths: Sequence[Path],
        result: ImportResult | None = None,
    ) -> None:
        self.ws = ws
        self.zone = user_zone(ws.config.timezone)
        self.filer = filer
        self.mine = mine
        self.dry_run = filer.dry_run
        self.progress = progress
        self.total = _total_bytes(paths) if progress is not None else None
        self.done = 0
        self.result = result if result is not None else ImportResult()
        self.directory = Directory(cards=(), mine=mine)
        self.filed: dict[str, set[str]] = {}  # mail key -> customer keys it is filed for
        self.customers: dict[str, Customer] = {}
        self.deferred: list[_Deferred] = []
        self.sightings: list[Sighting] = []
        self.claimed: set[str] = set()  # keys of messages filed or known this run
        self.filings: list[_Filing] = []  # in the order filed; named once the filer flushes

    def load(
        self,
        cards: Iterable[tuple[str, str]],
        filed: Iterable[tuple[str, str]],
        customers: Iterable[Customer],
    ) -> None:
        settings = self.ws.config.mail
        self.directory = Directory(
            cards=cards,
            mine=self.mine,
            free_mail=settings.free_mail_domains,
            match_domains=settings.match_domains,
        )
        for key, customer in filed:
            self.filed.setdefault(key, set()).add(customer)
        self.customers = {c.key: c for c in customers}

    def run(self, path: Path) -> None:
        for item in read_source(path):
            if isinstance(item, SourceWarning):
                self.result.warnings.append(str(item))
                continue
            if self.known(item):
                self.result.messages += 1
                self.result.known += 1
                self.tick(len(item.data))
                continue
            read = self.read(item)
            if read is None:
                continue
            self.result.messages += 1
            decision = decide(read.parties, self.directory, self.filed)
            if decision.verdict == "unmatched" and read.parties.references:
                self.deferred.append(_Deferred(item.path, item.index, read, decision))
            else:
                self.settle(item, read, decision)
            self.tick(len(item.data))

    def finish(self) -> None:
        """The replies that waited: those whose thread is known now are read again and
        filed (a reply to a reply too, found in as many rounds as it takes)."""
        found: dict[tuple[Path, int | None], Decision] = {}
        pending: dict[str, set[str]] = {}  # keys of replies found, before they are filed

        def threads(key: str) -> set[str]:
            return self.filed.get(key, set()) | pending.get(key, set())

        waiting = self.deferred
        while waiting:
            still = []
            for d in waiting:
                decision = decide(d.read.parties, self.directory, threads)
                if decision.verdict == "filed":
                    found[(d.path, d.index)] = decision
                    pending.setdefault(d.read.key, set()).update(decision.customers)
                else:
                    still.append(d)
            if len(still) == len(waiting):
                break
            waiting = still
        for d in waiting:
            self.settle(None, d.read, d.decision)
        if found:
            self.file_again(found)
        if not self.dry_run:
            forget_sightings(self.ws.root, self.claimed)
            record_sightings(self.ws.root, self.sightings)

    def file_again(self, found: dict[tuple[Path, int | None], Decision]) -> None:
        """Read the sources of the replies found again, and file those replies."""
        for source in dict.fromkeys(path for path, _ in found):
            for item in _messages_of(source, self.result.warnings):
                decision = found.pop((item.path, item.index), None)
                if decision is None:
                    continue
                read = self.read(item, warn=False)
                if read is not None:
                    self.settle(item, read, decision)
        for path, index in found:  # the source changed since it was read
            where = str(path) if index is None else f"{path}, message {index + 1}"
            self.result.warnings.append(f"{where}: no longer there when read again; not filed")

    def known(self, item: SourceMessage) -> bool:
        """Whether the message is filed already for every customer it is for, told
        from one reading of its header block (its Message-ID, all its bytes
        hashed only for mail without one; its parties only where the key is
        one the workspace has) before its date and subject are read: importing
        a source again costs little more than reading it. False sends the
        message the whole way, as does any doubt (an Outlook .msg, no header)."""
        read = read_key_and_parties(item.data)
        if read is None or read[0] not in self.filed:
            return False
        key, parties = read
        decision = decide(parties, self.directory, self.filed)
        if decision.verdict != "filed":
            return False
        already = self.filed[key]
        if any(c not in already and c in self.customers for c in decision.customers):
            return False
        self.claimed.add(key)
        return True

    def read(
        self, item: SourceMessage, *, warn: bool = True, where: str | None = None
    ) -> Read | None:
        """What the message says; None (and a warning naming ``where``, else its
        place in its source) for one that cannot be read."""
        try:
            info = read_message_data(item.data, path=item.path)
            parties = read_parties(item.data, path=item.path)
        except MailError as e:
            if warn:
                if where is None:
                    where = str(item.path)
                    if item.index is not None:
                        where += f", message {item.index + 1}"
                self.result.warnings.append(f"{where}: {e.reason}")
            return None
        key = info.message_id
        if key is None:  # an .msg without Message-ID is keyed by its bytes by the reader
            return None
        return Read(key, _day(info.date, item, self.zone), info.subject or "", parties)

    def settle(self, item: SourceMessage | None, read: Read, decision: Decision) -> None:
        """File a message whose fate is known, or count it as not filed."""
        if decision.verdict == "internal":
            self.result.internal += 1
            return
        if decision.verdict == "unmatched" or item is None:  # None: a reply never placed
            self.result.unmatched += 1
            self.sightings.extend(
                Sighting(address, read.key, read.day.isoformat(), read.subject)
                for address in decision.correspondents
            )
            return
        self.claimed.add(read.key)
        already = self.filed.setdefault(read.key, set())
        new = [c for c in decision.customers if c not in already and c in self.customers]
        if not new:
            self.result.known += 1
            return
        for key in new:
            filing = self.file(item, read, self.customers[key], decision.direction)
            already.add(key)
            self.filings.append(_Filing(self.ws, filing, decision.direction, read.key))

    def file(
        self, item: SourceMessage, read: Read, customer: Customer, kind: Literal["out", "in"]
    ) -> Filing:
        stem = mail_stem(read.day, read.subject) or mail_stem(read.day, NO_SUBJECT)
        assert stem is not None
        return self.filer.add(
            customer,
            kind,
            stem=stem,
            suffix=".msg" if item.kind == "msg" else ".eml",
            data=item.data,
            keep=len(read.day.isoformat()),
        )

    def tick(self, size: int) -> None:
        if self.progress is None:
            return
        self.done += size
        self.progress(Progress(self.result.messages, self.done, self.total))


@dataclass(frozen=True, slots=True)
class _Filing:
    """A message handed to the filer, which names it when its batch is flushed."""

    ws: Workspace
    filing: Filing
    kind: Literal["out", "in"]
    key: str

    def done(self) -> Filed:
        path = self.ws.relative(self.filing.path)
        return Filed(self.filing.customer.name, self.kind, path, self.key)


def _day(date: dt.datetime | None, item: SourceMessage, zone: Zone) -> dt.date:
    """The day a scan will date the filed message by, in the user's zone: its own
    date (unless later than the file, saved now, can have arrived), else (named so)
    the day in its file name: the mbox ``From `` line's, else the source's mtime."""
    when = date if date is not None else item.envelope_date
    saved = time.time() if when is not None else item.mtime.timestamp()
    _, day, _, _ = date_text("", saved, when, zone)
    return dt.date.fromisoformat(day)


def _messages_of(source: Path, warnings: list[str]) -> Iterator[SourceMessage]:
    try:
        for item in read_source(source):
            if isinstance(item, SourceMessage):
                yield item
    except MailSourceError as e:
        warnings.append(str(e))


def _total_bytes(paths: Sequence[Path]) -> int | None:
    """The sources' size where each is one file read as it streams (an mbox, a
    single message); None where a folder or a .pst leaves the work unknown."""
    total = 0
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or detect_source(path) == "pst":
            return None
        total += info.st_size
    return total


def list_unmatched(ws: Workspace) -> list[Correspondent]:
    """`mail unmatched`: the correspondents of unmatched mail the last imports saw,
    less those a card claims now, most messages first."""
    from folder_kit.mail.correspondents import group_unmatched

    with fresh_index(ws) as index:
        cards = index.card_addresses()
    settings = ws.config.mail
    directory = Directory(
        cards=cards,
        mine=my_addresses(ws.config),
        free_mail=settings.free_mail_domains,
        match_domains=settings.match_domains,
    )
    return group_unmatched(read_sightings(ws.root), directory)
