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


def _literal_ends(
    patterns: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What a name must start with, end with, or hold for some pattern to match it:
    each pattern's literal text before its first wildcard, else after its last,
    else between them. A cheap test that rules out almost every name, so that the
    regex runs for few (a scan asks this of every file)."""
    starts, ends, holds = [], [], []
    for pattern in patterns:
        pieces = re.split(r"[*?\[]", pattern)
        if "[" in pattern or "?" in pattern or not any(pieces):
            return (), (), ("",)  # not worth reasoning about: always ask the regex
        if pieces[0]:
            starts.append(pieces[0])
        elif pieces[-1]:
            ends.append(pieces[-1])
        else:
            holds.append(max(pieces, key=len))
    return tuple(starts), tuple(ends), tuple(holds)


_STARTS, _ENDS, _HOLDS = _literal_ends(IGNORED_PATTERNS)
# The pieces held anywhere, searched at once (not one `in` each from a generator).
_HELD = re.compile("|".join(re.escape(piece) for piece in _HOLDS))


def is_ignored(name: str, *, folded: str | None = None) -> bool:
    """True for temporary, system, hidden and sync-tool files, which are never contact.

    ``folded``: the name casefolded, when the caller has it already (a scan folds
    each name once).
    """
    if name.startswith("."):
        return True
    if folded is None:
        folded = name.casefold()
    if folded in IGNORED_NAMES:
        return True
    if not (
        folded.startswith(_STARTS) or folded.endswith(_ENDS) or _HELD.search(folded) is not None
    ):
        return False
    return _IGNORED_RE.match(folded) is not None
