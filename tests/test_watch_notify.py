"""--notify: desktop-notifier when it is there and a desktop is; one line when not."""

from __future__ import annotations

import sys
import types
from typing import Any, ClassVar

import pytest

from folder_kit.watch.notify import Notifier, desktop_session


@pytest.mark.parametrize(
    ("env", "platform", "expected"),
    [
        (
            {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus", "DISPLAY": ":0"},
            "linux",
            True,
        ),
        (
            {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "WAYLAND_DISPLAY": "wayland-0"},
            "linux",
            True,
        ),
        ({"DISPLAY": ":0"}, "linux", False),  # no session bus
        ({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}, "linux", False),  # a server's bus
        ({}, "darwin", True),
        ({}, "win32", True),
    ],
)
def test_a_desktop_session(env: dict[str, str], platform: str, expected: bool) -> None:
    assert desktop_session(env, platform=platform) is expected


class FakeNotifier:
    sent: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, *, app_name: str) -> None:
        assert app_name == "folder-kit"

    def send(self, *, title: str, message: str) -> None:
        if title == "boom":
            raise RuntimeError("the bus went away")
        self.sent.append((title, message))


@pytest.fixture
def fake_library(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    module: Any = types.ModuleType("desktop_notifier")
    module.DesktopNotifierSync = FakeNotifier
    monkeypatch.setitem(sys.modules, "desktop_notifier", module)
    FakeNotifier.sent = []
    return FakeNotifier.sent


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus")
    monkeypatch.setenv("DISPLAY", ":0")


def test_notifications_are_sent_and_a_failure_is_one_line(
    fake_library: list[tuple[str, str]], session: None
) -> None:
    warnings: list[str] = []
    n = Notifier(on_warning=warnings.append)
    assert n.works and warnings == []
    n.send("ACME GmbH: a new order", "定单/PO 1.pdf")
    assert fake_library == [("ACME GmbH: a new order", "定单/PO 1.pdf")]
    n.send("boom", "x")
    n.send("later", "x")  # given up after the failure: no second line
    assert warnings == ["a desktop notification failed (the bus went away); going on without them"]
    assert fake_library == [("ACME GmbH: a new order", "定单/PO 1.pdf")]


def test_without_the_library_one_line_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, session: None
) -> None:
    monkeypatch.setitem(sys.modules, "desktop_notifier", None)  # import fails
    warnings: list[str] = []
    n = Notifier(on_warning=warnings.append)
    n.send("x", "y")
    assert not n.works
    assert warnings == [
        "--notify needs desktop-notifier: pip install 'folder-kit[notify]'; going on without it"
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the session test is Linux's")
def test_without_a_desktop_session_one_line(
    fake_library: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    warnings: list[str] = []
    n = Notifier(on_warning=warnings.append)
    n.send("x", "y")
    assert warnings == ["no desktop session to show notifications in; going on without them"]
    assert fake_library == []
