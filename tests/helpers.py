"""Trees from dicts and back, and the assertions every CLI test makes.

In the style of organize's ``make_files``/``read_files`` and copier's
``build_file_tree``: build a tree from a dict, run something, then compare the
whole tree, so a stray file or a changed byte anywhere fails the test.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Union

import pytest
from click.testing import Result

Spec = Mapping[str, Union["Spec", str, bytes, None]]
Tree = dict[str, bytes | None]

WINDOWS = sys.platform == "win32"


def _makes_links() -> bool:
    """Whether os.symlink here makes a link that reads back as one: Windows refuses
    without the privilege, and Wine says yes and makes nothing."""
    with tempfile.TemporaryDirectory() as folder:
        link = os.path.join(folder, "link")
        try:
            os.symlink(folder, link, target_is_directory=True)
        except OSError:
            return False
        return os.path.islink(link)


# What some systems cannot make at all; the tests of the product on such things
# run where they can be made.
needs_links = pytest.mark.skipif(
    not _makes_links(),
    reason="no symbolic links here (Windows makes them only with a privilege; Wine makes none)",
)
needs_fifo = pytest.mark.skipif(
    not hasattr(os, "mkfifo"), reason="no FIFOs (named pipes) on Windows"
)
needs_posix_permissions = pytest.mark.skipif(
    WINDOWS, reason="Windows ignores POSIX permission bits (chmod 0 leaves a file readable)"
)
needs_byte_names = pytest.mark.skipif(
    WINDOWS, reason="Windows names are UTF-16, not bytes: none fails to decode as UTF-8"
)

# The characters Windows refuses in a file or folder name, and the ends it strips
# (a name ending in a dot or a space, so a name of only spaces too).
_WINDOWS_REFUSES = re.compile(r'[<>:"|?*\x00-\x1f]|[. ]$')


def record_calls(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, what: Callable[..., str]
) -> list[str]:
    """Wrap ``owner.name`` so that each call is noted (``what(*args)``) and then
    made as usual; returns the list the notes go into."""
    calls: list[str] = []
    real = getattr(owner, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(what(*args))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


def under_wine() -> bool:
    """Whether this is Windows' Python under Wine (the Windows lane), which does
    what Windows does for names, locks and code pages but only emulates some of
    its APIs (ReadDirectoryChangesW among them)."""
    if sys.platform != "win32":
        return False
    import ctypes

    return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")


def needs_names(*names: str) -> pytest.MarkDecorator:
    """Skip where a file or folder cannot be named as one of ``names``: on Windows,
    a name with a character it forbids, or one it would strip."""
    refused = [name for name in names if WINDOWS and _WINDOWS_REFUSES.search(name)]
    return pytest.mark.skipif(
        bool(refused), reason=f"Windows cannot name a file or folder {ascii(refused[:1])[1:-1]}"
    )


def build_tree(root: Path, spec: Spec) -> None:
    """Create ``spec`` under ``root``: a dict is a folder, str/bytes a file, None an empty folder.

    Keys may hold ``/`` (``{"a/b.txt": "x"}``); str contents are written as UTF-8.
    """
    root.mkdir(parents=True, exist_ok=True)
    for name, content in spec.items():
        path = root / name
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
        elif isinstance(content, Mapping):
            build_tree(path, content)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            path.write_bytes(data)


def set_times(path: str | os.PathLike[str], when: float) -> None:
    """Set the access and modification times of ``path`` itself to ``when``, never
    through a link: a link's own times where the system can set them (POSIX); where
    it cannot (Windows), a link is left as it is, so its target is never touched."""
    if os.utime in os.supports_follow_symlinks:
        os.utime(path, (when, when), follow_symlinks=False)
    elif not os.path.islink(path):
        os.utime(path, (when, when))


def read_tree(root: Path, *, exclude: tuple[str, ...] = ()) -> Tree:
    """Every file under ``root`` with its bytes and every folder as None, keyed by
    relative posix path; entries at or under a path in ``exclude`` are left out."""
    tree: Tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for name in dirnames:
            tree[(base / name).relative_to(root).as_posix()] = None
        for name in filenames:
            tree[(base / name).relative_to(root).as_posix()] = (base / name).read_bytes()
    return {
        rel: data
        for rel, data in tree.items()
        if not any(rel == ex or rel.startswith(ex + "/") for ex in exclude)
    }


def tree_diff(before: Tree, after: Tree) -> tuple[set[str], set[str], set[str]]:
    """(added, removed, changed) paths between two trees."""
    added = set(after) - set(before)
    removed = set(before) - set(after)
    changed = {p for p in set(before) & set(after) if before[p] != after[p]}
    return added, removed, changed


# The grade folders of the zh layout, as the tests' trees name them.
A, B, C, D, P = (
    "客户/A-交易客户",
    "客户/B-在谈客户",
    "客户/C-潜力客户",
    "客户/D-行业客户",
    "客户/待开发客户",
)


def run_cli(invoke: Callable[..., Result], ws: Path, *args: str) -> str:
    """The standard output of a command on ``ws`` that succeeded."""
    result = invoke("-w", str(ws), *args)
    assert_ok(result)
    return result.stdout


def assert_ok(result: Result) -> None:
    """The command succeeded, wrote nothing to stderr, and raised nothing."""
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exc_info)
    assert result.exception is None, result.exc_info
    assert result.stderr == ""


def assert_error(result: Result, line: str | None = None, *, code: int = 1) -> str:
    """The command failed with ``code`` and exactly one ``Error: ...`` line on stderr,
    never a traceback; returns that line. ``line`` given: the line must equal it."""
    # CliRunner turns an unhandled exception into exit code 1 too: only a
    # SystemExit is a handled error.
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    if line is not None:
        assert lines[0] == line
    return lines[0]


HISTORY_FILE = ".folder-kit-grades.txt"
_HISTORY_HEADER = b"# folder-kit: grade changes of this customer"
_HISTORY_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d ([ABCDP]) -> ([ABCDP])$")


def grade_moves(tree: Tree, customer: str) -> list[tuple[str, str]]:
    """Pop ``customer``'s grade history file (the note a move leaves) out of ``tree``
    and return the moves it records, oldest first; [] when there is none."""
    data = tree.pop(f"{customer}/{HISTORY_FILE}", None)
    if data is None:
        return []
    lines = data.decode("utf-8").splitlines()
    assert data.startswith(_HISTORY_HEADER), data
    moves = []
    for line in lines[1:]:
        m = _HISTORY_LINE.match(line)
        assert m, line
        moves.append((m[1], m[2]))
    return moves


def seed_seen_cards(root: Path, state: Path) -> None:
    """Give the index of ``root`` in the state folder ``state`` the cards the index
    in the current one ($FOLDER_KIT_STATE) saw first: what `scan --rebuild` keeps,
    so that a rebuild there gives what one in the current state folder would."""
    from folder_kit.kept import ENV_STATE
    from folder_kit.timeline.index import Index

    with Index.open(root) as index:
        seen = index.cards_seen()
    was = os.environ.get(ENV_STATE)
    os.environ[ENV_STATE] = str(state)
    try:
        with Index.open(root) as index, index.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO cards_seen VALUES (?, ?)", seen.items())
    finally:
        if was is None:
            del os.environ[ENV_STATE]
        else:
            os.environ[ENV_STATE] = was
