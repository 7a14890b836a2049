"""Readers answered by the running watcher, over a local socket.

With a watcher running, `due --json` and `customer list --json` scan nothing
(the watcher keeps the index current), yet each still starts Python, imports
click, PyYAML, SQLite and the follow-up rules, and works out its answer anew:
at 10,000 customers `due` is about 0.9 s of CPU, most of it choosing a topic for
each customer. The watcher has all of that loaded already, and knows when the
index changes. So it answers them:

- **The watcher** (``Answers``) listens on 127.0.0.1, on a port the system
  picks, and writes the port and a random token to ``answers.json`` in the
  workspace's state folder (readable by this user only). A request names a
  command (``SERVED``); the watcher runs that very command, in a thread of its
  own, with its JSON written to a buffer (``cli.common.JSON_OUT``) instead of
  stdout, and sends back the bytes. It keeps the answer until anything it
  depends on changes: the index (SQLite's ``data_version``: any commit by any
  connection), folder-kit.yaml, the day, the customers folder's name, and for
  `due` the 产品/ files it reads.
- **A reader** (``ask``, called by ``folder_kit.__main__`` before click or the
  rest of the package is imported) finds the workspace, reads ``answers.json``,
  sends the token and its arguments, and writes the answer to stdout as it
  came: byte for byte what the command writes itself. Anything else (no
  watcher, another command or option, an error, a token not recognised, a
  watcher that does not answer in time) and the command runs as it always did,
  and says what it always says.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

ANSWERS_FILE = "answers.json"
MAGIC = b"folder-kit answer 1\n"
ENV_SAME = ("TZ", "COMPUTERNAME")  # what the commands read of the environment
CONNECT_SECONDS = 1.0
ANSWER_SECONDS = 30.0  # a watcher busy for longer: the reader works it out itself
KEEP = 8  # answers kept (about 4 MB each for `due` at 10,000 customers)
MAX_REQUEST = 64 * 1024


# --- the reader's side: light (the standard library, workspace.root, timeline.state)


def served(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """The workspace named (or None) and the command, when ``argv`` is one the
    watcher answers: `due --json` (with --today and --within) or `customer list
    --json`, -w before or after it, each option once; None for anything else."""
    workspace: str | None = None
    rest: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg in ("-w", "--workspace") or arg.startswith("--workspace="):
            value = arg.partition("=")[2] if "=" in arg else next(it, None)
            if value is None or workspace is not None:
                return None
            workspace = value
        else:
            rest.append(arg)
    if rest[:2] == ["customer", "list"]:
        options, valued = rest[2:], ()
    elif rest[:1] == ["due"]:
        options, valued = rest[1:], ("--today", "--within")
    else:
        return None
    seen: set[str] = set()
    it = iter(options)
    for arg in it:
        name = arg.partition("=")[0]
        if name in seen:
            return None
        seen.add(name)
        if arg == "--json":
            continue
        if name not in valued or ("=" not in arg and next(it, None) is None):
            return None
    return (workspace, rest) if "--json" in seen else None


def ask(argv: list[str]) -> bytes | None:
    """The running watcher's answer to the command ``argv``, or None when it does
    not give one (the caller then runs the command itself)."""
    request = served(argv)
    if request is None:
        return None
    given, command = request
    if os.name == "nt" and sys.stdout is not None and sys.stdout.isatty():
        return None  # click writes to a Windows console its own way
    try:
        from folder_kit.timeline.state import state_dir
        from folder_kit.workspace.root import find_workspace

        root = find_workspace(Path(given) if given is not None else None)
        where = json.loads((state_dir(root) / ANSWERS_FILE).read_text(encoding="utf-8"))
        message = {
            "token": where["token"],
            "root": str(root),
            "command": command,
            "env": {name: os.environ.get(name) for name in ENV_SAME},
        }
        with socket.create_connection(("127.0.0.1", int(where["port"])), CONNECT_SECONDS) as s:
            s.settimeout(ANSWER_SECONDS)
            s.sendall(json.dumps(message).encode("utf-8") + b"\n")
            s.shutdown(socket.SHUT_WR)
            return _answer(s)
    except Exception:  # no watcher, or none that answers: the command runs itself
        return None


def _answer(s: socket.socket) -> bytes | None:
    chunks = []
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    data = b"".join(chunks)
    head, sep, body = data.partition(b"\n")
    if not sep or not head.startswith(MAGIC.rstrip(b"\n") + b" "):
        return None
    size = head.rpartition(b" ")[2]
    if not size.isdigit() or int(size) != len(body):
        return None  # cut short
    return body


# --- the watcher's side -------------------------------------------------------


class Answers:
    """The watcher's answers to readers: ``start()`` listens and writes
    ``answers.json``, ``stop()`` removes it; ``answer()`` is what a request gets."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._token = os.urandom(24).hex()
        self._kept: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._index: Any = None  # an Index, opened by the serving thread

    def start(self) -> None:
        server = socket.create_server(("127.0.0.1", 0))
        server.settimeout(0.5)  # how soon stop() is seen
        self._server = server
        self._thread = threading.Thread(target=self._serve, name="folder-kit answers", daemon=True)
        self._thread.start()
        self.publish()

    def publish(self) -> None:
        """Write ``answers.json`` (again, when the state folder was made anew)."""
        from folder_kit.timeline.state import state_dir

        if self._server is None:
            return
        folder = state_dir(self.root)
        tmp = folder / f".{ANSWERS_FILE}.{os.getpid()}.tmp"
        data = json.dumps({"pid": os.getpid(), "port": self._server.getsockname()[1],
                           "token": self._token})  # fmt: skip
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(tmp, folder / ANSWERS_FILE)

    def published(self) -> bool:
        from folder_kit.timeline.state import state_dir

        return (state_dir(self.root) / ANSWERS_FILE).exists()

    def stop(self) -> None:
        from folder_kit.timeline.state import state_dir

        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(OSError):
                os.unlink(state_dir(self.root) / ANSWERS_FILE)

    def _serve(self) -> None:
        assert self._server is not None
        try:
            while not self._stopping.is_set():
                try:
                    conn, _ = self._server.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                with conn:
                    with contextlib.suppress(Exception):  # a reader gone: the next one
                        self._one(conn)
        finally:
            if self._index is not None:
                self._index.close()
                self._index = None

    def _one(self, conn: socket.socket) -> None:
        import hmac

        conn.settimeout(5.0)
        data = b""
        while not data.endswith(b"\n") and len(data) < MAX_REQUEST:
            chunk = conn.recv(MAX_REQUEST)
            if not chunk:
                break
            data += chunk
        request = json.loads(data)
        if not hmac.compare_digest(str(request.get("token", "")), self._token):
            return
        env = request.get("env", {})
        same = all(env.get(name) == os.environ.get(name) for name in ENV_SAME)
        answer = None
        if same and request.get("root") == str(self.root):
            command = [str(a) for a in request.get("command", [])]
            answer = self.answer(command)
        body = answer if answer is not None else b""
        verdict = b"ok" if answer is not None else b"no"
        conn.sendall(MAGIC.rstrip(b"\n") + b" " + verdict + b" " + str(len(body)).encode() + b"\n")
        if answer is not None:
            conn.sendall(body)

    def answer(self, command: list[str]) -> bytes | None:
        """What the command writes (``served``'s command part), as this process
        would write it, from the answers kept when nothing it depends on changed;
        None when it is not one answered here or did not succeed."""
        if served(command) is None:
            return None
        try:
            key = self._key(command)
        except Exception:
            return None
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept
        answer = self._run(command)
        if answer is not None:
            self._kept[key] = answer
            while len(self._kept) > KEEP:
                self._kept.popitem(last=False)
        return answer

    def _key(self, command: list[str]) -> tuple[object, ...]:
        """Everything the command's answer depends on besides its arguments."""
        from folder_kit.cli.common import parse_today
        from folder_kit.timeline.index import Index
        from folder_kit.workspace.find import open_workspace
        from folder_kit.workspace.root import CONFIG_NAME

        if self._index is not None and not self._index.intact():
            self._index.close()
            self._index = None
        if self._index is None:
            self._index = Index.open(self.root)
            self._kept.clear()  # versions of another connection are not comparable
        version = self._index.data_version()
        st = os.stat(self.root / CONFIG_NAME)
        ws = open_workspace(self.root)
        extra: tuple[object, ...] = ()
        if command[0] == "due":
            from folder_kit.followup.products import all_product_files

            extra = tuple(all_product_files(ws).items())
        return (
            tuple(command),
            version,
            (st.st_ino, st.st_size, st.st_mtime_ns),
            parse_today(None, ws),
            str(ws.customers_dir),
            extra,
        )

    def _run(self, command: list[str]) -> bytes | None:
        import io

        from folder_kit.cli import cli
        from folder_kit.cli.common import JSON_OUT

        out = io.BytesIO()
        token = JSON_OUT.set(out)
        try:
            cli.main(
                args=["-w", str(self.root), *command],
                prog_name="folder-kit",
                standalone_mode=False,
            )
        except (Exception, SystemExit):
            return None
        finally:
            JSON_OUT.reset(token)
        return out.getvalue()
