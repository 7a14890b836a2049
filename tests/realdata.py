"""Real mail that nobody on this project wrote, for tests that must hold against it.

The .eml samples (Apache-2.0) and one Outlook .pst (MIT) are copied into
tests/data/eml and tests/data/pst with their NOTICEs, so the suite runs from a
standalone clone or the sdist. The Outlook .msg samples
may not be redistributed here: they are read from ../shared/realdata/msg beside
the checkout, and the tests that need them skip where it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EML = Path(__file__).resolve().parent / "data" / "eml"
# A real Outlook .pst (MIT, see its NOTICE), copied here: 13.9 MB.
PST = Path(__file__).resolve().parent / "data" / "pst" / "enron.pst"
_SHARED_MSG = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "msg"


def msg_dir() -> Path:
    """The folder of the .msg samples; skips the calling test where it is absent."""
    if not _SHARED_MSG.is_dir():
        pytest.skip(f"the Outlook .msg samples are not redistributed: {_SHARED_MSG} is absent")
    return _SHARED_MSG


def msg(name: str) -> Path:
    return msg_dir() / name
