"""Scan benchmark: `folder-kit scan` against `find` on the same synthetic workspace.

Generates N customers x F files (mail with real headers, quotes, PIs, a
Contact.txt each), then times, as whole commands in one run:

    find DIR -type f -printf '%T@ %p\\n'      (the baseline: list and stat every file)
    folder-kit scan --rebuild                 (cold: read every file into a new index)
    folder-kit scan                           (nothing changed since the last scan)
    folder-kit timeline --json                (every event, as JSON)
    folder-kit customer list --json           (every customer, as JSON)

and prints each median with its ratio to find's, and the largest resident set
of any one process of a cold scan (the scan or one of its workers). Run:

    .venv/bin/python bench/scan.py --customers 10000 --files 11
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from installed import installed_env

GRADES = ["A-交易客户", "B-在谈客户", "C-潜力客户", "D-行业客户", "待开发客户"]
TOPICS = [
    "Price update 2027",
    "New product catalogue",
    "Canton Fair invitation",
    "Quotation QT-{n}",
    "Season's greetings",
    "Factory visit",
    "Re: samples",
]

MAIL = (
    "From: Li Lei <lilei@example.cn>\r\n"
    "To: buyer{n}@example.com\r\n"
    "Subject: {subject}\r\n"
    "Date: {day:02d} {month} 2026 10:{minute:02d}:00 +0800\r\n"
    "Message-ID: <{n}.{j}@example.cn>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Dear buyer,\r\n\r\nPlease find our news attached.\r\n\r\nBest regards,\r\nLi Lei\r\n"
)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]


def generate(root: Path, customers: int, files: int, *, mail: bool = True) -> int:
    """A workspace of ``customers`` folders with ``files`` files each; returns the file count."""
    (root / "folder-kit.yaml").write_text("lang: zh\n", encoding="utf-8")
    count = 0
    for n in range(customers):
        c = root / "客户" / GRADES[n % len(GRADES)] / f"Customer {n:05d} Trading Co"
        for sub in ("OUT", "IN", "报价", "PI", "定单"):
            (c / sub).mkdir(parents=True)
        card = f"公司: Customer {n:05d} Trading Co\n国家: DE\nEmail: buyer{n}@customer{n:05d}.example\n"
        (c / "Contact.txt").write_text(card, "utf-8")
        count += 1
        for j in range(files - 1):
            month = MONTHS[j % len(MONTHS)]
            slot = j % 10
            if slot < 4:  # our mails
                subject = TOPICS[(n + j) % len(TOPICS)].format(n=n)
                path = c / "OUT" / f"2026-{j % 11 + 1:02d}-{j % 27 + 1:02d} {subject}.eml"
            elif slot < 7:  # their replies, named by the mail client
                subject = "Re: " + TOPICS[(n + j) % len(TOPICS)].format(n=n)
                path = c / "IN" / f"{subject.replace(':', '_')} {j}.eml"
            elif slot < 9:
                path = c / "报价" / f"QT-{n}-{j} 2026{j % 11 + 1:02d}{j % 27 + 1:02d}.pdf"
                subject = ""
            else:
                path = c / "PI" / f"PI-2026.{j % 11 + 1:02d}.{j % 27 + 1:02d}-{n:04d}.pdf"
                subject = ""
            if subject and not mail:  # a note of a call instead of a saved mail
                path = path.with_name(f"2026-{j % 11 + 1:02d}-{j % 27 + 1:02d} call {j}.txt")
                path.write_text(f"{subject}\n", encoding="utf-8")
            elif subject:
                text = MAIL.format(
                    n=n, j=j, subject=subject, day=j % 27 + 1, month=month, minute=j % 60
                )
                path.write_text(text, encoding="utf-8")
            else:
                path.write_bytes(b"%PDF-1.4\n% folder-kit bench\n")
            count += 1
    return count


def prepare(
    tmp: Path, customers: int, files: int, *, mail: bool = True
) -> tuple[Path, dict[str, str]]:
    """Generate the workspace in ``tmp``/ws and let it settle; returns it and the
    environment its commands run in (an index and a bytecode cache of their own)."""
    ws = tmp / "ws"
    ws.mkdir()
    t = time.perf_counter()
    total = generate(ws, customers, files, mail=mail)
    print(f"generated {customers} customers, {total} files in {time.perf_counter() - t:.1f} s")
    # A scan reads files changed in the last 2 s again next time (they may still
    # be being written); a user's tree is older than that.
    time.sleep(2.5)
    env = installed_env({**os.environ, "FOLDER_KIT_STATE": str(tmp / "state")}, tmp / "pyc")
    return ws, env


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall-clock seconds, and the peak resident set (KiB) of the largest single
    process in the command's tree (Linux: wait4 reports the max over the child
    and the descendants it waited for, so a scan's worker processes count)."""
    seconds, kib, _ = measured(cmd, env, cwd)
    return seconds, kib


def measured(
    cmd: list[str], env: dict[str, str], cwd: Path | None = None
) -> tuple[float, int, float]:
    """``timed``, and the CPU seconds (user + system) of the command and every
    process it waited for (a scan's workers): a figure a loaded machine changes
    far less than the wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def size_arguments(parser: argparse.ArgumentParser, *, runs: int = 5) -> None:
    """The options every benchmark on this tree takes: its size, runs, --keep."""
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument(
        "--files", type=int, default=11, help="files per customer, Contact.txt included"
    )
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--keep", action="store_true", help="keep the generated workspace")


def folder_kit_exe() -> str:
    """The console script installed beside this interpreter (else on PATH)."""
    return shutil.which("folder-kit", path=str(Path(sys.executable).parent)) or "folder-kit"


@contextlib.contextmanager
def bench_folder(*, keep: bool, prefix: str = "folder-kit-bench-") -> Iterator[Path]:
    """A temporary folder for a benchmark's tree and state, removed afterwards
    unless ``keep``."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield tmp
    finally:
        if keep:
            print(f"workspace kept at {tmp}")
        else:
            shutil.rmtree(tmp)


Commands = dict[str, tuple[list[str], dict[str, str]]]  # label -> (command, environment)


class Runs(NamedTuple):
    """Every run's wall seconds, peak RSS (KiB), CPU seconds and the load average
    (1 min) when it started, by label."""

    times: dict[str, list[float]]
    rss: dict[str, list[int]]
    cpu: dict[str, list[float]]
    load: dict[str, list[float]]


def interleaved(commands: Commands, runs: int, cwd: Path | None = None) -> Runs:
    """Each command once to warm up (page cache, bytecode, index), then ``runs``
    rounds of all of them in turn, so that a load on the machine slows all alike."""
    for cmd, env in commands.values():
        timed(cmd, env, cwd=cwd)
    out = Runs({}, {}, {}, {})
    for table in out:
        table.update({label: [] for label in commands})
    for _ in range(runs):
        for label, (cmd, env) in commands.items():
            out.load[label].append(os.getloadavg()[0])
            seconds, kib, cpu = measured(cmd, env, cwd=cwd)
            out.times[label].append(seconds)
            out.rss[label].append(kib)
            out.cpu[label].append(cpu)
    return out


def machine() -> str:
    """The machine a figure came from: cores, CPU model, Python."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    version = ".".join(map(str, sys.version_info[:3]))
    return f"{os.cpu_count()} cores, {model}, Python {version}"


def print_ratios(
    runs: Runs, *, rss: bool = True, floors: dict[str, str] | None = None, files: int = 0
) -> None:
    """Median, minimum and ratio to the first command (find) of each, in wall time
    and in CPU time (user + system, workers included), the peak RSS and the load
    when it ran; then, with ``floors`` (short name -> label), every command as a
    ratio to each floor, in wall time and in CPU time. ``files``: the tree's file
    count, for CPU microseconds a file."""
    base = statistics.median(next(iter(runs.times.values())))
    base_cpu = statistics.median(next(iter(runs.cpu.values()))) or 1e-9
    print(f"machine: {machine()}")
    head = f"{'command':<34} {'median s':>9} {'min s':>7} {'x find':>7} {'cpu s':>7} {'x cpu':>6}"
    head += f" {'us/file':>7}" if files else ""
    print(head + (f" {'max RSS MiB':>12}" if rss else "") + f" {'load':>9}")
    for label, times in runs.times.items():
        med = statistics.median(times)
        cpu = statistics.median(runs.cpu[label])
        line = f"{label:<34} {med:>9.3f} {min(times):>7.3f} {med / base:>7.2f}"
        line += f" {cpu:>7.3f} {cpu / base_cpu:>6.2f}"
        line += f" {cpu / files * 1e6:>7.1f}" if files else ""
        if rss:
            line += f" {max(runs.rss[label]) / 1024:>12.1f}"
        load = runs.load[label]
        print(line + f" {min(load):>4.1f}-{max(load):<4.1f}")
    count = len(next(iter(runs.times.values())))
    print(
        f"({count} runs each, interleaved; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f})"
    )
    if floors:
        print_floor_ratios(runs, floors)


def print_floor_ratios(runs: Runs, floors: dict[str, str]) -> None:
    """Every command as a ratio to each floor measured in the same run: medians, wall
    time and CPU time (user + system, workers included)."""
    for what, table in (("wall", runs.times), ("cpu", runs.cpu)):
        meds = {label: statistics.median(values) for label, values in table.items()}
        print(f"\nratio to the floors, {what} time (median / median):")
        print(f"{'command':<34}" + "".join(f" {short:>11}" for short in floors))
        for label, med in meds.items():
            cells = "".join(f" {med / (meds[floor] or 1e-9):>11.2f}" for floor in floors.values())
            print(f"{label:<34}{cells}")


FLOORS = {  # short name -> label of the floor command
    "walk": "floor: walk",
    "walk+read": "floor: walk+read",
    "walk+read 2p": "floor: walk+read, 2 procs",
    "stat": "floor: stat-only",
    "stat 2p": "floor: stat-only, 2 procs",
}


def floor_commands(ws: Path, tmp: Path, env: dict[str, str]) -> Commands:
    """The floors of bench/floors.py on ``ws``, as whole processes of this interpreter."""
    from floors import stat_list

    listing = tmp / "stat-list.txt"
    stat_list(ws, listing)
    script = [sys.executable, str(Path(__file__).resolve().parent / "floors.py")]
    walk = [*script, "walk", str(ws)]
    stats = [*script, "stat", str(listing)]
    return {
        FLOORS["walk"]: (walk, env),
        FLOORS["walk+read"]: ([*walk, "--read"], env),
        FLOORS["walk+read 2p"]: ([*walk, "--read", "--procs", "2"], env),
        FLOORS["stat"]: (stats, env),
        FLOORS["stat 2p"]: ([*stats, "--procs", "2"], env),
    }


# issue 22's lines: (command, floor, wall or cpu, at most this ratio)
TARGETS = [
    ("folder-kit scan --rebuild", "walk+read", "cpu", 2.2),
    ("folder-kit scan --rebuild", "walk+read 2p", "wall", 1.6),
    ("folder-kit scan (no change)", "stat", "wall", 1.2),
    ("folder-kit scan (no change)", "stat", "cpu", 1.2),
]


def print_targets(runs: Runs) -> None:
    print("\ntargets (issue 22):")
    for label, floor, what, most in TARGETS:
        table = runs.times if what == "wall" else runs.cpu
        if label not in table:
            continue
        ratio = statistics.median(table[label]) / statistics.median(table[FLOORS[floor]])
        verdict = "met" if ratio <= most else "MISSED"
        print(f"  {label:<30} {what:>4} / {floor:<13} {ratio:5.2f} (<= {most}) {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser)
    parser.add_argument(
        "--no-mail",
        action="store_true",
        help="OUT/IN hold dated notes instead of .eml files (nothing to open and parse)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also time the folder_kit in DIR (e.g. `git archive main | tar -x -C DIR`) "
        "with this interpreter, interleaved, as 'before:' lines",
    )
    args = parser.parse_args()

    with bench_folder(keep=args.keep) as tmp:
        ws, env = prepare(tmp, args.customers, args.files, mail=not args.no_mail)
        find = ["find", str(ws), "-type", "f", "-printf", "%T@ %p\\n"]
        timed(find, env)  # warm the page cache for everyone
        commands: Commands = {"find -type f -printf '%T@ %p\\n'": (find, env)}
        floors = floor_commands(ws, tmp, env)
        commands.update(floors)
        readers = {
            "folder-kit scan --rebuild": ["scan", "--rebuild"],
            "folder-kit scan (no change)": ["scan"],
            "folder-kit timeline --json": ["timeline", "--json"],
            "folder-kit customer list --json": ["customer", "list", "--json"],
        }
        if args.baseline is not None:
            # The same commands from another source tree, through the same interpreter,
            # with an index of their own: before and after in one run.
            before = {
                **env,
                "FOLDER_KIT_STATE": str(tmp / "state-before"),
                "PYTHONPATH": str(args.baseline.resolve()),
            }
            for label, rest in readers.items():
                cmd = [sys.executable, "-m", "folder_kit", "-w", str(ws), *rest]
                commands[f"before: {label.removeprefix('folder-kit ')}"] = (cmd, before)
            after = [sys.executable, "-m", "folder_kit"]  # the same launcher as before
        else:
            after = [folder_kit_exe()]
        for label, rest in readers.items():
            commands[label] = ([*after, "-w", str(ws), *rest], env)
        # From the temporary folder: `python -m` puts the current folder first on
        # sys.path, and a source tree there would win over --baseline.
        runs = interleaved(commands, args.runs, cwd=tmp)
        print_ratios(runs, floors=FLOORS, files=args.customers * args.files)
        print("(max RSS: the largest single process of the command, workers included)")
        print_targets(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
