"""The standard streams, set up once when the command line starts, so that what
a command prints reaches a console, a pipe or a file whole, on every system.

Where the output is not a console (a pipe, a file, a scheduled task, a program
started from Explorer's context menu), Python encodes it with the locale's code
page: cp1252 on a western Windows, cp936 on a Chinese one, ASCII under a Linux
``C`` locale. None of them can write every customer's name. folder-kit writes
UTF-8 there instead, as git and pip do, and LF line endings on every system, so
that the bytes of ``--json`` and of a report are the same wherever they were
made. A console gets what it can show: Windows' console takes Unicode whatever
its code page; a terminal with a narrower encoding gets a ``?`` for what it
cannot show rather than a traceback.

``PYTHONIOENCODING``, when set, is the user's own choice and is kept.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
from collections.abc import Mapping


def prepare_streams(environ: Mapping[str, str] = os.environ) -> None:
    """Set up ``sys.stdout`` and ``sys.stderr`` as the module's docstring says."""
    if environ.get("PYTHONIOENCODING"):
        return
    for stream in (sys.stdout, sys.stderr):
        prepare(stream)


def prepare(stream: object) -> None:
    """One stream: UTF-8 and LF where it is not a console; where it is one,
    unshowable characters replaced instead of raised."""
    if not isinstance(stream, io.TextIOWrapper):
        return  # None (pythonw.exe), or a stream a test or an embedding program put there
    try:
        console = stream.isatty()
    except ValueError:  # closed
        return
    utf8 = codecs.lookup(stream.encoding).name == "utf-8"
    if console:
        if not utf8 and stream.errors == "strict":
            stream.reconfigure(errors="replace")
        return
    stream.reconfigure(encoding="utf-8", newline="\n")
