"""Names that are never a contact: what editors, downloads, the OS and sync tools
leave beside a user's files. Shared by the scan and by `customer add`, which
must never make a customer folder the scan would pass over."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Collection, Iterable

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
    # Synology Drive: <name>_<client>_<Mon-DD-HHMM-YYYY>_<reason>_<n>.<ext>, the
    # reason CaseConflict, WhiteSpaceConflict, TailCharacterConflict or Conflict
    # (kb.synology.com, "Why is there file conflict on Synology Drive": the example
    # a_Andy-PC_Jan-03-0901-2013_CaseConflict_1.txt).
    "*_???-[0-9][0-9]-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]_*conflict*",
    # Nutstore (坚果云): "-conflict" before the extension on Windows, "-NSConflict"
    # on macOS and Linux, a user's nickname added in a shared folder (Nutstore's
    # help on file conflicts). A bare "-conflict" with no extension is left alone:
    # "Zero-Conflict" may be a company.
    "*-conflict.*",
    "*-nsconflict*",
    # WPS 云文档 (WPS cloud sync): the local copy of a file changed on both sides is
    # kept as "1-副本.doc" beside "1.doc" (WPS's sync rules for synced folders).
    # Windows Explorer's own copy, "1 - 副本.doc", is a copy the user made: kept.
    "*-副本.*",
    # git-annex: foo.variant-c696.eml, the two sides of a conflicted merge
    # (git-annex-resolvemerge(1); Annex/VariantFile.hs puts it before the extension).
    "*.variant-*",
    # The Linux OneDrive client (abraunegg/onedrive, since v2.5):
    # <name>-<hostname>-safeBackup-<n>.<ext> for a local file it must not overwrite.
    "*-safebackup-*",
    "*.driveupload",  # Google Drive
    "*.icloud",  # iCloud placeholders
)
# OneDrive for Windows keeps the local side of a conflict as "name-COMPUTERNAME.ext"
# beside "name.ext" (the Linux client did the same with the host name before its
# safeBackup names: "<filename>-sahil-Inspiron-5559" in
# https://github.com/abraunegg/onedrive/issues/1144).
# A name alone cannot tell "Quote-FINAL.pdf" from such a copy, so that rule needs
# the folder's other names: see ``onedrive_copies``.


_IGNORED_RE = re.compile("|".join(fnmatch.translate(p) for p in IGNORED_PATTERNS))
_PUNCTUATION = "-._()~ "
_CLASS = re.compile(r"\[!?[^\]]+\]")
_WILDCARD = re.compile(r"\*|\?|\[!?[^\]]+\]")


def _literal_ends(
    patterns: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What a name must start with, end with, or hold for some pattern to match it:
    each pattern's literal text before its first wildcard, else after its last,
    else the longest between them (``?`` and a ``[...]`` class are wildcards too).
    A cheap test that rules out almost every name, so that the regex runs for few
    (a scan asks this of every file)."""
    starts, ends, holds = [], [], []
    for pattern in patterns:
        if "[" in _CLASS.sub("", pattern):
            return (), (), ("",)  # a "[" that is no simple class: always ask the regex
        pieces = _WILDCARD.split(pattern)
        if not any(pieces):
            return (), (), ("",)
        if pieces[0]:
            starts.append(pieces[0])
        elif pieces[-1]:
            ends.append(pieces[-1])
        else:
            # Without the punctuation at its ends, which starts many names' pieces
            # ("-", ".", "("): the search stops at fewer places to try a match.
            holds.append(max(pieces, key=len).strip(_PUNCTUATION) or max(pieces, key=len))
    # A piece that holds another is found by finding that one ("conflict" covers
    # "nsconflict" and "(conflicted copy"): fewer alternatives to search for.
    holds = [h for h in holds if not any(o != h and o in h for o in holds)]
    return tuple(starts), tuple(ends), tuple(dict.fromkeys(holds))


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


# The names Windows gives a new PC unless its owner picks one ("DESKTOP-" and 7,
# "LAPTOP-" and 8 letters and digits: 15, the longest NetBIOS name); many small
# offices keep them.
_DEFAULT_PC = r"(?:desktop-[a-z0-9]{7}|laptop-[a-z0-9]{8})"


def computer_names(env: dict[str, str] | None = None) -> tuple[str, ...]:
    """This machine's names as OneDrive would put them into a conflict copy,
    casefolded: Windows' COMPUTERNAME, and the host name (short and full)."""
    env = dict(os.environ) if env is None else env
    names = {env.get("COMPUTERNAME", "")}
    # os.uname, not socket.gethostname: importing socket would cost every command
    # a millisecond (Windows has COMPUTERNAME, and no uname).
    host = os.uname().nodename if hasattr(os, "uname") else ""
    names |= {host, host.partition(".")[0]}
    return tuple(sorted(n.casefold() for n in names if n))


def onedrive_pattern(computers: Iterable[str]) -> re.Pattern[str]:
    """What ends a casefolded name that may be a OneDrive conflict copy: "-", this
    machine's name or a Windows default PC name, then the extension, if any; the
    original's name is the name without the match, plus group 1."""
    own = "|".join(re.escape(c) for c in sorted(set(computers), key=len, reverse=True))
    suffix = f"(?:{_DEFAULT_PC}|{own})" if own else _DEFAULT_PC
    return re.compile(rf"-{suffix}(\.[^.]*)?$")


def onedrive_copies(names: Collection[str], pattern: re.Pattern[str]) -> set[str]:
    """The names among one folder's ``names`` that are OneDrive conflict copies:
    "quote-DESKTOP-AB12CD3.pdf" (or -<this computer>) while "quote.pdf" is there
    too. Without the original beside it, or with another suffix ("Quote-FINAL.pdf",
    "PI-2026-118.pdf"), a name is the user's, and kept: a copy wrongly counted
    costs a duplicate event, a real file wrongly dropped costs a follow-up.

    ``pattern``: ``onedrive_pattern(computer_names())``, made once per scan.
    """
    copies: set[str] = set()
    folded: set[str] | None = None
    for name in names:
        match = pattern.search(name.casefold())
        if match is None or match.start() == 0:
            continue
        if folded is None:
            folded = {n.casefold() for n in names}
        if match.string[: match.start()] + (match.group(1) or "") in folded:
            copies.add(name)
    return copies
