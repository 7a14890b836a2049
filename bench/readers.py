"""Readers with a watcher running: `due --json` and `customer list --json` against
the same commands without one, and their output compared byte for byte.

On bench/scan.py's tree (N customers x F files), after one `scan`:

1. starts `folder-kit watch --json` and waits until it is settled: its `ready`
   line, and its answers file in the state folder (``folder_kit.answers``);
2. times each reader, `--runs` times after one warm-up run (the median, the
   minimum, the CPU time of the reader process, the load when it ran):
   answered by the watcher from the answer it keeps;
3. saves a mail into one customer's IN/, waits for the watcher's `change` line,
   and times the first reader after it: the watcher works the answer out anew
   (the reader's wait includes it);
4. stops the watcher and times the same readers without it (each scans first,
   finding nothing changed), and compares each reader's output with and without
   the watcher, byte for byte.

Run (Linux: reads /proc for the load):

    .venv/bin/python bench/readers.py --customers 10000 --files 11 --runs 7
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import GRADES, MAIL, bench_folder, folder_kit_exe, machine, prepare, size_arguments
from watch import start_watcher, stop

TODAY = "2026-12-01"
TARGET = 0.25  # seconds, with a watcher, at 10,000 customers (issue 22)


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, bytes, float]:
    """Wall seconds, CPU seconds (user + system of the reader process), its stdout,
    and the load average when it started."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return wall, _children_cpu(), out, load


_last_children = [0.0]


def _children_cpu() -> float:
    """CPU seconds of the children waited for since the last call."""
    t = os.times()
    total = t.children_user + t.children_system
    used, _last_children[0] = total - _last_children[0], total
    return used


def timed_runs(
    cmd: list[str], env: dict[str, str], runs: int
) -> tuple[list[float], list[float], list[float], bytes]:
    _children_cpu()
    _, _, out, _ = run(cmd, env)  # warm-up: page cache, bytecode, the watcher's answer
    walls, cpus, loads = [], [], []
    for _ in range(runs):
        wall, cpu, got, load = run(cmd, env)
        if got != out:
            raise SystemExit(f"{cmd}: the output changed between runs")
        walls.append(wall)
        cpus.append(cpu)
        loads.append(load)
    return walls, cpus, loads, out


def line(label: str, walls: list[float], cpus: list[float], loads: list[float]) -> str:
    med = statistics.median(walls)
    return (
        f"{label:<44} {med:>8.3f} {min(walls):>7.3f} {statistics.median(cpus):>7.3f}"
        f" {min(loads):>4.1f}-{max(loads):<4.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser, runs=7)
    args = parser.parse_args()

    exe = folder_kit_exe()
    with bench_folder(keep=args.keep, prefix="folder-kit-bench-readers-") as tmp:
        ws, env = prepare(tmp, args.customers, args.files)
        subprocess.run([exe, "-w", str(ws), "scan"], env=env, check=True, stdout=subprocess.DEVNULL)
        readers = {
            "due --json": [exe, "-w", str(ws), "due", "--json", "--today", TODAY],
            "customer list --json": [exe, "-w", str(ws), "customer", "list", "--json"],
        }
        print(f"machine: {machine()}; load {os.getloadavg()[0]:.1f} at the start")
        print(f"{'':<44} {'median s':>8} {'min s':>7} {'cpu s':>7} {'load':>9}")
        with_watcher: dict[str, bytes] = {}
        medians: dict[str, float] = {}
        proc, lines, took = start_watcher(exe, ws, env)
        try:
            answers = _answers_file(ws, env)
            end = time.monotonic() + 60
            while not answers.exists():  # settled: the answers are offered
                if time.monotonic() > end:
                    raise SystemExit("the watcher offered no answers within 60 s")
                time.sleep(0.05)
            print(f"(watcher ready in {took:.2f} s)")
            for name, cmd in readers.items():
                walls, cpus, loads, out = timed_runs(cmd, env, args.runs)
                with_watcher[name] = out
                medians[name] = statistics.median(walls)
                print(line(f"{name}, watcher running", walls, cpus, loads))
            # The first reader after a change: the watcher works the answer out anew.
            for i, (name, cmd) in enumerate(readers.items()):
                firsts, cpus, loads = [], [], []
                for r in range(args.runs):
                    n = (r * 7919 + i) % args.customers
                    folder = ws / "客户" / GRADES[n % len(GRADES)]
                    folder = folder / f"Customer {n:05d} Trading Co" / "IN"
                    mail_name = f"Re_ readers bench {i} {r}.eml"
                    (folder / mail_name).write_text(
                        MAIL.format(n=n, j=800 + r, subject="Re: readers", day=30,
                                    month="Nov", minute=r),
                        encoding="utf-8",
                    )  # fmt: skip
                    lines.until(mail_name, timeout=60)
                    _children_cpu()
                    wall, cpu, _, load = run(cmd, env)
                    firsts.append(wall)
                    cpus.append(cpu)
                    loads.append(load)
                print(line(f"{name}, first after a change", firsts, cpus, loads))
            # What the watcher answers now, for the comparison below.
            for name, cmd in readers.items():
                with_watcher[name] = run(cmd, env)[2]
        finally:
            stop(proc)
        same = True
        for name, cmd in readers.items():
            walls, cpus, loads, out = timed_runs(cmd, env, args.runs)
            print(line(f"{name}, no watcher (scans first)", walls, cpus, loads))
            identical = out == with_watcher[name]
            same &= identical
            print(f"  output with and without the watcher: "
                  f"{'identical' if identical else 'DIFFERENT'} ({len(out):,} bytes)")  # fmt: skip
        for name, med in medians.items():
            verdict = "met" if med <= TARGET else "NOT met"
            print(f"{name} with a watcher: {med:.3f} s against {TARGET} s: {verdict}")
        print(f"({args.runs} runs each; {args.customers} customers; "
              f"load {os.getloadavg()[0]:.1f} at the end)")  # fmt: skip
    return 0 if same else 1


def _answers_file(ws: Path, env: dict[str, str]) -> Path:
    from folder_kit.answers import ANSWERS_FILE
    from folder_kit.timeline.state import state_dir

    return state_dir(ws, env=env) / ANSWERS_FILE


if __name__ == "__main__":
    sys.exit(main())
