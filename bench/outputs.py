"""Every command's output on the bench tree, from this checkout and from another
source tree, compared byte for byte: a reshaping or a speed-up must not change
what a user sees.

tests/test_golden.py holds the outputs on two small trees; this runs the same
idea on the generated bench workspace (bench/scan.py's), at any size:

    git archive main | tar -x -C /tmp/before
    .venv/bin/python bench/outputs.py --baseline /tmp/before --customers 500

Both runs see the same tree at the same path, with every mtime pinned, TZ=UTC
and fixed --today days. Exit status 1 when any output differs; the first lines
of each difference are printed. ``--record DIR`` keeps the outputs.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scan import generate

PINNED = 1_767_225_600  # 2026-01-01T00:00:00Z
JUDGE = ["--today", "2026-12-01"]
DRAFT_DAY = ["--today", "2026-12-15"]
# A calendar export stamps its to-dos with the time it was written.
NOW_STAMPS = re.compile(rb"^((?:DTSTAMP|LAST-MODIFIED):)[0-9]{8}T[0-9]{6}Z", re.MULTILINE)

# label -> arguments after `folder-kit -w WS`; "{out}" is a file the command writes.
COMMANDS: dict[str, list[str]] = {
    "scan": ["scan", "--json"],
    "scan-again": ["scan", "--json"],
    "customer-list": ["customer", "list"],
    "customer-list-json": ["customer", "list", "--json"],
    "timeline": ["timeline"],
    "timeline-json": ["timeline", "--json"],
    "timeline-one": ["timeline", "Customer 00007"],
    "timeline-one-json": ["timeline", "Customer 00007", "--json"],
    "due": ["due", *JUDGE],
    "due-json": ["due", "--within", "30", "--json", *JUDGE],
    "due-ics": ["due", *JUDGE, "--ics", "{out}"],
    "check": ["check", *JUDGE],
    "check-json": ["check", "--json", *JUDGE],
    "check-one": ["check", "Customer 00003", *JUDGE],
    "report": ["report", *JUDGE],
    "report-json": ["report", "--json", *JUDGE],
    "report-html": ["report", *JUDGE, "--html", "{out}"],
    "draft-one": ["draft", "Customer 00001", "--json", *DRAFT_DAY],
    "draft-due": ["draft", "--due", "--json", *JUDGE],
    "scan-rebuild": ["scan", "--rebuild", "--json"],
}


def pin(root: Path) -> None:
    for folder, dirs, files in os.walk(root):
        for name in files + dirs:
            os.utime(os.path.join(folder, name), (PINNED, PINNED), follow_symlinks=False)
    os.utime(root, (PINNED, PINNED))


def outputs(source: Path | None, tree: Path, tmp: Path) -> dict[str, bytes]:
    """Run every command from ``source`` (None: this checkout's package) on a fresh
    copy of ``tree`` at ``tmp``/ws; each one's stdout, stderr, exit code and written file."""
    ws = tmp / "ws"
    if ws.exists():
        shutil.rmtree(ws)
    shutil.copytree(tree, ws, symlinks=True)
    state = tmp / "state"
    shutil.rmtree(state, ignore_errors=True)
    env = {**os.environ, "TZ": "UTC", "FOLDER_KIT_STATE": str(state), "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)
    if source is not None:
        env["PYTHONPATH"] = str(source.resolve())
    got: dict[str, bytes] = {}
    for label, args in COMMANDS.items():
        out = tmp / f"{label}.out"
        cmd = [sys.executable, "-m", "folder_kit", "-w", str(ws)]
        cmd += [str(out) if a == "{out}" else a for a in args]
        # From tmp: `python -m` puts the current folder first on sys.path.
        proc = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, check=False)
        written = NOW_STAMPS.sub(rb"\1(now)", out.read_bytes()) if out.exists() else b""
        out.unlink(missing_ok=True)
        got[label] = b"".join(
            [
                b"exit %d\n--- stdout\n" % proc.returncode,
                proc.stdout,
                b"--- stderr\n",
                proc.stderr,
                b"--- file\n",
                written,
            ]
        )
    return got


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, metavar="DIR")
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--files", type=int, default=11)
    parser.add_argument("--record", type=Path, metavar="DIR", help="keep the outputs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="folder-kit-outputs-") as name:
        tmp = Path(name)
        tree = tmp / "tree"
        tree.mkdir()
        generate(tree, args.customers, args.files)
        pin(tree)
        before = outputs(args.baseline, tree, tmp)
        after = outputs(None, tree, tmp)
    differ = 0
    for label in COMMANDS:
        if args.record:
            for side, got in (("before", before), ("after", after)):
                (args.record / side).mkdir(parents=True, exist_ok=True)
                (args.record / side / label).write_bytes(got[label])
        if before[label] == after[label]:
            print(f"same     {label}")
            continue
        differ += 1
        print(f"DIFFERS  {label}")
        diff = difflib.unified_diff(
            before[label].decode("utf-8", "replace").splitlines(),
            after[label].decode("utf-8", "replace").splitlines(),
            "before",
            "after",
            lineterm="",
            n=1,
        )
        for line in list(diff)[:20]:
            print(f"    {line}")
    print(f"{len(COMMANDS) - differ} of {len(COMMANDS)} outputs byte-identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
