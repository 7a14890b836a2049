"""Mail import benchmark: `folder-kit mail import` of one large mbox, against the
standard library alone reading the same mbox and writing each message to a file.

Generates a workspace of C customers (each with a card of one or two addresses
at a domain of its own) and an mbox of M messages: received from and sent to
the customers, a few from strangers and among colleagues, with bodies of 2-20
KB and, on every tenth message, an attachment of 20-300 KB. Then times, as
whole commands in one run:

    floor   python: mailbox.mbox(PATH), get_bytes() of each message, written to a file
    cold    folder-kit mail import PATH --json     (a new workspace and state folder)
    again   folder-kit mail import PATH --json     (the same again: every message known)

and prints messages per second, the ratio to the floor and each command's
peak resident set (Linux: wait4's ru_maxrss). Run:

    .venv/bin/python bench/mail_import.py --messages 20000 --customers 200
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed import installed_env

FLOOR = """
import mailbox, sys
box = mailbox.mbox(sys.argv[1], create=False)
out = sys.argv[2]
for n, key in enumerate(box.iterkeys()):
    with open(f"{out}/{n}.eml", "wb") as f:
        f.write(box.get_bytes(key))
"""

WORDS = [
    "price",
    "quotation",
    "samples",
    "order",
    "shipment",
    "container",
    "lead",
    "time",
    "MOQ",
    "LED",
    "panel",
    "flood",
    "light",
    "certificate",
    "CE",
    "RoHS",
    "warranty",
    "payment",
    "deposit",
    "balance",
    "invoice",
    "packing",
    "carton",
    "pallet",
    "FOB",
    "CIF",
    "Ningbo",
    "Shanghai",
    "factory",
    "inspection",
    "drawing",
    "specification",
    "lumen",
    "driver",
    "housing",
]
SUBJECTS = [
    "Inquiry for LED panels",
    "Quotation QT-{n}",
    "Re: Quotation QT-{n}",
    "Samples shipped by DHL",
    "PI-{n} for your confirmation",
    "Re: Order {n} - shipment schedule",
    "New price list 2027",
    "Canton Fair invitation",
]


def generate(root: Path, mbox: Path, *, messages: int, customers: int, seed: int = 1) -> int:
    """The workspace and the mbox; returns the mbox's size in bytes."""
    rng = random.Random(seed)
    me = "lilei@suzhou-example.cn"
    subprocess.run(
        [sys.executable, "-m", "folder_kit", "init", str(root)], check=True, capture_output=True
    )
    config = root / "folder-kit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('  email: ""', f"  email: {me}", 1),
        encoding="utf-8",
    )
    grades = ["A-交易客户", "B-在谈客户", "C-潜力客户", "D-行业客户", "待开发客户"]
    addresses = []
    for i in range(customers):
        folder = root / "客户" / grades[i % 5] / f"Customer {i:03d} Ltd"
        for sub in ("OUT", "IN", "报价", "PI", "定单"):
            (folder / sub).mkdir(parents=True)
        mine = [f"buyer@cust{i:03d}.example", f"purchasing{i}@cust{i:03d}.example"]
        card = f"Company: Customer {i:03d} Ltd\nName: Buyer {i}\nEmail: {mine[0]}\n"
        if i % 2:
            card += f"---\nName: Purchasing {i}\nEmail: {mine[1]}\n"
        (folder / "Contact.txt").write_text(card, encoding="utf-8")
        addresses.append(mine)
    blob = base64.encodebytes(rng.randbytes(400 * 1024))  # attachments are slices of it
    size = 0
    with mbox.open("wb") as out:
        for n in range(messages):
            kind = rng.random()
            customer = rng.choice(addresses)
            # Many write from a second address at their domain: matched by the domain.
            them = customer[rng.random() < 0.3]
            if kind < 0.6:
                sender, to = them, me
            elif kind < 0.85:
                sender, to = me, them
            elif kind < 0.95:
                sender, to = f"someone{n % 500}@stranger{n % 300}.example", me
            else:
                sender, to = me, "colleague@suzhou-example.cn"
            day, hour = 1 + n % 28, n % 24
            month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")[n % 6]
            subject = rng.choice(SUBJECTS).format(n=n)
            text = " ".join(rng.choices(WORDS, k=rng.randint(300, 3000)))
            body = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
            head = (
                f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
                f"Date: Mon, {day} {month} 2026 {hour:02d}:15:00 +0800\n"
                f"Message-ID: <{n}.bench@{sender.split('@')[1]}>\nMIME-Version: 1.0\n"
            )
            if n % 10 == 0:
                attachment = blob[: rng.randint(20, 300) * 1024]
                message = (
                    (
                        head
                        + 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
                        + "Content-Type: text/plain; charset=utf-8\n\n"
                        + body
                        + "\n--b\nContent-Type: application/pdf; name=spec.pdf\n"
                        + "Content-Transfer-Encoding: base64\n\n"
                    ).encode()
                    + attachment
                    + b"--b--\n"
                )
            else:
                message = (
                    head + "Content-Type: text/plain; charset=utf-8\n\n" + body + "\n"
                ).encode()
            data = b"From bench Mon Mar  2 10:00:00 2026\n" + message + b"\n"
            out.write(data)
            size += len(data)
    return size


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall-clock seconds and peak RSS (KiB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        assert proc.stderr is not None
        raise SystemExit(f"{' '.join(argv[:4])}... failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1, help="runs of each command (median)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="folder-kit-bench-mail-"))
    try:
        template, mbox = tmp / "template", tmp / "export.mbox"
        size = generate(template, mbox, messages=args.messages, customers=args.customers)
        print(
            f"{args.messages} messages, {size / 2**20:.0f} MiB of mbox, {args.customers} customers"
        )
        env = installed_env(os.environ, tmp / "pycache")
        results: dict[str, list[tuple[float, int]]] = {"floor": [], "cold": [], "again": []}
        for run in range(args.runs):
            out = tmp / f"floor-{run}"
            out.mkdir()
            results["floor"].append(timed([sys.executable, "-c", FLOOR, str(mbox), str(out)], env))
            shutil.rmtree(out)
            ws = tmp / f"ws-{run}"
            shutil.copytree(template, ws)
            run_env = {**env, "FOLDER_KIT_STATE": str(tmp / f"state-{run}")}
            command = [sys.executable, "-m", "folder_kit", "-w", str(ws), "mail", "import"]
            results["cold"].append(timed([*command, str(mbox), "--json"], run_env))
            results["again"].append(timed([*command, str(mbox), "--json"], run_env))
            shutil.rmtree(ws)
        floor = sorted(t for t, _ in results["floor"])[len(results["floor"]) // 2]
        print(f"{'':6} {'seconds':>8} {'msg/s':>8} {'× floor':>8} {'peak RSS':>9}")
        for name, runs in results.items():
            seconds = sorted(t for t, _ in runs)[len(runs) // 2]
            rss = max(r for _, r in runs)
            print(
                f"{name:6} {seconds:8.2f} {args.messages / seconds:8.0f} "
                f"{seconds / floor:8.2f} {rss / 1024:6.0f} MiB"
            )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
