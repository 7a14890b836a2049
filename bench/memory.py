"""Memory benchmark: the peak resident set of every command, at several tree sizes.

On bench/scan.py's tree (N customers x F files), for each size given, runs each
command once after a first scan has built the index (a cold scan once on a new
index):

    scan --rebuild, scan (no change), due --json, check --json, report --json,
    timeline --json, customer list --json

and prints two peaks for each: the largest single process (``wait4``'s maxrss,
which covers the worker processes one at a time) and the whole process tree's
proportional set sizes summed, sampled from /proc every 20 ms (the command and its
workers at once). Memory that stays flat as the tree grows is what the issue
asks (under 200 MiB at 30,000 customers x 11 files); the growth per 10,000
customers is printed. Linux only (it reads /proc). Run:

    .venv/bin/python bench/memory.py --sizes 10000,20000,30000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from scan import bench_folder, folder_kit_exe, machine, prepare

TODAY = ["--today", "2026-12-01"]
COMMANDS = {
    "scan --rebuild": ["scan", "--rebuild"],
    "scan (no change)": ["scan"],
    "due --json": ["due", "--json", *TODAY],
    "check --json": ["check", "--json", *TODAY],
    "report --json": ["report", "--json", *TODAY],
    "timeline --json": ["timeline", "--json"],
    "customer list --json": ["customer", "list", "--json"],
}


def _tree_pss(root: int) -> int:
    """Bytes of memory ``root`` and its descendants hold now: the sum of their
    proportional set sizes (a forked worker's pages shared with its parent are
    counted once between them, as resident sets would count them twice)."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                parents[int(name)] = int(f.read().rpartition(b")")[2].split()[1])
        except OSError:
            continue
    total = 0
    for pid in parents:
        p = pid
        while p > 1 and p != root:
            p = parents.get(p, 0)
        if p != root:
            continue
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def peaks(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[int, int, float]:
    """The largest single process's peak RSS, the sampled peak of the whole tree
    (both bytes), and the wall seconds of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, cwd=cwd)
    top = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal top
        while not done.is_set():
            top = max(top, _tree_pss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise subprocess.CalledProcessError(os.waitstatus_to_exitcode(status), cmd)
    return usage.ru_maxrss * 1024, top, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,20000,30000", help="customer counts")
    parser.add_argument("--files", type=int, default=11)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, tuple[int, int, float]]] = {}
    print(f"machine: {machine()}")
    for size in sizes:
        with bench_folder(keep=False, prefix="folder-kit-memory-") as tmp:
            ws, env = prepare(tmp, size, args.files)
            base = [folder_kit_exe(), "-w", str(ws)]
            subprocess.run([*base, "scan"], check=True, env=env, stdout=subprocess.DEVNULL, cwd=tmp)
            results[size] = {}
            for label, rest in COMMANDS.items():
                results[size][label] = got = peaks([*base, *rest], env, tmp)
                print(
                    f"{size:>6} customers  {label:<22} largest {got[0] / 2**20:6.1f} MiB"
                    f"  tree {got[1] / 2**20:6.1f} MiB  {got[2]:6.2f} s"
                    f"  load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        print(f"\ngrowth of the tree's peak per 10,000 customers ({lo} -> {hi}):")
        for label in COMMANDS:
            grow = (results[hi][label][1] - results[lo][label][1]) / (hi - lo) * 10_000
            print(f"  {label:<22} {grow / 2**20:+6.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
