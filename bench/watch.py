"""Watcher benchmark: start, latency, memory, idle CPU, and readers beside a watcher.

On the synthetic workspace of bench/scan.py (N customers x F files), as whole
processes in one run:

    start     time to the `ready` line of `folder-kit watch --json`, against a bare
              watchdog observer started on the same tree (recursive, default types)
    latency   a mail written into a customer's IN/ -> its `change` line (the index
              is committed before the line is printed); settle period included
    memory    the watcher's resident set (VmRSS, and the peak VmHWM) from /proc
    idle CPU  the watcher's user+system CPU over --idle seconds with nothing changing
    readers   `folder-kit customer list --json` and `due --json` with the watcher
              running (no scan first) against without it (an incremental scan first)

Run (Linux: it reads /proc):

    .venv/bin/python bench/watch.py --customers 10000 --files 11
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import GRADES, MAIL, bench_folder, folder_kit_exe, prepare, timed

BARE = (
    "import sys\n"
    "from watchdog.events import FileSystemEventHandler\n"
    "from watchdog.observers import Observer\n"
    "o = Observer()\n"
    "o.schedule(FileSystemEventHandler(), sys.argv[1], recursive=True)\n"
    "o.start()\n"
    "print('ready', flush=True)\n"
    "sys.stdin.read()\n"
)


class Lines:
    """A process's stdout lines in a queue, read by a thread."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.queue: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self.queue.put((time.perf_counter(), raw.decode("utf-8", "replace")))

    def until(self, text: str, timeout: float) -> float:
        end = time.monotonic() + timeout
        while True:
            when, line = self.queue.get(timeout=max(0.01, end - time.monotonic()))
            if text in line:
                return when


def start_watcher(
    exe: str, ws: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], Lines, float]:
    t = time.perf_counter()
    proc = subprocess.Popen(
        [exe, "-w", str(ws), "watch", "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    lines = Lines(proc.stdout)
    ready = lines.until('"ready": true', timeout=600)
    return proc, lines, ready - t


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)


def bare_start(ws: Path, env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", BARE, str(ws)],
        env=env, stdout=subprocess.PIPE, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdout.readline()
    took = time.perf_counter() - t
    proc.stdin.close()
    proc.wait(timeout=120)
    return took


def proc_status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seconds(cmd: list[str], env: dict[str, str]) -> float:
    return timed(cmd, env)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=11)
    parser.add_argument("--runs", type=int, default=5, help="runs of each start and reader")
    parser.add_argument("--writes", type=int, default=20, help="files for the latency")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU")
    args = parser.parse_args()

    exe = folder_kit_exe()
    with bench_folder(keep=False, prefix="folder-kit-bench-watch-") as tmp:
        ws, env = prepare(tmp, args.customers, args.files)
        subprocess.run([exe, "-w", str(ws), "scan"], env=env, check=True, stdout=subprocess.DEVNULL)

        bares, starts = [], []
        bare_start(ws, env)  # warm the page cache for both
        for _ in range(args.runs):
            bares.append(bare_start(ws, env))
            proc, _, took = start_watcher(exe, ws, env)
            starts.append(took)
            stop(proc)
        b, s = statistics.median(bares), statistics.median(starts)
        print(f"start: bare watchdog observer median {b:.3f} s (min {min(bares):.3f}); "
              f"watch to ready {s:.3f} s (min {min(starts):.3f}); {s / b:.2f}x")  # fmt: skip

        proc, lines, _ = start_watcher(exe, ws, env)
        try:
            rss = proc_status(proc.pid, "VmRSS")
            print(f"memory after ready: VmRSS {rss / 1024:.1f} MiB")
            c0, w0 = cpu_seconds(proc.pid), time.perf_counter()
            time.sleep(args.idle)
            used, wall = cpu_seconds(proc.pid) - c0, time.perf_counter() - w0
            print(
                f"idle CPU: {used:.2f} s over {wall:.1f} s = {100 * used / wall:.2f} % of one core"
            )

            latencies = []
            for i in range(args.writes):
                n = (i * 7919) % args.customers
                grade = GRADES[n % len(GRADES)]
                folder = ws / "客户" / grade / f"Customer {n:05d} Trading Co" / "IN"
                name = f"Re_ bench reply {i}.eml"
                text = MAIL.format(
                    n=n, j=900 + i, subject=f"Re: bench {i}", day=1, month="Nov", minute=i % 60
                )
                with (folder / name).open("w", encoding="utf-8") as f:
                    f.write(text)
                written = time.perf_counter()
                seen = lines.until(json.dumps(name, ensure_ascii=False)[1:-1], timeout=60)
                latencies.append(seen - written)
            print(f"latency ({args.writes} files, settle 1.0 s included): median "
                  f"{statistics.median(latencies):.3f} s, max {max(latencies):.3f} s")  # fmt: skip

            readers = {
                "customer list --json": [exe, "-w", str(ws), "customer", "list", "--json"],
                "due --json": [exe, "-w", str(ws), "due", "--json", "--today", "2026-12-01"],
            }
            withs: dict[str, list[float]] = {}
            for name, command in readers.items():
                seconds(command, env)
                withs[name] = [seconds(command, env) for _ in range(args.runs)]
            hwm = proc_status(proc.pid, "VmHWM")
            print(f"memory peak so far: VmHWM {hwm / 1024:.1f} MiB")
        finally:
            stop(proc)
        for name, command in readers.items():
            withouts = [seconds(command, env) for _ in range(args.runs)]
            w, wo = statistics.median(withs[name]), statistics.median(withouts)
            print(f"{name}: with a watcher {w:.3f} s, without {wo:.3f} s: {wo / w:.2f}x faster")
        print(f"({args.runs} runs each; {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
