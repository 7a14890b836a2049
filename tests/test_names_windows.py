"""Names the tool makes, against Windows' path limits, which Wine does not enforce:
a whole path of at most 259 characters (MAX_PATH, 260, less the terminating NUL,
counted in UTF-16 units) unless long paths are enabled (they are not by default,
and Explorer does not follow them even then), and 255 per component."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path, PureWindowsPath

import pytest
from conftest import Invoke
from helpers import build_tree
from hypothesis import given
from hypothesis import strategies as st

from folder_kit.drafts.eml import Mail, build_eml
from folder_kit.errors import UnsafeNameError
from folder_kit.workspace.names import MAX_FOLDER_BYTES, fit_path, folder_name

MAX_PATH_CHARS = 259
# Where a salesperson in China keeps the workspace, and a customer in it.
TYPICAL_GRADE = PureWindowsPath(r"C:\Users\张伟\Documents\销售\客户\B-在谈客户")
LONG_NAMES = {
    "ascii": "Guangdong Everbright International Lighting Technology and Trading Co., Ltd. "
    "(Foshan Nanhai Branch Office, Export Department No. 2)",
    "chinese": "广东光大国际照明科技贸易有限公司佛山南海分公司出口二部华南区域销售服务中心第三办事处",
    "astral": "𠀀𠀁𠀂 Trading " * 12,  # characters beyond the BMP: two UTF-16 units each
}


def windows_len(path: str | PureWindowsPath) -> int:
    """The length Windows counts: UTF-16 code units."""
    return len(str(path).encode("utf-16-le")) // 2


@pytest.mark.parametrize("name", LONG_NAMES.values(), ids=LONG_NAMES.keys())
def test_a_long_customer_name_is_cut_to_a_folder_name_windows_can_hold(name: str) -> None:
    folder = folder_name(name)
    assert len(folder.encode("utf-8")) <= MAX_FOLDER_BYTES == 120
    assert windows_len(folder) <= 120 < 255
    assert name.startswith(folder)  # cut at a character, nothing else changed here
    assert folder == folder.rstrip(". ")  # Windows would drop trailing dots and spaces


@given(st.text(min_size=1, max_size=400))
def test_every_folder_name_fits_a_windows_component(name: str) -> None:
    try:
        folder = folder_name(name)
    except UnsafeNameError:
        return
    assert windows_len(folder) <= 120
    assert len(folder.encode("utf-8")) <= 120


def test_the_longest_customer_folder_and_its_card_fit_under_a_typical_root() -> None:
    folder = TYPICAL_GRADE / folder_name(LONG_NAMES["ascii"] * 3)
    assert windows_len(TYPICAL_GRADE) == 34 and windows_len(folder) == 155
    assert windows_len(folder / "Contact.txt") == 167 <= MAX_PATH_CHARS
    # What is left for the name of a file in OUT/: 99 characters, where a sent
    # mail's name can take 124 (a subject cut to 120 bytes, and ".eml").
    assert MAX_PATH_CHARS - windows_len(folder / "OUT") - 1 == 99


FOLDER_200 = "C:\\" + "f" * 197  # 200 characters: 49 left for a stem, with "\\ (99).eml"
FITS = {
    "short enough stays": ("2026-12-01 Offer", "2026-12-01 Offer"),
    "cut at the room left": ("2026-12-01 " + "x" * 60, "2026-12-01 " + "x" * 38),
    "no trailing dot or space": ("2026-12-01 " + "y" * 37 + " . zzz", "2026-12-01 " + "y" * 37),
    "astral characters count two": ("2026-12-01 " + "𠀀" * 30, "2026-12-01 " + "𠀀" * 19),
    "nothing the scan skips": ("2026-12-01 " + "o" * 21 + " (conflicted copy)", "2026-12-01"),
}


@pytest.mark.parametrize(("stem", "fitted"), FITS.values(), ids=FITS.keys())
def test_fit_path_cuts_a_name_to_the_room_left(stem: str, fitted: str) -> None:
    assert fit_path(FOLDER_200, stem, ".eml", keep=10) == fitted
    assert windows_len(f"{FOLDER_200}\\{fitted} (99).eml") <= MAX_PATH_CHARS


def test_fit_path_never_cuts_below_what_it_must_keep() -> None:
    assert fit_path("C:\\" + "f" * 250, "2026-12-01 Offer", ".eml", keep=10) == "2026-12-01"


def _customer_with_a_draft(root: Path, subject: str) -> Path:
    """A customer whose folder name is as long as folder names get, with one draft."""
    customer = folder_name(LONG_NAMES["ascii"])
    assert len(customer) == 120
    mail = Mail(
        sender_name="Zhang Wei",
        sender="zhangwei@example.cn",
        to_name="Anna",
        to="anna@example.com",
        subject=subject,
        body="Dear Anna,\n\nthe new prices.\n",
        date=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    )
    build_tree(
        root,
        {
            f"客户/B-在谈客户/{customer}": {
                "Contact.txt": "Company: Everbright\nCountry: DE\nEmail: anna@example.com\n",
                "草稿": {"2026-12-01 price-update.eml": build_eml(mail)},
            }
        },
    )
    return root / "客户" / "B-在谈客户" / customer / "草稿" / "2026-12-01 price-update.eml"


SUBJECT = (
    "Re: Re: Fwd: Updated quotation for LED panel lights 600x600 40W and 1200x300 36W, "
    "UGR<19, CRI>90, 5 years warranty - Everbright order 2027-Q1, container 2 of 3"
)


def test_sent_keeps_the_mail_in_out_within_max_path(invoke: Invoke, workspace: Path) -> None:
    draft = _customer_with_a_draft(workspace, SUBJECT)
    result = invoke("-w", str(workspace), "sent", str(draft), "--json")
    assert result.exit_code == 0, result.stderr
    sent = workspace / json.loads(result.stdout)["path"]
    assert sent.is_file() and not draft.exists()
    assert windows_len(sent) <= MAX_PATH_CHARS, (windows_len(sent), sent.name)
    assert sent.suffix == ".eml"
    # As much of the subject as the room left allows (the root is a temporary folder
    # whose length differs by system and test runner).
    assert sent.stem.startswith(f"{dt.date.today().isoformat()} Re - Re - Fwd")
    assert sent.stem == sent.stem.rstrip(". ")
