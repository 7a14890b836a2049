"""`mail sync`: the mail of IMAP accounts filed into the customers' OUT/ and IN/.

Read-only: folders are opened with EXAMINE, messages read with ``BODY.PEEK``;
nothing on the server changes. Per folder the state keeps its UIDVALIDITY and
the last UID read, so a sync reads only what is new. Envelopes come first (a
few hundred bytes a message); a body is fetched only for a message that
concerns a customer and is not filed for it already, and filed as
``mail import`` files it (the same :class:`~folder_kit.mail.importer.Importer`).

A message that matches nobody is held in the state by its envelope: when a
card later names its correspondent (or a mail of its thread is filed), a later
sync, or a later step of the same one, fetches and files just that message.
The state is disposable: deleted, the next sync reads every envelope again,
and what is filed already counts as known (the workspace's Message-IDs
decide), as after a change of UIDVALIDITY.

Each folder is read in steps of :data:`STEP` messages; after each step the
filed messages are made durable and only then is the folder's mark moved on,
so a connection lost midway keeps what was filed and the next sync goes on
from there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from folder_kit.errors import UsageError, quoted
from folder_kit.mail.imap import AccountError, Envelope, Session, session
from folder_kit.mail.importer import (
    Importer,
    ImportResult,
    Progress,
    Read,
    importing,
    my_addresses,
)
from folder_kit.mail.matching import Decision, Parties, decide
from folder_kit.mail.secrets import password_for
from folder_kit.mail.sources import SourceMessage
from folder_kit.timeline.mail import HASHED
from folder_kit.timeline.unmatched import (
    FolderMark,
    FolderUpdate,
    Held,
    Sighting,
    last_syncs,
    mark_synced,
    read_sync_state,
    save_folder_update,
)

if TYPE_CHECKING:
    from folder_kit.workspace.config import Account, Config
    from folder_kit.workspace.find import Workspace

__all__ = [
    "AccountListing",
    "AccountSync",
    "FolderSync",
    "SyncResult",
    "list_accounts",
    "sync_accounts",
]

STEP = 500  # messages a step reads (one FETCH of envelopes) before its filing is made durable
BODIES = 100  # bodies one FETCH asks for
_ROUNDS = 20  # held messages decided again in rounds: a reply to a reply found in the next


@dataclass
class FolderSync:
    name: str
    messages: int = 0  # new messages read in it

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "messages": self.messages}


@dataclass
class AccountSync:
    name: str
    folders: list[FolderSync] = field(default_factory=list)
    error: str | None = None  # why it failed (the Error: line), None when it synced

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "folders": [f.as_json() for f in self.folders],
            "error": self.error,
        }


@dataclass
class SyncResult(ImportResult):
    """What a sync did: ``mail import``'s result, and what each account read."""

    accounts: list[AccountSync] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {**super().as_json(), "accounts": [a.as_json() for a in self.accounts]}

    @property
    def errors(self) -> list[str]:
        return [a.error for a in self.accounts if a.error is not None]


def sync_accounts(
    ws: Workspace,
    config: Config,
    *,
    names: Sequence[str] | None = None,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> SyncResult:
    """File what is new in the folders of the accounts ``names`` (all, when None).

    An account that fails (its password, its server, a folder it names that the
    server lacks) is reported in its ``error`` and the others still sync. With
    ``dry_run`` nothing is written, not even the state; the result says what
    would be filed."""
    accounts = _chosen(config, names)
    if ws.config is not config:
        ws = dataclasses.replace(ws, config=config)
    result = SyncResult()
    mine = my_addresses(config)
    with importing(ws, dry_run=dry_run, mine=mine, progress=None, result=result) as importer:
        for account in accounts:
            report = AccountSync(account.name)
            result.accounts.append(report)
            try:
                _AccountSync(importer, account, report, progress).run()
            except AccountError as e:
                report.error = str(e)
    result.filed = [f.done() for f in importer.filings]
    return result


@dataclass(frozen=True)
class AccountListing:
    """An account as `mail list` shows it."""

    name: str
    host: str
    user: str
    folders: tuple[str, ...]  # as configured, else those its syncs read
    last_sync: str | None  # when it last synced through, local time with its offset

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "host": self.host,
            "user": self.user,
            "folders": list(self.folders),
            "last_sync": self.last_sync,
        }


def list_accounts(ws: Workspace) -> list[AccountListing]:
    """The accounts of ``folder-kit.yaml``, in its order, with their last sync."""
    synced = last_syncs(ws.root)
    return [
        AccountListing(
            name=a.name,
            host=a.host,
            user=a.user,
            folders=a.folders or tuple(read_sync_state(ws.root, a.name).marks),
            last_sync=synced.get(a.name),
        )
        for a in ws.config.mail.accounts
    ]


def _chosen(config: Config, names: Sequence[str] | None) -> list[Account]:
    accounts = list(config.mail.accounts)
    if not accounts:
        raise UsageError(
            "no mail account is set up: add one with `folder-kit mail add NAME --host HOST`"
        )
    if names is None:
        return accounts
    chosen = []
    for name in names:
        account = config.mail.account(name)
        if account is None:
            known = ", ".join(a.name for a in accounts)
            raise UsageError(f"no mail account {quoted(name)} (the accounts: {known})")
        chosen.append(account)
    return chosen


@dataclass
class _Plan:
    """A folder to read: what it is now, how far it was read, what is new in it."""

    report: FolderSync
    uidvalidity: int
    reset: bool  # read from the start again: new to the state, or its UIDVALIDITY changed
    uids: list[int]
    top: int  # the last UID the folder had when examined: the mark once all is read


class _AccountSync:
    """One account's sync, over one connection."""

    def __init__(
        self,
        importer: Importer,
        account: Account,
        report: AccountSync,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        self.importer = importer
        self.account = account
        self.report = report
        self.progress = progress
        self.root = importer.ws.root
        self.dry_run = importer.dry_run
        self.pending: dict[str, set[str]] = {}  # keys about to be filed -> customer keys
        self.held: dict[str, dict[int, Held]] = {}  # folder -> uid -> held envelope
        self.new_held: set[tuple[str, int]] = set()  # (folder, uid) held in this run
        self.uidvalidity: dict[str, int] = {}
        self.read = 0
        self.total = 0

    def run(self) -> None:
        password = password_for(self.account)
        state = read_sync_state(self.root, self.account.name)
        with session(self.account, password) as s:
            names = self.folders(s)
            plans = [self.plan(s, name, state.marks.get(name)) for name in names]
            for h in state.held:
                if h.folder in self.uidvalidity and not self.reset_of(plans, h.folder):
                    self.held.setdefault(h.folder, {})[h.uid] = h
            self.total = sum(len(p.uids) for p in plans)
            for plan in plans:
                self.read_new(s, plan)
            self.file_held(s)
        self.importer.result.unmatched += sum(
            1 for folder, uid in self.new_held if uid in self.held.get(folder, {})
        )
        if not self.dry_run:
            when = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            mark_synced(self.root, self.account.name, when)

    @staticmethod
    def reset_of(plans: list[_Plan], folder: str) -> bool:
        return any(p.report.name == folder and p.reset for p in plans)

    # -- which folders, and what is new in them ------------------------------------

    def folders(self, s: Session) -> list[str]:
        """The account's folders, each checked to exist before anything is read."""
        if not self.account.folders:
            sent = s.sent_folder()
            return [s.inbox(), *([sent] if sent is not None else [])]
        listed = {f.name for f in s.folders() if "\\Noselect" not in f.flags}
        names = []
        for name in self.account.folders:
            if name.upper() == "INBOX":
                name = s.inbox()
            elif name not in listed:
                raise s.missing(name)
            names.append(name)
        return list(dict.fromkeys(names))

    def plan(self, s: Session, name: str, mark: FolderMark | None) -> _Plan:
        state = s.examine(name)
        self.uidvalidity[name] = state.uidvalidity
        report = FolderSync(name)
        self.report.folders.append(report)
        if mark is not None and mark.uidvalidity == state.uidvalidity:
            if state.uidnext is not None and state.uidnext <= mark.last_uid + 1:
                return _Plan(report, state.uidvalidity, False, [], mark.last_uid)  # no SEARCH
            uids = s.uids(after=mark.last_uid)
            reset = False
        else:
            # The first sync (since: leaves older mail out), or the folder renumbered.
            uids = s.uids(since=self.account.since)
            reset = True
        if state.uidnext is not None:
            top = state.uidnext - 1
        else:
            top = max(s.uids(after=mark.last_uid if not reset and mark else 0), default=0)
        return _Plan(report, state.uidvalidity, reset, uids, max([top, *uids[-1:]]))

    # -- reading what is new -----------------------------------------------------

    def read_new(self, s: Session, plan: _Plan) -> None:
        folder = plan.report.name
        if not plan.uids and not plan.reset:
            return
        self.open(s, folder)
        if not plan.uids:  # new, or renumbered, and nothing in it to read
            mark = FolderMark(plan.uidvalidity, plan.top)
            self.save(FolderUpdate(self.account.name, folder, mark, reset=True))
            return
        for start in range(0, len(plan.uids), STEP):
            chunk = plan.uids[start : start + STEP]
            last = start + STEP >= len(plan.uids)
            update = FolderUpdate(
                self.account.name,
                folder,
                mark=FolderMark(plan.uidvalidity, plan.top if last else chunk[-1]),
                reset=plan.reset and start == 0,
            )
            wanted: dict[int, Decision] = {}
            received: dict[int, float | None] = {}
            for envelope in s.envelopes(chunk, batch=STEP):
                plan.report.messages += 1
                self.importer.result.messages += 1
                received[envelope.uid] = envelope.internal_date
                self.envelope(folder, envelope, update, wanted)
            self.fetch(s, folder, wanted, update, received)
            self.save(update)
            self.read += len(chunk)
            if self.progress is not None:
                self.progress(
                    Progress(
                        self.read,
                        self.read,
                        self.total,
                        unit="messages",
                        label=f"Syncing {self.account.name}",
                    )
                )

    def open(self, s: Session, folder: str) -> None:
        state = s.examine(folder)
        if state.uidvalidity != self.uidvalidity[folder]:
            raise s.fail(
                f"the folder {quoted(folder)} was renumbered while it was read; sync again"
            )

    def envelope(
        self, folder: str, envelope: Envelope, update: FolderUpdate, wanted: dict[int, Decision]
    ) -> None:
        """Decide a new message from its envelope: count it, hold it, or want its body."""
        importer = self.importer
        read = self.read_envelope(folder, envelope)
        key = read.key
        decision = decide(read.parties, importer.directory, self.threads)
        if decision.verdict == "internal":
            importer.result.internal += 1
        elif decision.verdict == "unmatched":
            self.hold(folder, envelope.uid, read, decision, update)
        elif key and self.known(key, decision):
            importer.result.known += 1
            update.claimed.add(key)
        else:
            wanted[envelope.uid] = decision
            if key:
                self.pending.setdefault(key, set()).update(decision.customers)

    def read_envelope(self, folder: str, envelope: Envelope) -> Read:
        """The envelope read as ``mail import`` reads a message: its key, its
        parties, and the day and subject it would be filed under. The key is ""
        for mail without a Message-ID: only its bytes tell it (their hash)."""
        item = self.item(folder, envelope.uid, envelope.header, envelope.internal_date)
        read = self.importer.read(item, warn=False)
        if read is None:  # none of the header fields asked for: nobody, and the server's day
            day = dt.datetime.fromtimestamp(envelope.internal_date or 0).date()
            return Read("", day, envelope.subject, Parties((), (), ()))
        if read.key.startswith(HASHED):  # the hash of the header alone: no key
            return dataclasses.replace(read, key="")
        return read

    def item(self, folder: str, uid: int, data: bytes, when: float | None) -> SourceMessage:
        received = dt.datetime.fromtimestamp(when, dt.UTC) if when is not None else None
        return SourceMessage(
            data=data,
            kind="eml",
            path=Path(self.account.name),
            index=None,
            envelope_date=received,
            mtime=received or dt.datetime.now(dt.UTC),
            folder=folder,
        )

    def threads(self, key: str) -> set[str]:
        return self.importer.filed.get(key, set()) | self.pending.get(key, set())

    def known(self, key: str, decision: Decision) -> bool:
        """Filed already for every customer it is for (a scan found it there)."""
        already = self.importer.filed.get(key, set())
        customers = self.importer.customers
        return all(c in already or c not in customers for c in decision.customers)

    def hold(
        self, folder: str, uid: int, read: Read, decision: Decision, update: FolderUpdate
    ) -> None:
        """Keep a message that matched nobody, to decide it again on later syncs."""
        if not decision.correspondents and not read.parties.references:
            self.importer.result.unmatched += 1  # nobody it could ever match
            return
        held = Held(
            folder,
            uid,
            read.key,
            read.parties.sender,
            read.parties.reply_to,
            read.parties.recipients,
            read.parties.references,
            read.day.isoformat(),
            read.subject,
        )
        self.held.setdefault(folder, {})[uid] = held
        self.new_held.add((folder, uid))
        update.held.append(held)
        # Mail with no Message-ID is told apart by where it is.
        sighted = read.key or f"imap:{self.account.name}/{folder}/{self.uidvalidity[folder]}/{uid}"
        update.sightings += (
            Sighting(address, sighted, held.day, held.subject)
            for address in decision.correspondents
        )

    def fetch(
        self,
        s: Session,
        folder: str,
        wanted: dict[int, Decision],
        update: FolderUpdate,
        received: dict[int, float | None],
    ) -> None:
        """Fetch the bodies of the messages wanted, and file them. ``received``:
        when the server got each (a fallback date for mail without one)."""
        importer = self.importer
        for uid, body in s.bodies(sorted(wanted), batch=BODIES):
            decision = wanted[uid]
            item = self.item(folder, uid, body, received.get(uid))
            read = importer.read(item, where=f"{self.account.name} {folder}, UID {uid}")
            if read is None:
                continue
            importer.settle(item, read, decision)
            update.claimed.add(read.key)

    def save(self, update: FolderUpdate) -> None:
        """Make what this step filed durable, then move the state on."""
        if self.dry_run:
            return
        self.importer.filer.flush()
        save_folder_update(self.root, update)

    # -- held messages a card or a thread claims now ------------------------------

    def file_held(self, s: Session) -> None:
        """File the held messages that match a customer now, in rounds (the reply
        to a reply filed in one round is found in the next)."""
        for _ in range(_ROUNDS):
            found = self.claimed_held()
            if not found:
                return
            for folder, decided in found.items():
                self.file_again(s, folder, decided)

    def claimed_held(self) -> dict[str, dict[int, Decision | None]]:
        """Held messages to file (their decision), or to let go (None: known, or
        internal now that an address of theirs is mine), by folder."""
        importer = self.importer
        found: dict[str, dict[int, Decision | None]] = {}
        for folder, held in self.held.items():
            for uid, h in held.items():
                parties = Parties(h.sender, h.reply_to, h.recipients, h.references)
                decision = decide(parties, importer.directory, self.threads)
                if decision.verdict == "unmatched":
                    continue
                if decision.verdict == "filed" and not (
                    h.message_id and self.known(h.message_id, decision)
                ):
                    found.setdefault(folder, {})[uid] = decision
                    if h.message_id:
                        self.pending.setdefault(h.message_id, set()).update(decision.customers)
                else:
                    found.setdefault(folder, {})[uid] = None
        return found

    def file_again(self, s: Session, folder: str, decided: dict[int, Decision | None]) -> None:
        importer = self.importer
        held = self.held[folder]
        update = FolderUpdate(self.account.name, folder)
        wanted: dict[int, Decision] = {}
        received: dict[int, float | None] = {}
        for uid, decision in decided.items():
            h = held.pop(uid)
            update.released.append(uid)
            new = (folder, uid) in self.new_held
            if decision is None:
                if h.message_id:
                    update.claimed.add(h.message_id)
                if new:
                    verdict = decide(
                        Parties(h.sender, h.reply_to, h.recipients, h.references),
                        importer.directory,
                        self.threads,
                    ).verdict
                    if verdict == "internal":
                        importer.result.internal += 1
                    else:
                        importer.result.known += 1
                continue
            wanted[uid] = decision
            noon = dt.datetime.combine(dt.date.fromisoformat(h.day), dt.time(12))
            received[uid] = noon.astimezone().timestamp()  # the day it was held under
            if not new:
                importer.result.messages += 1  # read again: it counts in this sync
        if wanted:
            self.open(s, folder)
            self.fetch(s, folder, wanted, update, received)
        self.save(update)
