"""Online-only files: what OneDrive, Nutstore and iCloud leave on disk for a file
whose data is still in the cloud. Opening one downloads it, so a scan that reads
mail headers would pull a whole mailbox down: such a file is dated without
being opened, as one that cannot be read is.

Told from the stat the scan already has (no call of its own):

- Windows: the attributes a cloud files provider sets (``st_file_attributes``):
  RECALL_ON_DATA_ACCESS (OneDrive's and Nutstore's Files On-Demand), RECALL_ON_OPEN,
  and OFFLINE (older providers, HSM archives).
- macOS: SF_DATALESS in ``st_flags`` (File Provider files, iCloud Drive, OneDrive).
- Linux: nothing reliable. A dataless file would show no blocks for a non-zero size,
  but so do small files that ext4 (inline_data) and btrfs keep inside their
  metadata, and some FUSE and network file systems report no blocks at all; and
  the OneDrive and Nutstore clients for Linux keep no online-only files. Reading
  every mail there as a placeholder would date it by its name for nothing.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable

FILE_ATTRIBUTE_OFFLINE = stat.FILE_ATTRIBUTE_OFFLINE  # 0x1000
FILE_ATTRIBUTE_RECALL_ON_OPEN = 0x40000
FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS = 0x400000
SF_DATALESS = 0x40000000  # macOS <sys/stat.h>

_ONLINE_ONLY = (
    FILE_ATTRIBUTE_OFFLINE | FILE_ATTRIBUTE_RECALL_ON_OPEN | FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS
)


def online_only(*, attributes: int = 0, flags: int = 0) -> bool:
    """Whether a file with these Windows attributes or BSD/macOS flags has its data
    elsewhere, to be fetched when it is opened."""
    return bool(attributes & _ONLINE_ONLY or flags & SF_DATALESS)


# The test for this system, or None where none is reliable (Linux): a scan then
# makes no call at all.
IS_PLACEHOLDER: Callable[[os.stat_result], bool] | None = None
if sys.platform == "win32":  # pragma: no cover - Windows

    def _by_attributes(st: os.stat_result) -> bool:
        return bool(st.st_file_attributes & _ONLINE_ONLY)

    IS_PLACEHOLDER = _by_attributes
elif sys.platform == "darwin":  # pragma: no cover - macOS

    def _by_flags(st: os.stat_result) -> bool:
        return bool(st.st_flags & SF_DATALESS)

    IS_PLACEHOLDER = _by_flags
