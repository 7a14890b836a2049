"""Peers: `notmuch new` and `mu index` against `folder-kit scan` on the same mail.

notmuch and mu index mail for search, the full text of every message;
folder-kit reads the header block of each saved mail (and classifies every other
file). This keeps the difference measured rather than remembered. On one
generated tree (bench/scan.py's layout: N customers, each with a Contact.txt,
--mails .eml files in OUT/ and IN/, two quotations and a PI), as whole commands,
one after another in each round (interleaved, so a load on the machine slows all
alike), median of --runs rounds:

    folder-kit scan --rebuild     cold: a new index
    folder-kit scan               nothing changed
    notmuch new                   cold (its database deleted first), then nothing changed
    mu index                      cold (its store made anew with `mu init`), then nothing changed

notmuch reads the workspace itself (its own config and database in the
temporary folder: ``database.mail_root`` is the workspace, ``database.path``
elsewhere), and passes over what is not mail (Contact.txt, the PDFs) as
folder-kit reads them. mu indexes only Maildirs (folders with cur/, new/ and
tmp/), so it is given a Maildir per OUT/ and IN/ folder whose files are hard
links to the same .eml files: the same bytes, the same inodes. A tool that is
not installed is skipped, with the reason.

    .venv/bin/python bench/peers.py --customers 3000 --mails 10 --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import bench_folder, folder_kit_exe, machine, measured, prepare

Step = tuple[str, list[str], dict[str, str]]


def files_for(mails: int) -> int:
    """bench/scan.py's files per customer (Contact.txt included) that give ``mails``
    .eml files: 7 in each 10 files after the card are mail."""
    files = 1
    while sum(1 for j in range(files - 1) if j % 10 < 7) < mails:
        files += 1
    return files


def maildir_view(ws: Path, root: Path) -> int:
    """A Maildir for every folder of ``ws`` holding .eml files, under ``root``, its
    messages hard links to them in cur/ (seen, as saved mail is). Returns the count."""
    count = 0
    for n, (folder, _, names) in enumerate(sorted(os.walk(ws))):
        emls = [name for name in names if name.endswith(".eml")]
        if not emls:
            continue
        box = root / f"box{n:06d}"
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True)
        for i, name in enumerate(emls):
            os.link(Path(folder) / name, box / "cur" / f"{n}.{i}.bench:2,S")
            count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--mails", type=int, default=10, help=".eml files per customer")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated workspace")
    args = parser.parse_args()

    with bench_folder(keep=args.keep, prefix="folder-kit-bench-peers-") as tmp:
        ws, env = prepare(tmp, args.customers, files_for(args.mails))
        exe = folder_kit_exe()
        fk = [exe, "-w", str(ws)]
        # (label, command, environment, what to do before it: None or a reset)
        rounds: list[tuple[str, list[str], dict[str, str], Step | None]] = [
            ("folder-kit scan --rebuild", [*fk, "scan", "--rebuild"], env, None),
            ("folder-kit scan (no change)", [*fk, "scan"], env, None),
        ]
        skipped = []
        notmuch = shutil.which("notmuch")
        if notmuch is None:
            skipped.append("notmuch: not installed (apt-get install notmuch)")
        else:
            config = tmp / "notmuch-config"
            db = tmp / "notmuch-db"
            config.write_text(
                f"[database]\nmail_root={ws}\npath={db}\n[user]\nname=Bench\n"
                "primary_email=bench@example.com\n[new]\ntags=unread;inbox;\n",
                encoding="utf-8",
            )
            nm_env = {**env, "NOTMUCH_CONFIG": str(config)}
            reset = ("sh", ["sh", "-c", f'rm -rf "{db}" && mkdir "{db}"'], nm_env)
            # Its notes on every file that is not mail go nowhere (stdout and stderr).
            new = ["sh", "-c", f'exec "{notmuch}" new --quiet 2>/dev/null']
            rounds.append(("notmuch new (cold)", new, nm_env, reset))
            rounds.append(("notmuch new (no change)", new, nm_env, None))
        mu = shutil.which("mu")
        if mu is None:
            skipped.append("mu: not installed (apt-get install maildir-utils)")
        else:
            maildirs = tmp / "maildirs"
            linked = maildir_view(ws, maildirs)
            print(f"mu's Maildirs: {linked} hard links to the workspace's .eml files")
            home = tmp / "mu-home"
            init = (
                "sh",
                ["sh", "-c", f'rm -rf "{home}" && "{mu}" init --quiet --muhome="{home}" '
                             f'--maildir="{maildirs}" >/dev/null'],
                env,
            )  # fmt: skip
            index = [mu, "index", "--quiet", f"--muhome={home}"]
            rounds.append(("mu index (cold)", index, env, init))
            rounds.append(("mu index (no change)", index, env, None))

        times: dict[str, list[float]] = {label: [] for label, *_ in rounds}
        cpus: dict[str, list[float]] = {label: [] for label, *_ in rounds}
        loads: dict[str, list[float]] = {label: [] for label, *_ in rounds}
        for _ in range(args.runs + 1):  # the first round warms the page cache
            for label, cmd, cmd_env, before in rounds:
                if before is not None:
                    subprocess.run(before[1], env=before[2], check=True, cwd=tmp)
                load = os.getloadavg()[0]
                wall, _, cpu = measured(cmd, cmd_env, cwd=tmp)
                times[label].append(wall)
                cpus[label].append(cpu)
                loads[label].append(load)

        emls = args.customers * args.mails
        print(f"machine: {machine()}")
        print(f"{args.customers} customers, {emls} .eml ({args.runs} rounds after a warm-up)")
        print(f"{'command':<30} {'median s':>9} {'min s':>7} {'cpu s':>7} {'load':>9}")
        med: dict[str, float] = {}
        for label in times:
            walls = times[label][1:]
            med[label] = statistics.median(walls)
            cpu = statistics.median(cpus[label][1:])
            seen = loads[label][1:]
            print(f"{label:<30} {med[label]:>9.3f} {min(walls):>7.3f} {cpu:>7.3f} "
                  f"{min(seen):>4.1f}-{max(seen):<4.1f}")  # fmt: skip
        cold, warm = med["folder-kit scan --rebuild"], med["folder-kit scan (no change)"]
        for peer in ("notmuch new", "mu index"):
            if f"{peer} (cold)" in med:
                print(
                    f"{peer}: {med[f'{peer} (cold)'] / cold:.1f}x folder-kit's cold scan, "
                    f"{med[f'{peer} (no change)'] / warm:.1f}x its no-change scan"
                )
        for reason in skipped:
            print(f"skipped {reason}")
        print(f"(load {os.getloadavg()[0]:.1f} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
