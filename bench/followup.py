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
    .venv/bin/python bench/followup.py --customers 10000 --files 11 --baseline /tmp/main-src

``--baseline DIR`` times the same readers from the source tree in DIR too, as
bench/scan.py does: before and after in one run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import (
    FLOORS,
    Commands,
    bench_folder,
    floor_commands,
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
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also time the folder_kit in DIR (e.g. `git archive main | tar -x -C DIR`) "
        "with this interpreter, interleaved, as 'before:' lines",
    )
    args = parser.parse_args()

    with bench_folder(keep=args.keep) as tmp:
        ws, env = prepare(tmp, args.customers, args.files)
        readers = {
            "folder-kit scan (no change)": ["scan"],
            "folder-kit due --json": ["due", "--json", "--today", TODAY],
            "folder-kit check --json": ["check", "--json", "--today", TODAY],
            "folder-kit report --json": ["report", "--json", "--today", TODAY],
        }
        find = ["find", str(ws), "-type", "f", "-printf", "%T@ %p\\n"]
        commands: Commands = {"find -type f -printf '%T@ %p\\n'": (find, env)}
        commands.update(floor_commands(ws, tmp, env))
        if args.baseline is not None:
            # As bench/scan.py --baseline: the other source tree through the same
            # interpreter, with an index of its own, built first like the other.
            before = {
                **env,
                "FOLDER_KIT_STATE": str(tmp / "state-before"),
                "PYTHONPATH": str(args.baseline.resolve()),
            }
            old = [sys.executable, "-m", "folder_kit", "-w", str(ws)]
            subprocess.run(
                [*old, "scan"], check=True, env=before, stdout=subprocess.DEVNULL, cwd=tmp
            )
            for label, rest in readers.items():
                commands[f"before: {label.removeprefix('folder-kit ')}"] = ([*old, *rest], before)
            after = [sys.executable, "-m", "folder_kit"]  # the same launcher as before
        else:
            after = [folder_kit_exe()]
        base = [*after, "-w", str(ws)]
        subprocess.run([*base, "scan"], check=True, env=env, stdout=subprocess.DEVNULL, cwd=tmp)
        for label, rest in readers.items():
            commands[label] = ([*base, *rest], env)
        # From the temporary folder: `python -m` puts the current folder first on
        # sys.path, and a source tree there would win over --baseline.
        print_ratios(interleaved(commands, args.runs, cwd=tmp), rss=False, floors=FLOORS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
