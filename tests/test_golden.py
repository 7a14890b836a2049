"""Every reader's output, byte for byte, against what it printed before the
performance work for large workspaces (bench/README.md): a faster scan or reader
must not change one byte.

Two fixed trees: a copy of sample_workspace/ and a small generated one that
holds the awkward cases (mail without a date, files dated by their mtime,
control characters and line separators in names, a grade history, nesting,
ignored files, a folder name the company's real name differs from). Every
mtime is pinned and the time zone is UTC, so the output is reproducible.

The recorded outputs are in tests/data/golden/. To record them again (only when
a change of output is intended and reviewed):

    FOLDER_KIT_UPDATE_GOLDEN=1 python3 scripts/dev.py test -k golden
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE_WORKSPACE, Invoke
from helpers import build_tree, set_times

from folder_kit.timeline.instants import instant

GOLDEN = Path(__file__).parent / "data" / "golden"
UPDATE = bool(os.environ.get("FOLDER_KIT_UPDATE_GOLDEN"))
PINNED = 1_767_225_600  # 2026-01-01T00:00:00Z: every file and folder, so mtime dates are fixed

MAIL = (
    "From: Li Lei <lilei@example.cn>\r\n"
    "To: buyer@example.com\r\n"
    "Subject: {subject}\r\n"
    "{date}"
    "Message-ID: <{n}@example.cn>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Dear buyer,\r\n\r\nPlease see attached.\r\n"
)


def mail(n: int, subject: str, date: str | None) -> str:
    return MAIL.format(n=n, subject=subject, date=f"Date: {date}\r\n" if date else "")


def generated_spec() -> dict[str, object]:
    customers: dict[str, object] = {}
    grades = ["A-交易客户", "B-在谈客户", "C-潜力客户", "D-行业客户", "待开发客户"]
    for n in range(12):
        name = f"Customer {n:02d} Trading" if n % 3 else f"客户{n:02d} 贸易有限公司"
        out = {
            f"2026-0{n % 9 + 1}-1{n % 9} Price update 2027.eml": mail(
                n, "Price update 2027", f"{n % 27 + 1:02d} Mar 2026 10:00:00 +0800"
            ),
            f"2026-05-0{n % 9 + 1} 电话 跟进样品.txt": "called\n",
            f"Canton Fair invitation {n}.eml": mail(
                100 + n, "Canton Fair invitation", f"0{n % 9 + 1} Apr 2026 09:30:00 -0500"
            ),
        }
        inbox = {
            f"Re_ Price update 2027 {n}.eml": mail(
                200 + n, "Re: Price update 2027", f"1{n % 9} May 2026 08:00:00 +0000"
            ),
            "WhatsApp chat notes.txt": "no date in this name: dated by its mtime\n",
        }
        customers[f"{grades[n % 5]}/{name}"] = {
            "Contact.txt": f"公司: {name} Co., Ltd.\n国家: DE\n" if n % 4 else "Name: x\n",
            "OUT": out,
            "IN": inbox,
            "报价": {f"QT-2026-{n:03d} 2026-06-{n + 1:02d}.pdf": b"%PDF-1.4\n"},
            "PI": {f"PI-2026.07.{n + 1:02d}-{n:04d}.pdf": b"%PDF-1.4\n"},
            "定单": {},
        }
    odd = "A-交易客户/Odd Names GmbH"
    customers[odd] = {
        "Contact.txt": "公司: Odd Names GmbH / Maersk A/S\n",
        "OUT": {
            "2026-02-03 line\u2028sep and \x85 nel.txt": "x\n",
            "2026-02-04 bidi \u202e txt.eml": mail(300, "Quotation \u2028 QT-1", None),
            "no date at all.eml": mail(301, "samples", None),
            "broken.eml": b"\x00\x01 not a mail",
            "~$owner.docx": b"x",
            "Thumbs.db": b"x",
            "nested": {"deeper": {"2026-03-03 visit 拜访.txt": "x\n"}},
            "草稿": {"2026-03-04 draft.eml": mail(302, "draft", "01 Mar 2026 10:00:00 +0000")},
        },
        "IN": {
            "回复_ 价格表 2027.eml": mail(303, "回复: 价格表 2027", "02 Mar 2026 10:00:00 +0800")
        },
        ".folder-kit-grades.txt": (
            "2026-01-02T10:00:00+00:00 P -> C\n2026-01-05T10:00:00+00:00 C -> A\n"
        ),
    }
    return {"folder-kit.yaml": "lang: zh\n", "客户": customers}


def pin_mtimes(root: Path) -> None:
    """Every file and folder at PINNED, but a mail with a date: saved an hour after it
    was sent, as a mail client saves it (one saved before its date would be dated
    by a wrong clock, and then when it arrived)."""
    from folder_kit.errors import MailError
    from folder_kit.timeline.mail import read_message

    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*filenames, *dirnames]:
            path = os.path.join(dirpath, name)
            when: float = PINNED
            if name.endswith((".eml", ".msg")) and not os.path.islink(path):
                try:
                    sent = read_message(path, addresses=False).date
                except MailError:
                    sent = None
                if sent is not None:
                    when = instant(sent) + 3600
            set_times(path, when)
    os.utime(root, (PINNED, PINNED))


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not hasattr(time, "tzset"):  # Windows reads the zone once, when the process starts
        if time.timezone or time.daylight:
            pytest.skip("the golden files are in UTC; this zone is not, and Windows has no tzset")
        yield
        return
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def tree(kind: str, tmp_path: Path) -> tuple[Path, str]:
    """The tree, and a customer NAME for `timeline NAME`."""
    root = tmp_path / kind
    if kind == "sample":
        shutil.copytree(SAMPLE_WORKSPACE, root, symlinks=True)
        who = "Rossi"
    else:
        build_tree(root, generated_spec())  # type: ignore[arg-type]
        who = "Odd Names"
    pin_mtimes(root)
    return root, who


# Each step's command; run in this order on one tree (the first scan is cold).
STEPS: list[tuple[str, list[str]]] = [
    ("scan-cold-json", ["scan", "--json"]),
    ("scan-json", ["scan", "--json"]),
    ("scan", ["scan"]),
    ("scan-rebuild-json", ["scan", "--rebuild", "--json"]),
    ("timeline-json", ["timeline", "--json"]),
    ("timeline", ["timeline"]),
    ("timeline-name", ["timeline", "{who}"]),
    ("timeline-name-json", ["timeline", "{who}", "--json"]),
    ("customer-list", ["customer", "list"]),
    ("customer-list-json", ["customer", "list", "--json"]),
    ("due", ["due", "--today", "2026-12-01"]),
    ("due-json", ["due", "--json", "--today", "2026-12-01"]),
    ("check", ["check", "--today", "2026-12-01"]),
    ("check-json", ["check", "--json", "--today", "2026-12-01"]),
    ("report-json", ["report", "--json", "--today", "2026-12-01"]),
]


def recorded(result: object) -> str:
    out = getattr(result, "stdout", "")
    err = getattr(result, "stderr", "")
    code = getattr(result, "exit_code", None)
    return f"exit {code}\n--- stdout\n{out}--- stderr\n{err}"


@pytest.fixture(params=["stdlib", "orjson"])
def json_encoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The JSON written by the standard library, and by orjson (the `fast` extra),
    which the commands use for long lists only: here for any."""
    from folder_kit.cli import common

    if request.param == "orjson":
        pytest.importorskip("orjson")
        monkeypatch.setattr(common, "ORJSON_MIN", 0)
    else:
        monkeypatch.setattr(common, "_orjson", lambda: None)


@pytest.mark.parametrize("kind", ["sample", "generated"])
def test_output_is_byte_identical(
    kind: str, tmp_path: Path, invoke: Invoke, utc: None, json_encoder: None
) -> None:
    root, who = tree(kind, tmp_path)
    folder = GOLDEN / kind
    for step, args in STEPS:
        result = invoke("-w", str(root), *(a.format(who=who) for a in args))
        got = recorded(result)
        path = folder / f"{step}.txt"
        if UPDATE:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(got.encode("utf-8", "surrogateescape"))
            continue
        want = path.read_bytes().decode("utf-8", "surrogateescape")
        assert got == want, f"{kind}: `{' '.join(args)}` changed its output ({path})"
