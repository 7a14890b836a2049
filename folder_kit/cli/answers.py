"""The watcher's side of the readers' answers (``folder_kit.answers`` says how
they work): the service `folder-kit watch` runs beside its ``Watcher``."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from folder_kit.answers import ANSWERS_FILE, ENV_SAME, MAGIC, MAX_REQUEST, served

KEEP = 8  # answers kept (about 4 MB each for `due` at 10,000 customers)


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
                with conn, contextlib.suppress(Exception):  # a reader gone: the next one
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
