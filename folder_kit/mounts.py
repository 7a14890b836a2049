"""Whether a folder is on a network drive (a NAS share, NFS, a mapped drive).

Two things go wrong there: the OS's change notifications miss what other machines
write (the watcher polls instead), and SQLite's locks do not hold, so an index
kept there gets damaged (https://www.sqlite.org/useovernet.html): the index
refuses such a state folder.

Linux: the mount table (/proc/self/mountinfo), the longest mount point that holds
the folder. Windows: a UNC path (\\\\server\\share) or a drive letter that
GetDriveTypeW calls DRIVE_REMOTE. macOS: statfs's f_fstypename.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

# File system types of network and cluster file systems, as the Linux mount table
# and macOS statfs name them. FUSE ones are "fuse.<program>".
NETWORK_TYPES = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p", "afs", "ceph",
        "glusterfs", "lustre", "gpfs", "beegfs", "davfs", "afpfs", "webdav",
        "fuse.sshfs", "fuse.rclone", "fuse.davfs2", "fuse.glusterfs", "fuse.ceph-fuse",
        "fuse.s3fs", "fuse.gcsfuse", "fuse.smbnetfs", "fuse.curlftpfs", "fuse.juicefs",
    }
)  # fmt: skip

MOUNTINFO = "/proc/self/mountinfo"
DRIVE_REMOTE = 4  # GetDriveTypeW


class Mount(NamedTuple):
    point: str  # where it is mounted, unescaped
    fstype: str


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts of a /proc/self/mountinfo text, in its order (a later mount on
    the same point hides an earlier one). Lines it cannot read are skipped."""
    mounts = []
    for line in text.splitlines():
        fields = line.split(" ")
        try:
            dash = fields.index("-", 6)
            mounts.append(Mount(_unescape(fields[4]), fields[dash + 1]))
        except (ValueError, IndexError):
            continue
    return mounts


def _unescape(field: str) -> str:
    r"""A mount point as the kernel writes it: space, tab, newline and backslash as
    octal escapes (\040, \011, \012, \134)."""
    if "\\" not in field:
        return field
    raw = field.encode("utf-8", "surrogateescape")
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x5C and i + 3 < len(raw) and raw[i + 1 : i + 4].isdigit():
            out.append(int(raw[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", "surrogateescape")


def mount_of(path: str, mounts: list[Mount]) -> Mount | None:
    """The mount that holds the absolute ``path``: the longest mount point at or
    above it, the last mounted where two share a point."""
    best: Mount | None = None
    for mount in mounts:
        point = mount.point
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best.point)):
            best = mount
    return best


def is_network_type(fstype: str) -> bool:
    return fstype.casefold() in NETWORK_TYPES


def network_drive(path: Path) -> str | None:
    """What kind of network drive ``path`` is on (the file system type, "UNC share",
    "network drive"), or None for a local one or where it cannot be told."""
    if sys.platform == "win32":  # pragma: no cover - Windows (the Wine lane tests it)
        return _windows(os.path.abspath(path))
    real = os.path.realpath(path)
    if sys.platform == "darwin":  # pragma: no cover - macOS
        fstype = _macos_fstype(real)
    else:
        try:
            with open(MOUNTINFO, encoding="utf-8", errors="surrogateescape") as f:
                mount = mount_of(real, parse_mountinfo(f.read()))
        except OSError:
            return None
        fstype = mount.fstype if mount is not None else None
    return fstype if fstype is not None and is_network_type(fstype) else None


def unc_share(path: str) -> bool:
    r"""Whether a Windows path names a share on a server: \\server\share\... or
    \\?\UNC\server\share\... (not \\?\C:\... nor \\.\device)."""
    p = path.replace("/", "\\")
    if p[:8].upper() == "\\\\?\\UNC\\":
        return True
    return p.startswith("\\\\") and p[2:3] not in ("?", ".", "")


def _windows(path: str) -> str | None:  # pragma: no cover - Windows
    if unc_share(path):
        return "UNC share"
    drive = os.path.splitdrive(path)[0]
    if len(drive) != 2 or drive[1] != ":":
        return None
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    if kernel32.GetDriveTypeW(ctypes.c_wchar_p(drive + "\\")) == DRIVE_REMOTE:
        return f"network drive {drive}"
    return None


def _macos_fstype(path: str) -> str | None:  # pragma: no cover - macOS
    """f_fstypename of statfs(2), through ctypes (os.statvfs does not give it)."""
    import ctypes
    import ctypes.util

    class StatFs(ctypes.Structure):  # struct statfs, 64-bit inodes
        _fields_ = [
            ("f_bsize", ctypes.c_uint32),
            ("f_iosize", ctypes.c_int32),
            ("f_blocks", ctypes.c_uint64),
            ("f_bfree", ctypes.c_uint64),
            ("f_bavail", ctypes.c_uint64),
            ("f_files", ctypes.c_uint64),
            ("f_ffree", ctypes.c_uint64),
            ("f_fsid", ctypes.c_int32 * 2),
            ("f_owner", ctypes.c_uint32),
            ("f_type", ctypes.c_uint32),
            ("f_flags", ctypes.c_uint32),
            ("f_fssubtype", ctypes.c_uint32),
            ("f_fstypename", ctypes.c_char * 16),
            ("f_mntonname", ctypes.c_char * 1024),
            ("f_mntfromname", ctypes.c_char * 1024),
            ("f_flags_ext", ctypes.c_uint32),
            ("f_reserved", ctypes.c_uint32 * 7),
        ]

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        # x86_64 names the 64-bit-inode variant apart; arm64 has only that one.
        statfs = getattr(libc, "statfs$INODE64", None) or libc.statfs
        buf = StatFs()
        while True:
            if statfs(os.fsencode(path), ctypes.byref(buf)) == 0:
                name: bytes = buf.f_fstypename
                return name.decode("utf-8", "replace")
            parent = os.path.dirname(path)
            if parent == path:  # nothing there to ask, not even "/"
                return None
            path = parent  # a folder not made yet: ask the one it would be in
    except (OSError, AttributeError):
        return None
