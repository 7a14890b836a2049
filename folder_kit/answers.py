"""Readers answered by the running watcher, over a local socket.

With a watcher running, `due --json` and `customer list --json` scan nothing
(the watcher keeps the index current), yet each still starts Python, imports
click, PyYAML, SQLite and the follow-up rules, and works out its answer anew:
at 10,000 customers `due` is about 0.9 s of CPU, most of it choosing a topic for
each customer. The watcher has all of that loaded already, and knows when the
index changes. So it answers them:

- **The watcher** (``cli.answers.Answers``, the service `folder-kit watch` gives the
  ``Watcher``, started once the index is current) listens on 127.0.0.1, on a port the system
  picks, and writes the port and a random token to ``answers.json`` in the
  workspace's state folder (readable by this user only). A request names a
  command (``SERVED``); the watcher runs that very command, in a thread of its
  own, with its JSON written to a buffer (``cli.common.JSON_OUT``) instead of
  stdout, and sends back the bytes. It keeps the answer until anything it
  depends on changes: the index (SQLite's ``data_version``: any commit by any
  connection), folder-kit.yaml, the day, the customers folder's name, and for
  `due` the 产品/ files it reads.
- **A reader** (``ask``, here, called by ``folder_kit.__main__`` before click or
  the rest of the package is imported: this module is the command line's, kept
  out of ``cli/`` so that importing it imports no click) finds the workspace, reads ``answers.json``,
  sends the token and its arguments, and writes the answer to stdout as it
  came: byte for byte what the command writes itself. Anything else (no
  watcher, another command or option, an error, a token not recognised, a
  watcher that does not answer in time) and the command runs as it always did,
  and says what it always says.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

ANSWERS_FILE = "answers.json"
MAGIC = b"folder-kit answer 1\n"
ENV_SAME = ("TZ", "COMPUTERNAME")  # what the commands read of the environment
CONNECT_SECONDS = 1.0
ANSWER_SECONDS = 30.0  # a watcher busy for longer: the reader works it out itself
MAX_REQUEST = 64 * 1024


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
    valued: tuple[str, ...] = ()
    if rest[:2] == ["customer", "list"]:
        options = rest[2:]
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
    # "folder-kit answer 1 ok SIZE": anything else (a refusal, another program on a
    # port a dead watcher had) is no answer.
    words = head.split(b" ")
    if not sep or head[: len(MAGIC) - 1] != MAGIC[:-1] or len(words) != 5 or words[3] != b"ok":
        return None
    if not words[4].isdigit() or int(words[4]) != len(body):
        return None  # cut short
    return body
