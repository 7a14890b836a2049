"""Reading and writing a user's files: never through a link, never blocking,
never losing or overwriting a file.

Every file folder-kit reads from a workspace (Contact.txt, the grade history,
folder-kit.yaml, mail) is opened by :func:`open_regular`: a regular file, opened
without following a link and without blocking, so a FIFO, a device or a link to
a file outside the workspace is refused instead of read. Every write first asks
:func:`check_no_links` that no folder on its way down from the workspace root is
a link, so nothing is written outside the workspace.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from folder_kit.errors import LinkInPathError, TargetExistsError, UnreadableFileError

# Files read whole (Contact.txt, the grade history, folder-kit.yaml) are small:
# anything larger is not what it claims to be, and is refused before it is read.
MAX_WHOLE_FILE = 4 * 1024 * 1024

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not hang the open; regular files ignore it
    | getattr(os, "O_CLOEXEC", 0)
    | _NOFOLLOW
)


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words for a message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISREG(mode):
        return "a file"
    return "not a regular file"


def open_regular(path: str | Path, *, look_first: bool = True) -> int:
    """A read-only descriptor of ``path``, which must be a regular file, not a link.

    Raises FileNotFoundError when there is no such file, UnreadableFileError for
    a link, a FIFO, a device or a folder, and OSError when the system refuses.
    The caller closes the descriptor. ``look_first=False`` skips the lstat that
    keeps a device from being opened at all, for a caller that has just listed
    the file as a regular one (a scan reading every mail).
    """
    return _opened(path, look_first)[0]


def _opened(path: str | Path, look_first: bool) -> tuple[int, int]:
    """``open_regular``'s descriptor, and the file's size as its own fstat says."""
    if look_first or not _NOFOLLOW:
        # Looked at first, so that a device is never even opened (opening some has
        # effects); the descriptor's own fstat below closes the race with a swap.
        # Without O_NOFOLLOW (Windows) this look is what refuses a link.
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            raise UnreadableFileError(path=str(path), reason=_LINK)
        if not stat.S_ISREG(mode):
            raise UnreadableFileError(path=str(path), reason=f"{kind_of(mode)}, not a file")
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as e:
        if _NOFOLLOW and e.errno in _LINK_ERRNOS:  # a link (or swapped for one since the look)
            raise UnreadableFileError(path=str(path), reason=_LINK) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFileError(path=str(path), reason=f"{kind_of(st.st_mode)}, not a file")
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


_LINK = "a symbolic link; folder-kit never reads through links"
_LINK_ERRNOS = {errno.ELOOP, errno.EMLINK}  # O_NOFOLLOW on a link: ELOOP; FreeBSD: EMLINK


def read_regular(path: str | Path, *, limit: int = MAX_WHOLE_FILE) -> bytes:
    """The bytes of a small regular file, read whole (see :func:`open_regular`).

    A file larger than ``limit`` bytes is refused with UnreadableFileError before
    anything is read.

    Open, fstat, read and close: four system calls (a scan reads a Contact.txt per
    customer). Where the system opens without following a link (O_NOFOLLOW), the
    descriptor's own fstat decides, with no look before: a link fails to open, a
    FIFO opens without blocking (O_NONBLOCK) and is refused, as a device or a
    folder is; the size checked against ``limit`` is the same fstat's.
    """
    fd, size = _opened(path, look_first=False)
    try:
        return _read_sized(fd, size, path, limit)
    finally:
        os.close(fd)


def read_whole(fd: int, path: str | Path, *, limit: int = MAX_WHOLE_FILE) -> bytes:
    """What an open descriptor of ``path`` holds, refused when over ``limit`` bytes."""
    return _read_sized(fd, os.fstat(fd).st_size, path, limit)


def _read_sized(fd: int, size: int, path: str | Path, limit: int) -> bytes:
    """``read_whole`` of a descriptor whose fstat said ``size``."""
    if size > limit:
        raise UnreadableFileError(
            path=str(path), reason=f"{_megabytes(size)}, larger than {_megabytes(limit)}"
        )
    # What fstat said and a byte more, in one read: a small file (a scan reads a
    # Contact.txt per customer) takes one call instead of two, with no 1 MiB
    # buffer. A file that grew or shrank meanwhile is read on to its end.
    first = os.read(fd, size + 1)
    if len(first) == size:
        return first
    chunks = [first]
    total = len(first)
    while total <= limit and (chunk := os.read(fd, 1 << 20)):
        total += len(chunk)
        chunks.append(chunk)
    if total > limit:  # grew while being read
        raise UnreadableFileError(path=str(path), reason=f"larger than {_megabytes(limit)}")
    return b"".join(chunks)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def inside(root: Path, rel: str | Path) -> Path | None:
    """``root/rel`` if ``rel`` names a place inside ``root`` that no link leads to:
    relative, no ``..``, no existing part below ``root`` a link. Else None.

    For names that come from files (a template's attachment list): such a name
    must never reach a file outside the workspace.
    """
    rel = Path(rel)
    # The anchor is a drive, a root or both: on Windows `/etc/passwd` is not
    # absolute (it has no drive), yet it is rooted, on the current drive.
    if rel.anchor or ".." in rel.parts or not rel.parts:
        return None
    path = root / rel
    try:
        check_no_links(root, path)
    except LinkInPathError:
        return None
    return path


def check_no_links(root: Path, path: Path) -> None:
    """Refuse to write at ``path`` if any existing part of it below ``root`` is a link.

    ``path`` must lie inside ``root``. Parts that do not exist yet are fine: the
    write creates them as real folders. Raises LinkInPathError naming the link.
    """
    rel = path.relative_to(root)
    current = root
    for part in rel.parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return  # nothing below a missing part exists either
        except NotADirectoryError:
            return  # the write itself reports a file in the way
        if stat.S_ISLNK(mode):
            raise LinkInPathError(path=str(current))


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, atomically.

    The bytes go to a temporary file in the same folder first; ``os.link`` then
    gives it its name, which fails rather than replace a file that appeared
    meanwhile. A reader never sees a half-written file.
    """
    tmp = _written_beside(path, data)
    try:
        link_new(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def link_new(tmp: str, path: Path) -> None:
    """Give the written temporary file ``tmp`` the name ``path``, which must not
    exist (TargetExistsError if it does). ``tmp`` may be left behind for the
    caller to remove, or be gone."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise TargetExistsError(path=str(path)) from None
    except OSError:
        # File systems without hard links (FAT, exFAT, SMB shares): the written
        # copy takes the name by a rename that refuses to replace, so the data
        # is not written twice (a full disk would leave half of the second copy).
        if _renamed_new(tmp, path):
            return
        with open(tmp, "rb") as f:
            data = f.read()
        _write_exclusive(path, data)


def rename_new(src: Path, dst: Path) -> None:
    """Give ``src`` (a file or a folder) the name ``dst``, which must not exist:
    atomically where the system can refuse to replace; elsewhere after a check,
    and never over a non-empty folder (a rename replaces only an empty one)."""
    if _renamed_new(str(src), dst):
        return
    if os.path.lexists(dst):
        raise TargetExistsError(path=str(dst))
    os.rename(src, dst)


def _renamed_new(src: str, dst: Path) -> bool:
    """Rename ``src`` to ``dst`` unless ``dst`` exists, atomically; False where the
    system or the file system has no such rename."""
    rename = _no_replace_rename()
    if rename is None:
        return False
    try:
        rename(src, str(dst))
    except FileExistsError:
        raise TargetExistsError(path=str(dst)) from None
    except OSError as e:
        if e.errno in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            return False
        raise
    return True


@functools.cache
def _no_replace_rename() -> Callable[[str, str], None] | None:
    """The system's rename that never replaces, or None (looked up when first
    needed: ctypes is not for every command's start)."""
    if os.name == "nt":
        return os.rename  # MoveFileEx without MOVEFILE_REPLACE_EXISTING: fails if taken
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    except OSError:
        return None
    renameat2: Any = getattr(libc, "renameat2", None)  # Linux, glibc 2.28 and later
    renamex_np: Any = getattr(libc, "renamex_np", None)  # macOS 10.12 and later

    def linux(a: bytes, b: bytes) -> int:
        return int(renameat2(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_NOREPLACE))

    def macos(a: bytes, b: bytes) -> int:
        return int(renamex_np(a, b, _RENAME_EXCL))

    call = linux if renameat2 is not None else macos if renamex_np is not None else None
    if call is None:
        return None

    def rename(src: str, dst: str) -> None:
        if call(os.fsencode(src), os.fsencode(dst)) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), dst)

    return rename


_AT_FDCWD = -100
_RENAME_NOREPLACE = 1  # Linux
_RENAME_EXCL = 4  # macOS


def write_replacing(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``path`` atomically, replacing what is there: a reader sees the old
    file or the new one, never half of it. ``mode``: the new file's permissions
    (default: what the umask gives)."""
    tmp = _written_beside(path, data, mode=mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _written_beside(path: Path, data: bytes, *, mode: int | None = None) -> str:
    """A temporary file in ``path``'s folder holding ``data``, on disk (fsynced),
    with ``mode`` or the umask's; the caller gives it its name or removes it."""
    tmp, fd = write_temp(path.parent, data, mode=mode)
    try:
        os.fsync(fd)
    except BaseException:
        os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    return tmp


# What every temporary file folder-kit writes beside a user's file is called:
# hidden (a scan passes over it), and told apart from anything a user names.
TEMP_PREFIX = ".folder-kit-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\.folder-kit-[a-z0-9_]{8}\.tmp")  # mkstemp's 8 random characters


def write_temp(folder: Path, data: bytes, *, mode: int | None = None) -> tuple[str, int]:
    """A new temporary file in ``folder`` holding ``data``, with ``mode`` or the
    umask's, and its descriptor, still open: not yet on disk until the caller
    fsyncs it. The caller closes the descriptor and names or removes the file."""
    import tempfile  # only when writing: it is slow to import

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb", closefd=False) as f:
            f.write(data)
        # mkstemp makes 0600; a user's file gets the mode their umask gives.
        os.chmod(tmp, mode if mode is not None else 0o666 & ~umask())
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    return tmp, fd


def sync_file_systems(fds: list[int]) -> bool:
    """Bring to disk everything written to the file systems holding the files
    open as ``fds``, with one ``syncfs`` of each (Linux): one flush of a whole
    batch costs a fraction of an fsync of each file (an import of 20,000 mails:
    1-2 s instead of about 10). False where there is no such call, and the
    caller fsyncs each file instead. Raises OSError when the system reports
    that something could not be written."""
    syncfs = _syncfs()
    if syncfs is None:
        return False
    done: set[int] = set()
    for fd in fds:
        device = os.fstat(fd).st_dev
        if device not in done:
            try:
                syncfs(fd)
            except OSError as e:
                if e.errno in (errno.ENOSYS, errno.EPERM):  # refused by a sandbox
                    return False
                raise
            done.add(device)
    return True


@functools.cache
def _syncfs() -> Callable[[int], None] | None:
    """Linux's syncfs, where it reports errors (since 5.8: before, it returned
    success whatever failed to reach the disk, and a lost file would go unseen),
    or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        major, minor = (int(n) for n in os.uname().release.split(".")[:2])
    except ValueError:
        return None
    if (major, minor) < (5, 8):
        return None
    import ctypes

    try:
        call: Any = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None

    def syncfs(fd: int) -> None:
        if call(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    return syncfs


def remove_stale_temps(folder: Path, *, older_than: float) -> int:
    """Remove the temporary files folder-kit left in ``folder`` (a crash, a power
    cut between writing one and naming it) whose last change is more than
    ``older_than`` seconds ago: a younger one may be another run's, still being
    written. Only regular files named as :func:`write_temp` names them; returns
    how many went."""
    import time

    removed = 0
    limit = time.time() - older_than
    try:
        with os.scandir(folder) as listing:
            stale = [
                e.path
                for e in listing
                if _TEMP_NAME.fullmatch(e.name)
                and e.is_file(follow_symlinks=False)
                and e.stat(follow_symlinks=False).st_mtime < limit
            ]
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for path in stale:
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:  # another run removed it first
            pass
    return removed


def umask() -> int:
    """The process's umask (read by setting it, then setting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_exclusive(path: Path, data: bytes) -> None:
    """The last resort: create ``path`` exclusively and write it; a write that
    fails (a full disk) takes the file along, so nothing half-written remains."""
    created = False
    try:
        with open(path, "xb") as f:
            created = True
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except FileExistsError:
        if not created:
            raise TargetExistsError(path=str(path)) from None
        os.unlink(path)
        raise
    except BaseException:
        if created:
            os.unlink(path)
        raise


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix``, or ``stem (2)+suffix``... if that name is taken."""
    candidate = folder / f"{stem}{suffix}"
    n = 2
    while os.path.lexists(candidate):  # a dangling link holds its name too
        candidate = numbered(folder, stem, suffix, n)
        n += 1
    return candidate


def numbered(folder: Path, stem: str, suffix: str, n: int) -> Path:
    """The ``n``-th name for ``stem`` in ``folder``: ``stem (n)+suffix``, the plain
    name for ``n`` 1."""
    return folder / (f"{stem}{suffix}" if n == 1 else f"{stem} ({n}){suffix}")


def write_export(path: Path, data: bytes, *, marker: bytes) -> None:
    """Write an export the user asked for (a calendar, a report page), atomically.

    Exporting again replaces the last export, but never a file the tool did not
    write: an existing file must carry ``marker`` near its start.
    """
    from folder_kit.errors import UsageError

    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: {path.parent} is not a folder")
    try:
        fd = open_regular(path)  # a link, a FIFO or a folder there is refused, unread
    except FileNotFoundError:
        pass
    else:
        try:
            head = os.read(fd, 4096)
        finally:
            os.close(fd)
        if marker not in head:
            raise TargetExistsError(
                path=str(path),
                hint="folder-kit replaces only a file it wrote itself; name another file",
            )
    write_replacing(path, data)
