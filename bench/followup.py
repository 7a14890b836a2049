"""Follow-up benchmark: `due`, `check` and `report --json` against `find` on the same tree.

The tree is bench/scan.py's (N customers x F files: mail with real headers,
quotes, PIs, a Contact.txt each). After one `scan` builds the index, times, as
whole commands in one run, interleaved:

    find DIR -type f -printf '%T@ %p\\n'        (the baseline)
    folder-kit due --json --today 2026-12-01    (incremental scan + one aggregate query)
    folder-kit check --json --today 2026-12-01  (incremental scan + every event, every rule)
    folder-kit report --json --today 2026-12-01

Each reader brings the index up to date first (the no-change scan is part of
its time, as a user sees it). Prints each median with its ratio to find's. Run:

    .venv/bin/python bench/followup.py --customers 10000 --files 11
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import prepare, timed

TODAY = "2026-12-01"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument(
        "--files", type=int, default=11, help="files per customer, Contact.txt included"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated workspace")
    args = parser.parse_args()

    exe = shutil.which("folder-kit", path=str(Path(sys.executable).parent)) or "folder-kit"
    tmp = Path(tempfile.mkdtemp(prefix="folder-kit-bench-"))
    try:
        ws, env = prepare(tmp, args.customers, args.files)
        base = [exe, "-w", str(ws)]
        subprocess.run([*base, "scan"], check=True, env=env, stdout=subprocess.DEVNULL)
        commands = {
            "find -type f -printf '%T@ %p\\n'": [
                "find",
                str(ws),
                "-type",
                "f",
                "-printf",
                "%T@ %p\\n",
            ],
            "folder-kit scan (no change)": [*base, "scan"],
            "folder-kit due --json": [*base, "due", "--json", "--today", TODAY],
            "folder-kit check --json": [*base, "check", "--json", "--today", TODAY],
            "folder-kit report --json": [*base, "report", "--json", "--today", TODAY],
        }
        for cmd in commands.values():  # warm the page cache and the index for everyone
            timed(cmd, env)
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.runs):
            for label, cmd in commands.items():
                times[label].append(timed(cmd, env)[0])  # seconds (and the peak RSS)
        find = statistics.median(times[next(iter(commands))])
        print(f"{'command':<34} {'median s':>9} {'min s':>7} {'x find':>7}")
        for label, runs in times.items():
            med = statistics.median(runs)
            print(f"{label:<34} {med:>9.3f} {min(runs):>7.3f} {med / find:>7.2f}")
        print(f"({args.runs} runs each, interleaved; {os.cpu_count()} cores)")
    finally:
        if args.keep:
            print(f"workspace kept at {tmp}")
        else:
            shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
