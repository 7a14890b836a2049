"""Customer names and the folder names that stand for them.

Any real company name is accepted: 上海某某贸易, Müller & Söhne, Maersk A/S,
O'Brien Ltd. The folder name must survive Windows, macOS, Linux and sync tools,
so characters and names those refuse are mapped away; the real name stays in
Contact.txt and the customer is found by either.
"""

from __future__ import annotations

import re
import unicodedata

from folder_kit.errors import UnsafeNameError, UsageError, quoted, visible
from folder_kit.workspace.ignore import is_ignored

# Room for the rest of a path (客户/B-在谈客户/<name>/OUT/<mail>.eml) on systems
# that limit whole paths, while keeping any real company name recognisable.
MAX_FOLDER_BYTES = 120
# Windows opens no longer path, in UTF-16 units, unless long paths are enabled
# (off by default; Explorer does not follow them even then): MAX_PATH, 260, less
# the terminating NUL.
MAX_PATH_CHARS = 259
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]]
)


def normalize_name(name: str) -> str:
    """NFC (macOS hands out NFD), single spaces, no surrounding blanks."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def folder_name(name: str) -> str:
    """The portable folder name for a customer name; raises UnsafeNameError if none."""
    clean = normalize_name(name)
    if not clean:
        raise UnsafeNameError(name=name, reason="it is empty")
    if clean.strip(".") == "":
        raise UnsafeNameError(name=name, reason="it names no folder, only dots")
    from pathvalidate import sanitize_filename  # 3.5 ms to import: not for every command

    portable = sanitize_filename(clean, platform="universal", replacement_text="_")
    # A leading dot would hide the folder, and "~$" marks Office's temporary
    # files: the scan skips both.
    portable = portable.lstrip(". ")
    if portable.startswith("~$"):
        portable = "_" + portable[2:]
    portable = _truncate(portable, MAX_FOLDER_BYTES).rstrip(". ")
    # Windows drops spaces before the extension when it checks for device
    # names, so "PRN .txt" is PRN too.
    stem, dot, rest = portable.partition(".")
    if stem.rstrip(" ").upper() in _RESERVED:
        portable = f"{stem.rstrip(' ')}_{dot}{rest}"
    if not portable or portable.strip("._ ") == "":
        raise UnsafeNameError(name=name, reason="nothing usable is left for a folder name")
    if is_ignored(portable):
        # "Tom~", "Best.Part", "X (conflicted copy)": the scan would pass such a
        # folder over as a temporary or sync-tool file; make it plainly a name.
        portable = re.sub(r"[~$().!]", "_", portable).rstrip(". ")
        if is_ignored(portable):
            raise UnsafeNameError(name=name, reason="it reads like a temporary or sync-tool file")
    return portable


def _truncate(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore")


def fit_path(folder: str, stem: str, suffix: str, *, keep: int) -> str:
    """``stem`` cut so that ``folder/stem (NN)suffix`` stays within MAX_PATH_CHARS,
    but never below its first ``keep`` characters. A workspace may be synced to a
    Windows machine, so this holds on every system."""
    room = MAX_PATH_CHARS - _units(folder) - _units(f"/ (99){suffix}")
    if _units(stem) <= room:
        return stem
    cut = ""
    for ch in stem:
        if _units(cut + ch) > room:
            break
        cut += ch
    cut = cut.rstrip(". ")
    if len(cut) < keep or is_ignored(f"{cut}{suffix}"):  # cut to "Offer~", say
        return stem[:keep]
    return cut


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def match_key(name: str) -> str:
    """What two spellings of one customer name share: case, width and spacing folded."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def search_key(name: str) -> str:
    """``match_key`` with accents dropped, for finding a customer by a part of its
    name typed without them ("Muller", "Suministros Electricos")."""
    decomposed = unicodedata.normalize("NFKD", match_key(name))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def check_line(**values: str) -> None:
    """Refuse values that must stay on one line of Contact.txt (a company, an email)
    but hold a line break or another control character: written as they are, they
    would start a second line, or a second contact, that the tool never wrote."""
    check_text(**values)
    for what, value in values.items():
        bad = line_break_in(value)
        if bad is not None:
            option = "NAME" if what == "name" else f"--{what.replace('_', '-')}"
            raise UsageError(
                f"{option} {quoted(value)} holds a line break or control character "
                f"({visible(bad)}); give it on one line"
            )


# Control characters (tab, newline, \x1c-\x1f, \x85...) and the Unicode line and
# paragraph separators: str.splitlines() breaks a line at each of them.
_NOT_ON_A_LINE = frozenset({"Cc", "Zl", "Zp"})


def line_break_in(value: str) -> str | None:
    """The first character of ``value`` that has no place on one line (a line
    break, another control character), or None."""
    if value.isprintable():  # the common case, at C speed
        return None
    return next((ch for ch in value if unicodedata.category(ch) in _NOT_ON_A_LINE), None)


def check_text(**values: str) -> None:
    """Refuse values that are not text (a shell passing bytes of another encoding),
    before anything is written."""
    for what, value in values.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise UsageError(
                f"--{what.replace('_', '-')} {shown!r} is not valid text; "
                "type it again in a UTF-8 terminal"
            ) from None
