"""Writing into a user's workspace without ever losing or overwriting a file."""

from __future__ import annotations

import os
from pathlib import Path

from folder_kit.errors import TargetExistsError


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, atomically.

    The bytes go to a temporary file in the same folder first; ``os.link`` then
    gives it its name, which fails rather than replace a file that appeared
    meanwhile. A reader never sees a half-written file.
    """
    import tempfile  # only when writing: it is slow to import

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".folder-kit-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes 0600; a user's file gets the mode their umask gives.
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise TargetExistsError(path=str(path)) from None
        except OSError:
            # File systems without hard links (some FUSE and sync mounts): the
            # exclusive create below keeps the never-overwrite promise.
            _write_exclusive(path, data)
    finally:
        os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_exclusive(path: Path, data: bytes) -> None:
    try:
        with open(path, "xb") as f:
            f.write(data)
    except FileExistsError:
        raise TargetExistsError(path=str(path)) from None


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, or ``stem (2)+suffix``... if that name is taken."""
    candidate = folder / f"{stem}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({n}){suffix}"
        n += 1
    return candidate


def write_export(path: Path, data: bytes, *, marker: bytes) -> None:
    """Write an export the user asked for (a calendar, a report page), atomically.

    Exporting again replaces the last export, but never a file the tool did not
    write: an existing file must carry ``marker`` near its start.
    """
    import tempfile

    from folder_kit.errors import UsageError

    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: {path.parent} is not a folder")
    if path.exists():
        try:
            with open(path, "rb") as f:
                head = f.read(4096)
        except IsADirectoryError:
            raise TargetExistsError(path=str(path), hint="it is a folder") from None
        if marker not in head:
            raise TargetExistsError(
                path=str(path),
                hint="folder-kit replaces only a file it wrote itself; name another file",
            )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".folder-kit-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
