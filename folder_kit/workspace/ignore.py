"""Names that are never a contact: what editors, downloads, the OS and sync tools
leave beside a user's files. Shared by the scan and by `customer add`, which
must never make a customer folder the scan would pass over."""

from __future__ import annotations

import fnmatch
import re

# Names that are never a contact: editors' lock and temp files, partial
# downloads, OS litter, and what sync tools leave behind while they work.
IGNORED_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "icon\r", ".directory"})
IGNORED_PATTERNS = (
    "~$*",  # Office owner files
    ".~lock.*#",  # LibreOffice locks
    "~*.tmp",
    "*.tmp",
    "*.temp",
    "*.part",
    "*.partial",
    "*.crdownload",
    "*.download",
    "*.opdownload",
    "*.!ut",
    "*.swp",
    "*~",
    "*.sync-conflict-*",  # Syncthing
    "*(conflicted copy*",  # Dropbox, Nextcloud
    "*(冲突副本*",  # Dropbox/Nutstore, Chinese
    "*.driveupload",  # Google Drive
    "*.icloud",  # iCloud placeholders
)


_IGNORED_RE = re.compile("|".join(fnmatch.translate(p) for p in IGNORED_PATTERNS))


def is_ignored(name: str) -> bool:
    """True for temporary, system, hidden and sync-tool files, which are never contact."""
    if name.startswith("."):
        return True
    folded = name.casefold()
    return folded in IGNORED_NAMES or _IGNORED_RE.match(folded) is not None
