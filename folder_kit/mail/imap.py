"""An IMAP account, opened: log in, name ourselves, find the folders, read without
changing anything.

imapclient (BSD, maintained) speaks the protocol: the ID command (163 refuses to
select a folder without it: "Unsafe Login"), special-use folder lookup, modified
UTF-7 folder names, IDLE and APPEND. This module is the only place that imports
it, and the only place that turns what a server or a socket says into the one-line
:class:`AccountError` a user reads: it names the account and the host, and never
the password.

Read-only by construction: a folder is opened with EXAMINE (``readonly=True``) and
bodies are fetched with ``BODY.PEEK[]``. The only command here that changes a
mailbox is :meth:`Session.append_draft`, which adds one message to the Drafts
folder for ``draft --push``.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from folder_kit import __version__
from folder_kit.errors import FolderKitError, quoted, shown

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from folder_kit.workspace.config import Account

TIMEOUT = 30.0  # seconds for a connection or an answer; a server silent longer is gone

# Where a server marks no folder \Sent, the names mail programs and providers use
# for it, in the order they are tried: the standard name, QQ's and 163's, Outlook's
# and Exchange's, the Chinese names of Exmail and Aliyun, Gmail's.
SENT_NAMES: tuple[str, ...] = (
    "Sent",
    "Sent Messages",
    "Sent Items",
    "Sent Mail",
    "已发送",
    "已发送邮件",
    "[Gmail]/Sent Mail",
    "[Google Mail]/Sent Mail",
    "INBOX/Sent",
    "INBOX.Sent",
)
DRAFTS_NAMES: tuple[str, ...] = (
    "Drafts",
    "Draft",
    "草稿箱",
    "草稿",
    "[Gmail]/Drafts",
    "[Google Mail]/Drafts",
    "INBOX/Drafts",
    "INBOX.Drafts",
)


class AccountError(FolderKitError):
    """An account that cannot be reached, logged into or read: names it, never the password."""

    def __init__(self, *, account: str, reason: str) -> None:
        self.account = account
        self.reason = reason
        super().__init__(f"mail account {quoted(account)}: {shown(reason, limit=300)}")


@dataclass(frozen=True)
class Folder:
    name: str  # decoded from modified UTF-7
    flags: frozenset[str]  # \Sent, \Drafts, \Noselect... as the server lists them
    delimiter: str


@dataclass(frozen=True)
class FolderState:
    """What EXAMINE says of a folder."""

    uidvalidity: int
    uidnext: int | None  # None: the server did not say
    exists: int


@dataclass(frozen=True)
class Envelope:
    """What a message is, without its body: enough to match it to a customer.

    A sync reads ``header`` as ``mail import`` reads a message (``sync.read_envelope``):
    one reading of whose it is. Its subject is parsed only for a header that gives
    the importer nothing, when first asked for."""

    uid: int
    header: bytes  # its From, To, Subject, Message-ID... as the server sent them
    size: int
    internal_date: float | None  # when the server received it, as a POSIX time

    @property
    def subject(self) -> str:
        from email.parser import BytesHeaderParser
        from email.policy import compat32

        parsed = BytesHeaderParser(policy=compat32).parsebytes(self.header)
        return _decoded(parsed.get("Subject", ""))


def _flag(value: bytes | str) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else value


class Session:
    """A logged-in connection to one account."""

    def __init__(self, account: Account, client: IMAPClient) -> None:
        self.account = account
        self.client = client
        self._folders: list[Folder] | None = None

    # -- errors -------------------------------------------------------------------

    def fail(self, reason: str) -> AccountError:
        return AccountError(account=self.account.name, reason=reason)

    @contextlib.contextmanager
    def talking(self, doing: str) -> Iterator[None]:
        """Turn what the server or the connection says while ``doing`` into an AccountError."""
        with _translated(self.account, doing):
            yield

    # -- folders ------------------------------------------------------------------

    def folders(self) -> list[Folder]:
        if self._folders is None:
            with self.talking("listing folders"):
                listed = self.client.list_folders()
            self._folders = [
                Folder(
                    name=str(name),
                    flags=frozenset(_flag(f) for f in flags),
                    delimiter=_flag(delim) if delim else "/",
                )
                for flags, delim, name in listed
            ]
        return self._folders

    def special(self, use: str, names: Sequence[str]) -> str | None:
        """The folder marked with special-use flag ``use`` (\\Sent, \\Drafts), else
        the first of ``names`` that exists (case-insensitively), else None."""
        selectable = [f for f in self.folders() if "\\Noselect" not in f.flags]
        for f in selectable:
            if use in f.flags:
                return f.name
        by_name = {f.name.casefold(): f.name for f in selectable}
        for name in names:
            found = by_name.get(name.casefold())
            if found is not None:
                return found
        return None

    def sent_folder(self) -> str | None:
        return self.special("\\Sent", SENT_NAMES)

    def drafts_folder(self) -> str | None:
        return self.special("\\Drafts", DRAFTS_NAMES)

    def inbox(self) -> str:
        for f in self.folders():
            if f.name.upper() == "INBOX":
                return f.name
        return "INBOX"

    def missing(self, name: str) -> AccountError:
        names = ", ".join(sorted(f.name for f in self.folders() if "\\Noselect" not in f.flags))
        return self.fail(f"no folder {quoted(name)} on the server (it has: {names})")

    # -- reading ------------------------------------------------------------------

    def examine(self, name: str) -> FolderState:
        """Open ``name`` read-only (EXAMINE): nothing in it can change through us."""
        from imapclient.exceptions import IMAPClientError

        try:
            with _translated(self.account, f"opening {name}", passing=(IMAPClientError,)):
                got = self.client.select_folder(name, readonly=True)
        except IMAPClientError as e:
            if self._folders is None or name not in {f.name for f in self.folders()}:
                raise self.missing(name) from e
            raise self.fail(f"cannot open {quoted(name)}: {_said(e)}") from e
        uidvalidity = got.get(b"UIDVALIDITY")
        if uidvalidity is None:
            raise self.fail(f"the server gave {quoted(name)} no UIDVALIDITY")
        uidnext = got.get(b"UIDNEXT")
        return FolderState(
            uidvalidity=int(uidvalidity),
            uidnext=int(uidnext) if uidnext is not None else None,
            exists=int(got.get(b"EXISTS", 0)),
        )

    def uids(self, *, after: int = 0, since: Any = None) -> list[int]:
        """The UIDs above ``after`` in the open folder (and on or after the day ``since``).

        ``UID n:*`` names the last message even when every UID is below n (RFC 3501
        6.4.8): the answer is filtered, so that nothing old comes back as new."""
        criteria: list[Any] = ["UID", f"{after + 1}:*"] if after else ["ALL"]
        if since is not None:
            criteria += ["SINCE", since]
        with self.talking("searching"):
            found = self.client.search(criteria)
        return sorted(uid for uid in found if uid > after)

    def envelopes(self, uids: Sequence[int], *, batch: int = 500) -> Iterator[Envelope]:
        """The headers that matter of ``uids``, in batches, without the bodies."""
        wanted = [
            b"UID",
            b"RFC822.SIZE",
            b"INTERNALDATE",
            b"BODY.PEEK[HEADER.FIELDS (FROM SENDER REPLY-TO TO CC BCC DATE SUBJECT "
            b"MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE)]",
        ]
        for start in range(0, len(uids), batch):
            chunk = list(uids[start : start + batch])
            with self.talking("reading envelopes"):
                got = self.client.fetch(chunk, wanted)
            for uid in chunk:
                data = got.get(uid)
                if data is None:
                    continue  # expunged meanwhile by another program
                yield _envelope(uid, data)

    def bodies(self, uids: Sequence[int], *, batch: int = 50) -> Iterator[tuple[int, bytes]]:
        """Each message's bytes, as the server stores them (``BODY.PEEK[]``: not marked seen)."""
        for start in range(0, len(uids), batch):
            chunk = list(uids[start : start + batch])
            with self.talking("fetching messages"):
                got = self.client.fetch(chunk, [b"BODY.PEEK[]"])
            for uid in chunk:
                data = got.get(uid)
                if data is None:
                    continue
                body = data.get(b"BODY[]")
                if isinstance(body, bytes):
                    yield uid, body

    # -- the one write -----------------------------------------------------------

    def append_draft(self, folder: str, message: bytes) -> None:
        """Add ``message`` to ``folder``, flagged \\Draft and \\Seen (``draft --push``)."""
        with self.talking(f"saving the draft into {folder}"):
            self.client.append(folder, message, flags=(b"\\Draft", b"\\Seen"))


def _said(e: BaseException) -> str:
    text = str(e).strip()
    for prefix in ("b'", 'b"'):
        if text.startswith(prefix) and text.endswith(prefix[-1]):
            text = text[2:-1]
    return text or type(e).__name__


@contextlib.contextmanager
def _translated(
    account: Account, doing: str, *, passing: tuple[type[BaseException], ...] = ()
) -> Iterator[None]:
    from imapclient.exceptions import IMAPClientError

    where = f"{account.host}:{account.address_port}"
    try:
        yield
    except passing:
        raise
    except AccountError:
        raise
    except ssl.SSLCertVerificationError as e:
        reason = e.verify_message or e.reason or "not trusted"
        raise AccountError(
            account=account.name,
            reason=f"the certificate of {where} was refused ({reason}); if your company "
            "uses its own CA, set ca_file: to its certificate",
        ) from e
    except ssl.SSLError as e:
        raise AccountError(
            account=account.name, reason=f"TLS with {where} failed while {doing}: {e.reason or e}"
        ) from e
    except TimeoutError as e:
        raise AccountError(
            account=account.name,
            reason=f"{where} did not answer within {TIMEOUT:.0f} s while {doing}",
        ) from e
    except socket.gaierror as e:
        raise AccountError(
            account=account.name, reason=f"cannot find the server {account.host} ({e.strerror})"
        ) from e
    except ConnectionRefusedError as e:
        raise AccountError(
            account=account.name, reason=f"{where} refused the connection (is the port right?)"
        ) from e
    except OSError as e:
        raise AccountError(
            account=account.name,
            reason=f"the connection to {where} failed while {doing}: {e.strerror or e}",
        ) from e
    except IMAPClientError as e:
        raise AccountError(
            account=account.name, reason=f"{where} refused {doing}: {_said(e)}"
        ) from e
    except EOFError as e:  # imaplib's "socket error: EOF"
        raise AccountError(
            account=account.name, reason=f"{where} closed the connection while {doing}"
        ) from e


def _envelope(uid: int, data: dict[bytes, Any]) -> Envelope:
    header = b""
    for key, value in data.items():
        if key.startswith(b"BODY[HEADER.FIELDS") and isinstance(value, bytes):
            header = value
    internal = data.get(b"INTERNALDATE")
    return Envelope(
        uid=uid,
        header=header,
        size=int(data.get(b"RFC822.SIZE", 0) or 0),
        internal_date=internal.timestamp() if internal is not None else None,
    )


def _decoded(value: object) -> str:
    from email.header import decode_header, make_header

    text = str(value or "")
    try:
        return str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeDecodeError):
        return text


def _context(account: Account) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=account.ca_file) if account.ca_file else None
    if context is None:
        context = ssl.create_default_context()
    return context


@contextlib.contextmanager
def session(account: Account, password: str, *, timeout: float = TIMEOUT) -> Iterator[Session]:
    """Connect, log in and send ID (when the server has it); log out at the end.

    Every failure is an :class:`AccountError` naming the account: the password is
    in no message (a server that echoes it back is not quoted)."""
    from imapclient import IMAPClient

    if account.ca_file is not None:
        try:
            with open(account.ca_file, "rb"):
                pass
        except OSError as e:
            raise AccountError(
                account=account.name,
                reason=f"cannot read ca_file {quoted(account.ca_file)}: {e.strerror or e}",
            ) from e
    with _translated(account, "connecting"):
        client = IMAPClient(
            account.host,
            port=account.address_port,
            ssl=account.security == "ssl",
            ssl_context=_context(account) if account.security != "none" else None,
            timeout=timeout,
        )
    try:
        with _translated(account, "starting TLS"):
            if account.security == "starttls":
                client.starttls(_context(account))
        _login(account, client, password)
        with _translated(account, "sending ID"):
            if client.has_capability("ID"):
                client.id_({"name": "folder-kit", "version": __version__, "vendor": "folder-kit"})
        yield Session(account, client)
    finally:
        with contextlib.suppress(Exception):
            client.logout()
        with contextlib.suppress(Exception):
            client.shutdown()


def _login(account: Account, client: IMAPClient, password: str) -> None:
    from imapclient.exceptions import LoginError

    where = f"{account.host}:{account.address_port}"
    try:
        with _translated(account, "logging in", passing=(LoginError,)):
            if client.has_capability("AUTH=PLAIN"):
                client.plain_login(account.user, password)  # UTF-8: passwords need not be ASCII
            else:
                client.login(account.user, password)
    except LoginError as e:
        said = _said(e).replace(password, "…") if password else _said(e)
        raise AccountError(
            account=account.name,
            reason=f"{where} refused the login of {quoted(account.user)} ({said}); "
            "check the user and the password (QQ, 163 and Exmail want the client "
            "password or 授权码 from the web mail's settings, not the login password)",
        ) from e
    except UnicodeEncodeError as e:
        raise AccountError(
            account=account.name,
            reason=f"{where} takes only ASCII passwords, and this one is not",
        ) from e


def folder_counts(session_: Session, names: Iterable[str]) -> dict[str, int]:
    """How many messages each folder holds (STATUS, without opening it)."""
    out: dict[str, int] = {}
    for name in names:
        with session_.talking(f"reading the status of {name}"):
            status = session_.client.folder_status(name, [b"MESSAGES"])
        out[name] = int(status.get(b"MESSAGES", 0))
    return out
