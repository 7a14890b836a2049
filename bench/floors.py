"""Floors that travel: the least plain Python can do over the same tree, timed in
the same run as the commands, so that every command can be given as a ratio to
them on whatever machine and load the run had (a ratio to `find` does not
travel: find's system calls cost 2x more on one machine than on another).

Run as a script, as a whole process like the commands it is compared with
(interpreter start included):

    python floors.py walk WS [--read] [--procs N]
        os.scandir of every folder under WS/客户/ and an lstat of every entry (what
        a cold scan cannot do without); --read also opens every .eml/.msg and
        reads its first 8 KiB (what a cold scan reads of a mail). With --procs 2
        the customer folders are split in two halves, each walked by a process
        of its own (multiprocessing), as a cold scan's workers split them.
    python floors.py stat LIST [--procs N]
        an lstat of every path in LIST (one a line): what a no-change scan stats,
        as ``stat_list`` writes it (the grade folders; each customer folder, its
        Contact.txt and each folder in it), read from a file as the scan reads
        them from its index. --procs 2 splits the list as the scan's fork does.

Standard library only.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

CUSTOMERS = "客户"
MAIL_SUFFIXES = (".eml", ".msg")
HEAD = 8 * 1024


def customer_folders(ws: str) -> list[str]:
    """Every folder in a grade folder under WS/客户/ (listing 客户/ and the grade
    folders is done once, by the process that splits the work)."""
    base = os.path.join(ws, CUSTOMERS)
    out: list[str] = []
    with os.scandir(base) as grades:
        for grade in grades:
            if grade.is_dir(follow_symlinks=False):
                with os.scandir(grade.path) as customers:
                    out.extend(c.path for c in customers if c.is_dir(follow_symlinks=False))
    out.sort()
    return out


def walk(folders: list[str], read: bool) -> int:
    """Files seen in ``folders`` and below: scandir each folder, lstat each entry."""
    count = 0
    stack = list(folders)
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    stack.append(entry.path)
                    continue
                count += 1
                if read and entry.name.lower().endswith(MAIL_SUFFIXES):
                    fd = os.open(entry.path, os.O_RDONLY)
                    try:
                        os.read(fd, HEAD)
                    finally:
                        os.close(fd)
    return count


def stat_all(paths: list[str]) -> int:
    for path in paths:
        try:  # noqa: SIM105 - a `with suppress` per call costs more than the lstat
            os.stat(path, follow_symlinks=False)
        except OSError:
            pass
    return len(paths)


def stat_list(ws: Path, out: Path) -> int:
    """Write the paths a no-change scan of ``ws`` stats (its grade folders; each
    customer folder, its Contact.txt, each folder in it) to ``out``, one a line."""
    base = ws / CUSTOMERS
    lines = [str(p) for p in sorted(base.iterdir()) if p.is_dir()]
    for folder in customer_folders(str(ws)):
        lines.append(folder)
        lines.append(os.path.join(folder, "Contact.txt"))
        with os.scandir(folder) as it:
            lines.extend(e.path for e in it if e.is_dir(follow_symlinks=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def split(items: list[str], procs: int, work: Callable[..., int], *args: object) -> int:
    """``work(part, *args)`` over ``procs`` consecutive parts of ``items``, the first in
    this process, the others in processes of their own (multiprocessing, fork where
    there is one); the sum of their answers."""
    if procs <= 1:
        return int(work(items, *args))
    import multiprocessing

    size = -(-len(items) // procs)
    parts = [items[i : i + size] for i in range(0, len(items), size)]
    with multiprocessing.Pool(len(parts) - 1) as pool:
        others = [pool.apply_async(work, (part, *args)) for part in parts[1:]]
        total = int(work(parts[0], *args))
        total += sum(int(o.get()) for o in others)
    return total


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["walk", "stat"])
    parser.add_argument("path")
    parser.add_argument("--read", action="store_true")
    parser.add_argument("--procs", type=int, default=1)
    args = parser.parse_args(argv)
    if args.what == "walk":
        split(customer_folders(args.path), args.procs, walk, args.read)
    else:
        paths = Path(args.path).read_text(encoding="utf-8").splitlines()
        split(paths, args.procs, stat_all)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
