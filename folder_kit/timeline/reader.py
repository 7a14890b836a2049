"""Reading one customer folder into index changes: its card, its grade history,
its OUT/IN/报价/PI/定单 folders and the files in them. Runs in any process; in
a worker process it has no index (its customers are new to it). Reading writes
nothing into the workspace: a grade move to note is handed back (``GradeMove``)
for the scan's own step that writes notes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from folder_kit import placeholders
from folder_kit.errors import MailError
from folder_kit.files import kind_of
from folder_kit.timeline.classify import MAIL_SUFFIXES, Classifier, classify
from folder_kit.timeline.index import (
    Changes,
    CustomerRow,
    FileRow,
    GradeRow,
    Index,
    WarningRow,
    pack_dirs,
    unpack_dirs,
)
from folder_kit.timeline.instants import day_of, instant, sent_in_future, user_zone
from folder_kit.workspace.contact import CONTACT_FILE, card_addresses, card_digest, read_card
from folder_kit.workspace.customers import Found, link_problem, printable, valid_name
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.history import HISTORY_FILE, GradeChange, read_history
from folder_kit.workspace.ignore import (
    computer_names,
    is_ignored,
    onedrive_copies,
    onedrive_pattern,
)
from folder_kit.workspace.layout import Grade, kind_of_folder

if TYPE_CHECKING:
    from folder_kit.timeline.mail import MessageInfo

# A folder or file changed this recently may still be changing (a mail client
# still writing, a second change within the file system's time resolution):
# it is looked at again by the next scan. FAT and some sync mounts keep times
# to 2 seconds.
SETTLE_NS = 2_000_000_000
# Folders nested deeper than this inside OUT/IN/... are not read (a warning says so).
MAX_DEPTH = 32

Stamp = tuple[int, int]  # size, mtime_ns
Dated = dict[str, list[tuple[str, int, int]]]  # folder -> (rel, size, mtime_ns)


class Job(NamedTuple):
    """One customer folder to read, with what the index knew of it (a NamedTuple:
    one is made per customer on every scan, and sent to worker processes)."""

    grade: Grade
    key: str  # the folder name, NFC
    name: str  # as on disk
    path: str
    grade_folder: str
    prev: CustomerRow | None = None
    card: Stamp | None = None
    history: Stamp | None = None
    grade_count: int = 0  # grade events the index holds
    mtime_dated: Dated | None = None  # files dated by mtime, by folder
    seen: str | None = None  # its card as first seen (contact.card_digest); None: never
    card_event: bool = False  # the index holds a card event (the card changed since seen)


class GradeMove(NamedTuple):
    """A customer found in another grade than its history note last shows: the
    move to note in that file (by ``scan.note_grade_moves``), with what the index
    knew of the note, to read it back after."""

    key: str
    path: str  # the customer folder
    shown: str  # the customer folder as warnings name it: 客户/B-在谈客户/ACME
    source: str
    target: Grade
    history: Stamp | None  # the note as the index knew it
    grade_count: int  # grade events the index holds
    when: str = ""  # when it was noticed, for a move noticed by an earlier scan


Result = tuple[Changes, int, int]  # what a batch found, its new events, its customers


def unchanged(at: Found | Job, prev: CustomerRow, mtime_ns: int) -> bool:
    """The no-change check of a known customer found ``at`` a place, kept to its
    stat calls: the customer folder (done), Contact.txt, and each folder the index
    knows. (Its history note and files dated by mtime are the caller's to check.)"""
    if (
        prev.mtime_ns != mtime_ns
        or mtime_ns == 0
        or prev.grade != at.grade
        or prev.grade_folder != at.grade_folder
        or prev.name != at.name
    ):
        return False
    return unchanged_inside(at.path, prev.card_size, prev.card_mtime_ns, unpack_dirs(prev.dirs))


def unchanged_inside(
    path: str, card_size: int | None, card_mtime_ns: int | None, dirs: dict[str, int]
) -> bool:
    """The rest of ``unchanged``, once the customer folder at ``path`` is found as
    the index knows it: its Contact.txt, and each folder the index knows
    (``card_size``, ``card_mtime_ns`` as its row holds them, ``dirs`` unpacked)."""
    try:
        st = os.stat(f"{path}/{CONTACT_FILE}", follow_symlinks=False)
    except FileNotFoundError:
        if card_size is not None:
            return False  # Contact.txt deleted
    except OSError:
        return False
    else:
        if card_size != st.st_size or (card_mtime_ns or 0) != st.st_mtime_ns:
            return False
    for rel, known in dirs.items():
        if known == 0:
            return False
        try:
            if os.stat(f"{path}/{rel}", follow_symlinks=False).st_mtime_ns != known:
                return False
        except OSError:
            return False
    return True


def list_folder(
    path: str | Path, shown: str, changes: Changes, *, customer: str = "", folder: str = ""
) -> list[os.DirEntry[str]] | None:
    """A folder's entries; None (and a warning) when it exists but cannot be read,
    so the caller keeps what the index knows of it instead of dropping it."""
    try:
        with os.scandir(path) as it:
            return list(it)
    except FileNotFoundError:
        return []
    except OSError as e:
        message = f"cannot read folder {shown}: {e.strerror or e}"
        changes.warnings.append(WarningRow(shown, customer, folder, message))
        return None


def stamp_of(path: str) -> Stamp | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class Reader:
    """Reads customer folders into index changes. Runs in any process; in a worker
    process it has no index (its customers are new to it)."""

    def __init__(self, ws: Workspace, index: Index | None, *, now_ns: int) -> None:
        self.ws = ws
        self.index = index
        self.root = ws.root
        self.base_rel = ws.customers_dir.name
        self.now_ns = now_ns
        self.settled_ns = now_ns - SETTLE_NS
        self.classifier = Classifier(ws.config)
        self.zone = user_zone(ws.config.timezone)
        self.changes = Changes()
        self.new_events = 0
        # OneDrive conflict copies need the folder's other names (the pattern is made
        # when a first folder is listed: a scan that lists none never needs it);
        # online-only mails are told from their stat where the system says.
        self._onedrive: re.Pattern[str] | None = None
        self.is_placeholder = placeholders.IS_PLACEHOLDER
        # The mail reader, imported when the first mail is read (a scan that finds
        # nothing new never needs it: 10 ms of imports), then kept (an import
        # statement per mail costs 0.5 us).
        self._read_message: Callable[..., MessageInfo] | None = None

    def take(self, count: int) -> Result:
        """What was read since the last take, and how many customers that was."""
        out = (self.changes, self.new_events, count)
        self.changes, self.new_events = Changes(), 0
        return out

    def _recorded(self, mtime_ns: int) -> int:
        """The mtime to remember: 0 for one too recent to trust, so it is read again."""
        return mtime_ns if mtime_ns < self.settled_ns else 0

    def warn(self, key: str, message: str, *, customer: str, folder: str = "") -> None:
        self.changes.warnings.append(WarningRow(key, customer, folder, message))

    def customer(self, job: Job) -> None:
        """Read one customer folder into changes; nothing for one that did not change."""
        shown = f"{self.base_rel}/{job.grade_folder}/{job.name}"
        try:
            mtime_ns = os.stat(job.path, follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            return  # gone since the grade folder was listed: the next scan drops it
        except OSError as e:
            self.warn(shown, f"cannot read folder {shown}: {e.strerror or e}", customer=job.key)
            return  # what the index knows of it stays
        if (
            job.prev is not None
            and job.history is None
            and not job.mtime_dated
            and unchanged(job, job.prev, mtime_ns)
        ):
            return
        self._read_customer(job, mtime_ns, shown)

    def _read_customer(self, job: Job, mtime_ns: int, shown: str) -> None:
        """The careful path: what changed in a customer folder, folder by folder."""
        key, prev = job.key, job.prev
        known_dirs = unpack_dirs(prev.dirs) if prev is not None else {}
        dirs = dict(known_dirs)  # what this scan learns, written back with the customer
        listing = None
        if prev is None or prev.mtime_ns != mtime_ns or mtime_ns == 0:
            listing = self._customer_listing(key, job.path, shown)
            if listing is None:  # not readable now: keep what is known, look again next time
                mtime_ns = 0
        if listing is None:
            subdirs = [rel for rel in known_dirs if "/" not in rel]
            has_history = job.history is not None
        else:
            subdirs, has_history = listing
        self._history(job, has_history)
        card, company, country, people = self._card(job)
        live = self._folders(job, subdirs, known_dirs, dirs, shown)
        if len(live) != len(known_dirs):
            for rel in known_dirs.keys() - live:
                self.changes.gone_dirs.append((key, rel))
                dirs.pop(rel, None)
        packed = pack_dirs(dirs) if dirs != known_dirs else (prev.dirs if prev else "")
        row = CustomerRow(
            key,
            job.name,
            job.grade,
            job.grade_folder,
            self._recorded(mtime_ns),
            packed,
            card[0] if card else None,
            card[1] if card else None,
            company,
            country,
            people,
        )
        if row != prev:
            self.changes.customers.append(row)

    def _customer_listing(self, key: str, path: str, shown: str) -> tuple[list[str], bool] | None:
        """The kind folders (OUT, IN, 报价...) of a customer folder, and whether it
        holds a grade history note; None when it cannot be listed."""
        subdirs: list[str] = []
        has_history = False
        drafts = False
        self.changes.cleared.append((key, ""))
        entries = list_folder(path, shown, self.changes, customer=key)
        if entries is None:
            return None
        for entry in entries:
            if entry.name == HISTORY_FILE and entry.is_file(follow_symlinks=False):
                has_history = True
                continue
            if entry.is_symlink():
                p = link_problem(self.root, entry.path)
                self.warn(p.where, p.message, customer=key)
                continue
            kind = kind_of_folder(entry.name) if valid_name(entry.name) else None
            if kind is not None and entry.is_dir(follow_symlinks=False):
                if kind == "drafts":
                    drafts = True
                else:
                    subdirs.append(entry.name)
        if not drafts:
            self.changes.no_drafts.append(key)
        return subdirs, has_history

    def _history(self, job: Job, has_history: bool) -> None:
        """Grade events, from the customer's history note. A move since the last scan
        that the note does not show yet is handed back as a ``GradeMove`` (to be
        noted by the scan's own step, then read by ``noted``), not written here.
        With no index to compare (a rebuild), the note's last grade is the previous
        one: a move the note does not show yet is noted all the same."""
        key, prev = job.key, job.prev
        moved = prev is not None and prev.grade != job.grade
        if not has_history and not moved:
            if job.history is not None:  # the user deleted the history file
                self.changes.gone_files.append((key, HISTORY_FILE))
                self.changes.grades[key] = []
            return
        stamp = stamp_of(os.path.join(job.path, HISTORY_FILE))
        if stamp is not None and stamp == job.history and not moved:
            return  # unchanged since the last scan
        changes = read_history(Path(job.path)) if stamp is not None else []
        last = changes[-1].target if changes else (prev.grade if prev is not None else None)
        if last is not None and last != job.grade:
            shown = f"{self.base_rel}/{job.grade_folder}/{job.name}"
            self.changes.moves.append(
                GradeMove(key, job.path, shown, last, job.grade, job.history, job.grade_count)
            )
            return
        self._grade_rows(key, stamp, job.history, job.grade_count, changes)

    def noted(self, move: GradeMove) -> None:
        """The grade events of a customer whose move the scan has just noted in its
        history file (or failed to: then nothing changed, and nothing is read)."""
        stamp = stamp_of(os.path.join(move.path, HISTORY_FILE))
        if stamp is None or stamp == move.history:
            return
        self._grade_rows(
            move.key, stamp, move.history, move.grade_count, read_history(Path(move.path))
        )

    def _grade_rows(
        self,
        key: str,
        stamp: Stamp | None,
        known: Stamp | None,
        grade_count: int,
        changes: list[GradeChange],
    ) -> None:
        if stamp is None or stamp == known:
            return
        st_size, st_mtime_ns = stamp
        self.new_events += max(0, len(changes) - grade_count)
        zone = self.zone
        rows = []
        for seq, c in enumerate(changes):
            at = instant(c.moment)
            rows.append(GradeRow(key, seq, c.when, day_of(at, zone), at, c.source, c.target))
        self.changes.grades[key] = rows
        self.changes.files.append(
            FileRow(key, HISTORY_FILE, "", st_size, self._recorded(st_mtime_ns), "history",
                    "", "", None, "", None, None, None)
        )  # fmt: skip

    def _card(self, job: Job) -> tuple[Stamp | None, str | None, str | None, str | None]:
        """The card event; returns Contact.txt's stamp to remember (None: no card),
        the company's real name, the primary contact's country and the contacts'
        names (one a line) it gives."""
        key = job.key
        path = os.path.join(job.path, CONTACT_FILE)
        shown = f"{self.base_rel}/{job.grade_folder}/{job.name}/{CONTACT_FILE}"
        known = (
            (job.prev.company, job.prev.country, job.prev.people)
            if job.prev
            else (None, None, None)
        )
        try:
            st = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            if job.card is not None:
                self.changes.gone_files.append((key, CONTACT_FILE))
                self.changes.addresses[key] = ()
            return None, None, None, None
        except OSError as e:
            self.warn(shown, f"cannot read {shown}: {e.strerror or e}", customer=key)
            return (job.card[0], 0) if job.card else None, *known  # kept; read again next time
        if not stat.S_ISREG(st.st_mode):
            self.warn(
                shown, f"{shown} is not a regular file; contact details ignored", customer=key
            )
            if job.card is not None:
                self.changes.addresses[key] = ()
            return None, None, None, None
        if job.card == (st.st_size, st.st_mtime_ns):
            return job.card, *known
        card = read_card(path)
        for warning in card.warnings:
            self.warn(shown, warning.replace(path, shown), customer=key)
        stamp = (st.st_size, self._recorded(st.st_mtime_ns) if not card.warnings else 0)
        # A card is an event only once it changes after folder-kit first saw it:
        # the card of a copied workspace, or one seen the first time, is none.
        digest = card_digest(card)
        fields = None
        if not card.contacts and card.warnings:
            pass  # not read: nothing to compare, and read again next time
        elif job.seen is None:
            self.changes.seen[key] = digest
        elif digest != job.seen:
            fields = classify(
                "", CONTACT_FILE, st.st_mtime, classifier=self.classifier, zone=self.zone
            )
        if fields is not None:
            if not job.card_event:
                self.new_events += 1
            row = (key, CONTACT_FILE, "", st.st_size, self._recorded(st.st_mtime_ns))
            self.changes.files.append((*row, *fields, None))
        elif job.card_event:  # changed back to what was first seen
            self.changes.gone_files.append((key, CONTACT_FILE))
        addresses = card_addresses(card)
        if addresses or job.card is not None:
            self.changes.addresses[key] = addresses
        people = "\n".join(dict.fromkeys(c.name for c in card.contacts if c.name)) or None
        return stamp, card.company or None, card.primary.country or None, people

    def _folders(
        self,
        job: Job,
        subdirs: list[str],
        known_dirs: dict[str, int],
        dirs: dict[str, int],
        shown: str,
    ) -> set[str]:
        """Read the kind folders and the folders inside them, without recursion (a
        deep tree must not exhaust the stack); returns the folders that are there."""
        children: dict[str, list[str]] = {}
        for rel in known_dirs:
            if "/" in rel:
                children.setdefault(rel.rpartition("/")[0], []).append(rel)
        live: set[str] = set()
        stack = list(subdirs)
        while stack:
            rel = stack.pop()
            if rel.count("/") >= MAX_DEPTH:
                where = f"{shown}/{printable(rel)}"
                message = f"{where}: folders nested this deep are not read"
                self.warn(where, message, customer=job.key, folder=rel.rpartition("/")[0])
                continue
            live.add(rel)
            stack.extend(self._folder(job, rel, shown, children, live, dirs))
        return live

    def _folder(
        self,
        job: Job,
        rel: str,
        shown: str,
        children: dict[str, list[str]],
        live: set[str],
        dirs: dict[str, int],
    ) -> list[str]:
        """Read one folder of a customer if it changed; returns the folders in it to
        read next."""
        folder = f"{job.path}/{rel}"
        try:
            mtime_ns = os.stat(folder, follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:
            live.discard(rel)  # gone, with what was in it
            return []
        except OSError as e:
            # There, but not readable now (permissions, a network drive): keep
            # what is known of it and of the folders in it; look again next time.
            where = f"{shown}/{rel}"
            message = f"cannot read folder {where}: {e.strerror or e}"
            self.warn(where, message, customer=job.key, folder=rel)
            dirs[rel] = 0
            live.update(known for known in dirs if known.startswith(rel + "/"))
            return []
        if dirs.get(rel) == mtime_ns and mtime_ns != 0:
            # Same entries as last time. Only a file dated by its mtime can have
            # changed what it means (see SOUNDNESS above).
            if not self._dated_changed(job, rel):
                return children.get(rel, [])
            mtime_ns = 0  # list it again below, and again next time
        self.changes.cleared.append((job.key, rel))
        entries = list_folder(folder, f"{shown}/{rel}", self.changes, customer=job.key, folder=rel)
        if entries is None:
            # Not readable now: its files keep their events; list it again next time.
            dirs[rel] = 0
            return children.get(rel, [])
        settled, subfolders = self._files(job, rel, shown, entries, mtime_ns < self.settled_ns)
        dirs[rel] = mtime_ns if settled else 0
        return subfolders

    def _files(
        self, job: Job, rel: str, shown: str, entries: list[os.DirEntry[str]], settled: bool
    ) -> tuple[bool, list[str]]:
        """Events for the files of a listed folder, gone files dropped; returns whether
        all of it is settled, and the folders in it.

        The per-file loop of a cold scan, kept lean on purpose: whether mail here is
        read at all is decided once per folder, each name is casefolded once for all
        the questions asked of it, and what a file means is ``classify``'s answer, a
        plain tuple that becomes the row's tail.
        """
        key = job.key
        old = self.index.files_in(key, rel) if job.prev is not None and self.index else {}
        seen: set[str] = set()
        kind = kind_of_folder(rel.split("/", 1)[0])
        # Mail in a 草稿/ inside OUT or IN is still read (its warnings stand), but is no event.
        reads = kind is not None and kind != "drafts"
        subfolders = []
        rows = self.changes.files
        classifier = self.classifier
        zone = self.zone
        is_placeholder = self.is_placeholder
        if self._onedrive is None:
            self._onedrive = onedrive_pattern(computer_names())
        copies = onedrive_copies([e.name for e in entries], self._onedrive)
        settled_ns = self.settled_ns
        for entry in entries:
            name = entry.name
            if not (name.isascii() or valid_name(name)):
                where = f"{shown}/{rel}/{printable(name)}"
                message = f"skipped {where}: file name is not valid UTF-8; rename it"
                self.warn(where, message, customer=key, folder=rel)
                continue
            folded = name.casefold()
            if is_ignored(name, folded=folded) or (copies and name in copies):
                continue
            # A regular file by its directory entry (no call to the system where the
            # entry says so) is neither a link nor a folder.
            if not entry.is_file(follow_symlinks=False):
                if entry.is_symlink():
                    p = link_problem(self.root, entry.path)
                    self.warn(p.where, p.message, customer=key, folder=rel)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(f"{rel}/{name}")
                    continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                where = f"{shown}/{rel}/{name}"
                what = kind_of(st.st_mode)
                message = f"skipped {where}: {what}, not a file a mail client saves"
                self.warn(where, message, customer=key, folder=rel)
                continue
            file_rel = f"{rel}/{name}"
            size, mtime_ns = st.st_size, st.st_mtime_ns
            if old:
                seen.add(file_rel)
                if old.get(file_rel) == (size, mtime_ns):
                    continue
            # As _recorded: 0 for a file that may still be being written (the next
            # scan reads it again).
            recorded = mtime_ns if mtime_ns < settled_ns else 0
            if recorded == 0:
                settled = False
            if not reads:
                continue
            when, subject, message_id, warned = None, None, None, False
            if folded.endswith(MAIL_SUFFIXES):
                if is_placeholder is not None and is_placeholder(st):
                    # Opening it would download it: dated as a mail that cannot be
                    # read is, and counted for the scan's one warning. (Nor is it
                    # keyed: mail filing may then file a copy of it.)
                    self.changes.placeholders += 1
                else:
                    when, subject, message_id, warned = self._mail(
                        entry.path, shown, file_rel, key, rel
                    )
            fields = classify(
                rel, name, st.st_mtime, when, subject, classifier=classifier, folded=folded,
                zone=zone, screened=True,
            )  # fmt: skip
            # A mail dated in the future is dated when it arrived: by its mtime (classify's
            # answer says so, without a second look at its date; a mail that is no event,
            # in a 草稿/ inside OUT or IN, is asked directly). Said once per reading.
            if when is not None and (
                fields[4] == "mtime" if fields is not None else sent_in_future(when, st.st_mtime)
            ):
                where = f"{shown}/{file_rel}"
                message = (
                    f"{where}: dated {when.isoformat()}, later than the file was "
                    "saved (the sender's clock is wrong?); dated when it arrived"
                )
                self.warn(where, message, customer=key, folder=rel)
                warned = True
            if warned:
                # Remembered as unread: whenever this folder is listed again (which
                # clears its warnings), the file is read and its warning given again.
                recorded = 0
            if fields is None:
                continue
            if file_rel not in old:
                self.new_events += 1
            # A plain tuple in FileRow's field order: rows cross from worker processes
            # pickled, and a NamedTuple pickles as its class and a call to it.
            rows.append((key, file_rel, rel, size, recorded, *fields, message_id))
        for file_rel in old.keys() - seen:
            self.changes.gone_files.append((key, file_rel))
        return settled, subfolders

    def _dated_changed(self, job: Job, rel: str) -> bool:
        if not job.mtime_dated:
            return False
        for file_rel, size, mtime_ns in job.mtime_dated.get(rel, ()):
            try:
                st = os.stat(f"{job.path}/{file_rel}", follow_symlinks=False)
            except OSError:
                return True
            if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
                return True
        return False

    def _mail(
        self, path: str, shown: str, file_rel: str, key: str, rel: str
    ) -> tuple[dt.datetime | None, str | None, str | None, bool]:
        """What a mail says of itself (date, subject, its key: ``mail.message_key``),
        and whether that gave a warning; ``shown`` is the customer folder as warnings
        name it."""
        read = self._read_message
        if read is None:
            from folder_kit.timeline.mail import read_message

            read = self._read_message = read_message
        try:
            info = read(path, addresses=False)
        except MailError as e:
            shown = f"{shown}/{file_rel}"
            message = f"{shown}: not a readable mail ({e.reason}); dated from its name or time"
            self.warn(shown, message, customer=key, folder=rel)
            return None, None, None, True
        if info.date is None:
            shown = f"{shown}/{file_rel}"
            message = f"{shown}: the mail has no usable date; dated from its name or time"
            self.warn(shown, message, customer=key, folder=rel)
            return None, info.subject, info.message_id, True
        return info.date, info.subject, info.message_id, False
