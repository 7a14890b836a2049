"""How long `folder-kit --help` takes to start, against a bare `python -c pass`.

    .venv/bin/python bench/startup.py [--runs N] [--module]

Times the console script next to this interpreter (``.venv/bin/folder-kit``), or
``python -m folder_kit`` with --module or where there is no script, and ``python -c pass``
with the same interpreter, interleaved so that a busy machine slows both alike. Then
checks, in a fresh interpreter, that ``--help`` loads neither watchdog nor Jinja2:
the commands import them only when they need them. Exits 1 if one is loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from installed import installed_env

HEAVY_MODULES = ("watchdog", "jinja2")

# Run in a fresh interpreter: import the CLI, run `--help` as the console script would,
# and report which heavy modules ended up loaded.
CHECK_IMPORTS = f"""
import contextlib, io, json, sys
import folder_kit.cli
sys.argv = ["folder-kit", "--help"]
with contextlib.redirect_stdout(io.StringIO()):
    try:
        folder_kit.cli.main()
    except SystemExit:
        pass
print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))
"""


# The floor for any click program: a bare group of as many commands, each with one
# line of help, printing its --help.
CLICK_FLOOR = """
import click
group = click.Group(help="A bare click group.")
for n in range({count}):
    group.add_command(click.Command(f"command{{n}}", help="One line of help.", callback=print))
group(["--help"], prog_name="floor")
"""


def help_command(*, module: bool) -> list[str]:
    """`folder-kit --help` as installed beside this interpreter, else through `-m`."""
    script = Path(sys.executable).parent / ("folder-kit.exe" if os.name == "nt" else "folder-kit")
    if not module and script.is_file():
        return [str(script), "--help"]
    return [sys.executable, "-m", "folder_kit", "--help"]


def time_once(command: Sequence[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True, env=env, cwd=cwd
    )
    return time.perf_counter() - start


def heavy_modules_after_help() -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTS],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each command (default 20)")
    parser.add_argument(
        "--module", action="store_true", help="time `python -m folder_kit --help`, not the script"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also time `python -m folder_kit --help` from the source tree in DIR, and "
        "this tree's the same way, interleaved (before and after in one run)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    from folder_kit.cli import COMMANDS

    commands = {
        "help": help_command(module=args.module),
        "pass": [sys.executable, "-c", "pass"],
        "floor": [sys.executable, "-c", CLICK_FLOOR.format(count=len(COMMANDS))],
    }
    module = [sys.executable, "-m", "folder_kit", "--help"]
    if args.baseline is not None:
        commands["before"] = module
        commands["after"] = module
    here = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory(prefix="folder-kit-startup-") as cache:
        env = installed_env(os.environ, Path(cache))
        envs = {name: env for name in commands}
        if args.baseline is not None:
            envs["before"] = {**env, "PYTHONPATH": str(args.baseline.resolve())}
            envs["after"] = {**env, "PYTHONPATH": here}
        for name, command in commands.items():
            time_once(command, envs[name], cwd=cache)  # warm up: bytecode compiled, cached
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(time_once(command, envs[name], cwd=cache))

    version = sys.version.split()[0]
    print(f"startup, {args.runs} runs each, interleaved, Python {version} on {os.cpu_count()} CPUs")
    shown = {name: " ".join(command) for name, command in commands.items()}
    shown["floor"] = f"a bare click group of {len(COMMANDS)} commands, --help"
    if args.baseline is not None:
        shown["before"] = f"before: python -m folder_kit --help from {args.baseline}"
        shown["after"] = "after: python -m folder_kit --help from this tree"
    width = max(map(len, shown.values()))
    for name in commands:
        median = statistics.median(times[name]) * 1000
        low = min(times[name]) * 1000
        print(f"  {shown[name]:<{width}}  median {median:6.1f} ms  min {low:6.1f} ms")
    help_median = statistics.median(times["help"])
    pass_median = statistics.median(times["pass"])
    print(
        f"  --help / python -c pass: {help_median / pass_median:.1f}x the median, "
        f"{(help_median - pass_median) * 1000:.0f} ms more"
    )
    floor_median = statistics.median(times["floor"])
    print(
        f"  the bare click group / python -c pass: {floor_median / pass_median:.1f}x "
        "(what click alone costs)"
    )

    if args.baseline is not None:
        before, after = (statistics.median(times[n]) for n in ("before", "after"))
        print(
            f"  python -m: before {before / pass_median:.1f}x, after {after / pass_median:.1f}x "
            "python -c pass"
        )

    loaded = heavy_modules_after_help()
    if loaded:
        print(f"after importing folder_kit.cli and --help, loaded: {', '.join(loaded)} (want none)")
        return 1
    print(f"after importing folder_kit.cli and --help, none of {', '.join(HEAVY_MODULES)} loaded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
