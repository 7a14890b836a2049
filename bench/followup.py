"""Follow-up benchmark: `due`, `check` and `report --json` against `find` on the same tree.

The tree is bench/scan.py's (N customers x F files: mail with real headers,
quotes, PIs, a Contact.txt each). After one `scan` builds the index, times, as
whole commands in one run, interleaved:

    find DIR -type f -printf '%T@ %p\\n'        (the baseline)
    folder-kit scan                             (nothing changed: what each reader runs first)
    folder-kit due --json --today 2026-12-01    (incremental scan + one aggregate query)
    folder-kit check --json --today 2026-12-01  (incremental scan + every event, every rule)
    folder-kit report --json --today 2026-12-01

Each reader brings the index up to date first (the no-change scan is part of
its time, as a user sees it). Prints each median with its ratio to find's. Run:

    .venv/bin/python bench/followup.py --customers 10000 --files 11
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import (
    Commands,
    bench_folder,
    folder_kit_exe,
    interleaved,
    prepare,
    print_ratios,
    size_arguments,
)

TODAY = "2026-12-01"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser)
    args = parser.parse_args()

    with bench_folder(keep=args.keep) as tmp:
        ws, env = prepare(tmp, args.customers, args.files)
        base = [folder_kit_exe(), "-w", str(ws)]
        subprocess.run([*base, "scan"], check=True, env=env, stdout=subprocess.DEVNULL)
        find = ["find", str(ws), "-type", "f", "-printf", "%T@ %p\\n"]
        commands: Commands = {
            "find -type f -printf '%T@ %p\\n'": (find, env),
            "folder-kit scan (no change)": ([*base, "scan"], env),
            "folder-kit due --json": ([*base, "due", "--json", "--today", TODAY], env),
            "folder-kit check --json": ([*base, "check", "--json", "--today", TODAY], env),
            "folder-kit report --json": ([*base, "report", "--json", "--today", TODAY], env),
        }
        times, _ = interleaved(commands, args.runs)
        print_ratios(times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
