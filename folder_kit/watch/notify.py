"""Desktop notifications for what matters, through desktop-notifier (an optional extra).

Missing library or no desktop session: one warning, and the watcher goes on.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

EXTRA_HINT = "pip install 'folder-kit[notify]'"


def desktop_session(env: dict[str, str] | None = None, *, platform: str = sys.platform) -> bool:
    """Whether there is a desktop to show notifications on (on Linux: a session bus)."""
    env = dict(os.environ) if env is None else env
    if platform.startswith("linux"):
        return bool(env.get("DBUS_SESSION_BUS_ADDRESS")) and bool(
            env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
        )
    return True


class Notifier:
    """Shows notifications; says once why it cannot, then stays quiet."""

    def __init__(self, *, on_warning: Callable[[str], None]) -> None:
        self.on_warning = on_warning
        self._notifier: Any = None
        # Its failures are ours to report, in one line: never its tracebacks.
        quiet = logging.getLogger("desktop_notifier")
        quiet.propagate = False
        quiet.addHandler(logging.NullHandler())
        try:
            from desktop_notifier import DesktopNotifierSync
        except ImportError:
            on_warning(f"--notify needs desktop-notifier: {EXTRA_HINT}; going on without it")
            return
        if not desktop_session():
            on_warning("no desktop session to show notifications in; going on without them")
            return
        try:
            self._notifier = DesktopNotifierSync(app_name="folder-kit")
        except Exception as e:
            on_warning(f"desktop notifications do not work here ({e}); going on without them")

    @property
    def works(self) -> bool:
        return self._notifier is not None

    def send(self, title: str, message: str) -> None:
        if self._notifier is None:
            return
        try:
            self._notifier.send(title=title, message=message)
        except Exception as e:
            self._notifier = None
            self.on_warning(f"a desktop notification failed ({e}); going on without them")
