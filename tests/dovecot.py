"""A real IMAP server for the tests: Dovecot on 127.0.0.1, a port of its own, one
passwd-file user and a Maildir in a temporary folder.

No mock stands in for the protocol. The test talks to Dovecot with folder-kit, and
checks what happened on the server with the standard library's imaplib (a second,
independent client): counts, UIDs and flags before and after a sync.

Dovecot refuses to run mail processes as root, so under root the mail belongs to
``nobody`` and the base folder is one that user can traverse; as another user,
every Dovecot process runs as that user. Where Dovecot is not installed the tests
that need it skip, naming the package (CI installs it).
"""

from __future__ import annotations

import contextlib
import hashlib
import imaplib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)
USER = "lilei@example.cn"
PASSWORD = "授权码-s3cret"  # a client password, as 163/QQ/Exmail issue them (UTF-8 on purpose)

# Folders the server has, each with the special-use flag it is marked with (or none).
DEFAULT_FOLDERS: Mapping[str, str | None] = {
    "Sent": "\\Sent",
    "Drafts": "\\Drafts",
    "Trash": "\\Trash",
}


def need_dovecot() -> str:
    if DOVECOT is None or os.name != "posix":
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    return DOVECOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Snapshot:
    """What a folder holds, read with EXAMINE: UIDVALIDITY and each UID's flags."""

    uidvalidity: int
    flags: Mapping[int, frozenset[str]]


class Dovecot:
    """A running Dovecot; ``close()``, or the end of ``with Dovecot() as d:``, ends it
    and removes its files."""

    def __init__(
        self,
        *,
        folders: Mapping[str, str | None] = DEFAULT_FOLDERS,
        tls: bool = False,
    ) -> None:
        binary = need_dovecot()
        import pwd  # POSIX only: need_dovecot() skipped elsewhere

        # Short, world-traversable (the mail user must reach its home), outside pytest's
        # 0700 tmp_path; unix sockets also want a short path.
        self.base = Path(tempfile.mkdtemp(prefix="fk-imap-", dir="/tmp"))
        self.base.chmod(0o755)
        self.port = free_port()
        self.tls = tls
        self.user = USER
        self.password = PASSWORD
        self.home = self.base / "home"
        self.maildir = self.home / "Maildir"
        for sub in ("run", "state", "home"):
            (self.base / sub).mkdir()
        self.ca_file: Path | None = None
        if tls:
            self._make_certificate()
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("nobody")
            internal = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
        else:
            mail_user = pwd.getpwuid(os.getuid())
            internal = (
                f"default_internal_user = {mail_user.pw_name}\n"
                f"default_login_user = {mail_user.pw_name}\n"
                f"default_internal_group = {_group_name(mail_user.pw_gid)}\n"
            )
        self.uid, self.gid = mail_user.pw_uid, mail_user.pw_gid
        os.chown(self.home, self.uid, self.gid)
        (self.base / "passwd").write_text(
            f"{self.user}:{{PLAIN}}{self.password}::::::\n", encoding="utf-8"
        )
        mailboxes = "".join(
            f'  mailbox "{name}" {{\n    auto = create\n'
            + (f"    special_use = {use}\n" if use else "")
            + "  }\n"
            for name, use in folders.items()
        )
        ssl = (
            f"ssl = required\nssl_cert = <{self.base / 'server.pem'}\nssl_key = <{self.base / 'server.key'}\n"
            if tls
            else "ssl = no\n"
        )
        listeners = (
            f"  inet_listener imap {{\n    port = 0\n  }}\n  inet_listener imaps {{\n"
            f"    address = 127.0.0.1\n    port = {self.port}\n    ssl = yes\n  }}\n"
            if tls
            else f"  inet_listener imap {{\n    address = 127.0.0.1\n    port = {self.port}\n  }}\n"
            "  inet_listener imaps {\n    port = 0\n  }\n"
        )
        config = (
            f"base_dir = {self.base / 'run'}\n"
            f"state_dir = {self.base / 'state'}\n"
            f"log_path = {self.base / 'dovecot.log'}\n"
            f"{internal}"
            "protocols = imap\n"
            "listen = 127.0.0.1\n"
            f"{ssl}"
            "disable_plaintext_auth = no\n"
            "auth_mechanisms = plain login\n"
            "auth_failure_delay = 0\n"
            "mail_privileged_group =\n"
            f"first_valid_uid = {self.uid}\nlast_valid_uid = {self.uid}\n"
            f"first_valid_gid = {self.gid}\n"
            f"mail_location = maildir:{self.maildir}:LAYOUT=fs\n"
            "passdb {\n  driver = passwd-file\n"
            f"  args = scheme=PLAIN username_format=%u {self.base / 'passwd'}\n}}\n"
            "userdb {\n  driver = static\n"
            f"  args = uid={self.uid} gid={self.gid} home={self.home}\n}}\n"
            "namespace inbox {\n  inbox = yes\n  separator = /\n" + mailboxes + "}\n"
            "service imap-login {\n" + listeners + "}\n"
            # No auth penalty (up to 15 s a login after failed ones, from anvil):
            # the tests log in with wrong passwords on purpose.
            "service anvil {\n  chroot =\n"
            "  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\nservice imap-login {\n  chroot =\n}\n"
            "service stats {\n  unix_listener stats-reader {\n    mode = 0666\n  }\n"
            "  unix_listener stats-writer {\n    mode = 0666\n  }\n}\n"
        )
        self.config = self.base / "dovecot.conf"
        self.config.write_text(config, encoding="utf-8")
        self._binary = binary
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()
        # Folders are made on first login (auto = create): make them now.
        with self.client():
            pass

    def _make_certificate(self) -> None:
        """A CA and a server certificate for 127.0.0.1 and localhost, signed by it."""
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.skip("openssl is not installed (apt-get install openssl)")
        b = self.base

        def run(*args: str) -> None:
            subprocess.run([openssl, *args], check=True, capture_output=True, cwd=b)

        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=folder-kit test CA",
            "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
        (b / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n", encoding="ascii")
        run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")  # fmt: skip
        self.ca_file = b / "ca.pem"

    # -- the server ---------------------------------------------------------------

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self._binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        end = time.monotonic() + 20
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return
            if self.proc.poll() is not None or time.monotonic() > end:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"Dovecot did not start: {err}\n{self.log()}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def drop_connections(self) -> int:
        """Kill the processes serving the open IMAP sessions, as a lost connection
        would end them; the server goes on. Returns how many there were."""
        import signal

        if self.proc is None:
            return 0
        killed = 0
        for pid in _descendants(self.proc.pid):
            try:
                comm = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
                if comm == "imap":
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
            except (OSError, ProcessLookupError):
                continue
        return killed

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log(self) -> str:
        try:
            return (self.base / "dovecot.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    # -- an independent client, for setting up and checking -----------------------

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4]:
        if self.tls:
            import ssl

            context = ssl.create_default_context(cafile=str(self.ca_file))
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                "127.0.0.1", self.port, ssl_context=context, timeout=10
            )
        else:
            imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            imap._encoding = "utf-8"  # type: ignore[attr-defined]  # a UTF-8 password
            imap.authenticate("PLAIN", lambda _: f"\0{self.user}\0{self.password}".encode())
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    def append(
        self, folder: str, message: bytes, *, flags: str = "", when: float | None = None
    ) -> None:
        """Put a message into a folder, as a mail program would (APPEND)."""
        with self.client() as imap:
            date = imaplib.Time2Internaldate(when if when is not None else time.time())
            typ, data = imap.append(_quoted(folder), f"({flags})" if flags else None, date, message)
            assert typ == "OK", data

    def create(self, folder: str, *, special_use: str | None = None) -> None:
        with self.client() as imap:
            typ, data = imap.create(_quoted(folder))
            assert typ == "OK", data

    def delete(self, folder: str) -> None:
        with self.client() as imap:
            typ, data = imap.delete(_quoted(folder))
            assert typ == "OK", data

    def snapshot(self, folder: str) -> Snapshot:
        """UIDVALIDITY and every message's flags, read-only (EXAMINE)."""
        with self.client() as imap:
            typ, _ = imap.select(_quoted(folder), readonly=True)
            assert typ == "OK", folder
            uidvalidity = int(imap.untagged_responses.get("UIDVALIDITY", [b"0"])[-1])
            typ, data = imap.uid("FETCH", "1:*", "(FLAGS)")
            flags: dict[int, frozenset[str]] = {}
            for item in data:
                if not isinstance(item, bytes):
                    continue
                m = re.search(rb"UID (\d+).*FLAGS \(([^)]*)\)", item) or re.search(
                    rb"FLAGS \(([^)]*)\).*UID (\d+)", item
                )
                if m is None:
                    continue
                if m.re.pattern.startswith(rb"UID"):
                    uid, names = int(m.group(1)), m.group(2)
                else:
                    names, uid = m.group(1), int(m.group(2))
                flags[uid] = frozenset(f for f in names.decode().split() if f != "\\Recent")
            return Snapshot(uidvalidity, flags)

    def messages(self, folder: str) -> list[bytes]:
        """Every message's bytes, in UID order (read with BODY.PEEK: nothing marked seen)."""
        with self.client() as imap:
            typ, _ = imap.select(_quoted(folder), readonly=True)
            assert typ == "OK", folder
            typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
            return [item[1] for item in data if isinstance(item, tuple)]


def _descendants(pid: int) -> list[int]:
    """The processes under ``pid`` (Linux: /proc/PID/task/*/children)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text(encoding="ascii").split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                todo.append(child)
    return found


def _quoted(folder: str) -> str:
    """A folder name for imaplib: modified UTF-7 for non-ASCII, quoted."""
    return '"' + _utf7(folder).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7(name: str) -> str:
    """RFC 3501 modified UTF-7 (imaplib does not encode folder names itself)."""
    import base64

    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            raw = "".join(run).encode("utf-16-be")
            out.append(
                "&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-"
            )
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def message(
    *,
    sender: str,
    to: str,
    subject: str,
    date: str = "Mon, 30 Nov 2026 10:00:00 +0100",
    message_id: str | None = None,
    body: str = "Hello,\r\n\r\nplease see below.\r\n",
    extra: str = "",
) -> bytes:
    """A plain RFC 5322 message, CRLF line ends."""
    digest = hashlib.sha1(f"{sender}|{to}|{subject}|{date}".encode()).hexdigest()[:16]
    mid = message_id or f"<{digest}@test.example>"
    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n"
        f"Message-ID: {mid}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"{extra}"
    )
    return (head + "\r\n" + body).encode("utf-8")
