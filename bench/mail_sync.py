"""IMAP sync benchmark: `folder-kit mail sync` against mbsync (isync), the reference
IMAP-to-disk tool, on the same local Dovecot.

Starts a Dovecot on 127.0.0.1 as the tests do (tests/dovecot.py), with M messages
written straight into its Maildir before it starts (INBOX three fifths, Sent the
rest): real mail's headers (Received, DKIM-Signature, Authentication-Results, X-
Mailer, threads with In-Reply-To and References, Chinese subjects as encoded
words), multipart/alternative bodies of 2-50 KB, and every twelfth message an
attachment of 50-500 KB. A workspace of C customers, each with a Contact.txt at a
domain of its own; about half the mail concerns them, the rest is newsletters,
strangers and colleagues. Dovecot's index is built before anything is timed (an
EXAMINE and a FETCH of every message's flags and size), so that neither tool pays
for it. Then, as whole commands, in one run, interleaved:

    mbsync first        mbsync -a into an empty Maildir (Sync Pull, Create Near)
    mbsync again        the same again: nothing new
    folder-kit first    folder-kit mail sync --json, into a new workspace and state folder
    folder-kit again    the same again: nothing new

and prints seconds, messages per second (of all messages on the server), the ratio
to mbsync, and each command's peak resident set (Linux: wait4's ru_maxrss, the
largest of the process and its children). The goal: a first sync within 1.5× of
mbsync's, a nothing-new sync within 2×.

    .venv/bin/python bench/mail_sync.py                       # 10,000 messages, 200 customers
    .venv/bin/python bench/mail_sync.py --messages 2000 --runs 3
    .venv/bin/python bench/mail_sync.py --only mbsync         # without folder-kit's half

Needs dovecot (dovecot-imapd) and mbsync (isync) installed.
"""

from __future__ import annotations

import argparse
import base64
import email.header
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed import installed_env
from mail_import import SUBJECTS, WORDS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
# The tests' server, on purpose the same one.
from dovecot import Dovecot  # type: ignore[import-not-found]

ME = "lilei@example.cn"  # tests/dovecot.py's user: the account's own address
GRADES = ["A-交易客户", "B-在谈客户", "C-潜力客户", "D-行业客户", "待开发客户"]
CHINESE_SUBJECTS = ["关于LED面板的询价", "样品已发出", "新价格表", "广交会邀请函", "订单发货安排"]
MAILERS = ["Microsoft Outlook 16.0", "Foxmail 7.2.25", "Apple Mail (2.3774)", "QQMail 2.x", ""]


def customer_addresses(customers: int) -> list[list[str]]:
    return [
        [f"buyer@cust{i:03d}.example", f"purchasing@cust{i:03d}.example"] for i in range(customers)
    ]


def make_workspace(root: Path, customers: int, *, port: int, password_file: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "folder_kit", "init", str(root)], check=True, capture_output=True
    )
    config = root / "folder-kit.yaml"
    text = config.read_text(encoding="utf-8").replace('  email: ""', f"  email: {ME}", 1)
    account = (
        "  accounts:\n    work:\n      host: 127.0.0.1\n"
        f"      port: {port}\n      security: none\n      user: {ME}\n"
        f"      folders: [INBOX, Sent]\n      password_command: cat {password_file}\n"
    )
    text = text.replace("\nmail:\n", "\nmail:\n" + account, 1)
    config.write_text(text, encoding="utf-8")
    for i, (first, _) in enumerate(customer_addresses(customers)):
        folder = root / "客户" / GRADES[i % 5] / f"Customer {i:03d} Ltd"
        for sub in ("OUT", "IN"):
            (folder / sub).mkdir(parents=True)
        card = f"Company: Customer {i:03d} Ltd\nName: Buyer {i}\nEmail: {first}\nCountry: DE\n"
        (folder / "Contact.txt").write_text(card, encoding="utf-8")


def make_message(
    rng: random.Random, n: int, *, sent: bool, customers: list[list[str]], blob: bytes
) -> bytes:
    """One message as a real mail server stores it, CRLF line ends."""
    kind = rng.random()
    if kind < 0.5:
        them = rng.choice(customers)[rng.random() < 0.3]
    elif kind < 0.85:
        them = (
            f"news{n % 97}@newsletter{n % 41}.example"
            if not sent
            else f"agent{n % 300}@forwarder{n % 50}.example"
        )
    else:
        them = f"colleague{n % 7}@example.cn"
    sender, to = (ME, them) if sent else (them, ME)
    domain = sender.split("@")[1]
    day, hour, minute = 1 + n % 28, n % 24, n % 60
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct")[n % 10]
    date = f"{('Mon', 'Tue', 'Wed', 'Thu', 'Fri')[n % 5]}, {day} {month} 2026 {hour:02d}:{minute:02d}:17 +0800"
    if rng.random() < 0.2:
        subject = email.header.Header(rng.choice(CHINESE_SUBJECTS) + f" {n}", "utf-8").encode()
    else:
        subject = rng.choice(SUBJECTS).format(n=n)
    mid = f"<{n}.{rng.getrandbits(48):012x}@{domain}>"
    lines = [
        f"Return-Path: <{sender}>",
        f"Received: from mx{n % 9}.{domain} (mx{n % 9}.{domain} [203.0.113.{n % 250}])\r\n"
        f"\tby imap.example.cn (Postfix) with ESMTPS id {rng.getrandbits(40):010X}\r\n"
        f"\tfor <{to}>; {date}",
        f"Received: from [192.168.1.{n % 250}] (unknown [198.51.100.{n % 250}])\r\n"
        f"\tby mx{n % 9}.{domain} (Postfix) with ESMTPSA id {rng.getrandbits(40):010X};\r\n\t{date}",
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=default;\r\n"
        f"\tt={1760000000 + n}; bh={base64.b64encode(rng.randbytes(32)).decode()};\r\n"
        f"\th=From:To:Subject:Date:Message-ID;\r\n"
        f"\tb={base64.b64encode(rng.randbytes(128)).decode()}",
        f"Authentication-Results: imap.example.cn; dkim=pass header.d={domain}; spf=pass",
        f"From: {sender.split('@')[0].title()} <{sender}>",
        f"To: <{to}>",
        f"Subject: {subject}",
        f"Date: {date}",
        f"Message-ID: {mid}",
    ]
    if subject.startswith("Re:"):
        ref = f"<{max(0, n - 7)}.ref@{them.split('@')[1]}>"
        lines += [f"In-Reply-To: {ref}", f"References: {ref}"]
    mailer = rng.choice(MAILERS)
    if mailer:
        lines.append(f"X-Mailer: {mailer}")
    lines.append("MIME-Version: 1.0")
    words = " ".join(rng.choices(WORDS, k=rng.randint(150, 3500)))  # 1-25 KB of text
    text = "\r\n".join(words[i : i + 76] for i in range(0, len(words), 76))
    html = "<html><body><p>" + text.replace("\r\n", "<br>\r\n") + "</p></body></html>"
    alternative = (
        '--alt\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n'
        f'{text}\r\n--alt\r\nContent-Type: text/html; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: 7bit\r\n\r\n{html}\r\n--alt--\r\n"
    )
    if n % 12 == 0:
        size = rng.randint(50, 500) * 1024 // 77 * 77
        attachment = blob[:size]
        head = "\r\n".join([*lines, 'Content-Type: multipart/mixed; boundary="mix"']) + "\r\n\r\n"
        body = (
            (
                '--mix\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n'
                + alternative
                + '--mix\r\nContent-Type: application/pdf; name="spec.pdf"\r\n'
                + 'Content-Disposition: attachment; filename="spec.pdf"\r\n'
                + "Content-Transfer-Encoding: base64\r\n\r\n"
            ).encode()
            + attachment
            + b"\r\n--mix--\r\n"
        )
        return head.encode() + body
    head = "\r\n".join([*lines, 'Content-Type: multipart/alternative; boundary="alt"']) + "\r\n\r\n"
    return (head + alternative).encode()


def fill_maildir(server: Dovecot, *, messages: int, customers: int, seed: int = 1) -> int:
    """Write the messages into the stopped server's Maildir (INBOX, Sent); returns bytes."""
    rng = random.Random(seed)
    addresses = customer_addresses(customers)
    blob = base64.encodebytes(rng.randbytes(400 * 1024)).replace(b"\n", b"\r\n")
    total = 0
    inbox = messages * 3 // 5
    for folder, count, sent in (
        (server.maildir, inbox, False),
        (server.maildir / "Sent", messages - inbox, True),
    ):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for n in range(count):
            data = make_message(
                rng, n + (0 if not sent else inbox), sent=sent, customers=addresses, blob=blob
            )
            name = f"{1760000000 + n}.M{n}P1.bench,S={len(data)}:2,S"
            (folder / "cur" / name).write_bytes(data)
            total += len(data)
    for dirpath, dirnames, filenames in os.walk(server.home):
        for name in [*dirnames, *filenames]:
            os.chown(os.path.join(dirpath, name), server.uid, server.gid)
    return total


def warm(server: Dovecot) -> None:
    """Let Dovecot index both folders before anything is timed."""
    with server.client() as imap:
        for folder in ("INBOX", "Sent"):
            typ, _ = imap.select(folder, readonly=True)
            assert typ == "OK", folder
            typ, _ = imap.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE)")
            assert typ == "OK"


def mbsync_config(path: Path, server: Dovecot, *, target: Path, password_file: Path) -> None:
    path.write_text(
        f"IMAPAccount bench\nHost 127.0.0.1\nPort {server.port}\nUser {server.user}\n"
        f'PassCmd "cat {password_file}"\nSSLType None\nAuthMechs PLAIN\n\n'
        "IMAPStore remote\nAccount bench\n\n"
        f"MaildirStore local\nPath {target}/\nInbox {target}/INBOX\nSubFolders Verbatim\n\n"
        "Channel bench\nFar :remote:\nNear :local:\nPatterns INBOX Sent\n"
        "Sync Pull\nCreate Near\nSyncState *\n",
        encoding="utf-8",
    )


def timed(argv: list[str], env: dict[str, str], out: Path) -> tuple[float, int]:
    """Wall-clock seconds and peak RSS (KiB) of one command and its children; its
    output goes to ``out``."""
    start = time.perf_counter()
    with out.open("wb") as stdout:
        proc = subprocess.Popen(argv, env=env, stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        assert proc.stderr is not None
        raise SystemExit(f"{' '.join(argv[:6])}... failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss


def on_disk(target: Path) -> int:
    """How many messages mbsync wrote into the Maildir."""
    return sum(len(os.listdir(d)) for d in target.rglob("*") if d.name in ("cur", "new"))


def filed(out: Path) -> str:
    """What `mail sync --json` said it read and filed."""
    result = json.loads(out.read_text(encoding="utf-8"))
    return (
        f"{result['messages']} messages read, {len(result['filed'])} filed, "
        f"{result['known']} known, {result['unmatched']} unmatched, {result['internal']} internal"
    )


def version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "?"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0]
        if (done.stdout or done.stderr)
        else "?"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages", type=int, default=10_000, help="on the server, INBOX and Sent"
    )
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1, help="runs of each command (median)")
    parser.add_argument("--only", choices=["mbsync", "folder-kit"], help="time one tool only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    mbsync = shutil.which("mbsync")
    if mbsync is None and args.only != "folder-kit":
        raise SystemExit("mbsync is not installed (apt-get install isync)")
    tmp = Path(tempfile.mkdtemp(prefix="folder-kit-bench-sync-"))
    server = Dovecot(folders={"Sent": "\\Sent", "Drafts": "\\Drafts"})
    try:
        server.stop()
        size = fill_maildir(server, messages=args.messages, customers=args.customers)
        server.start()
        t = time.perf_counter()
        warm(server)
        print(
            f"{args.messages} messages ({size / 2**20:.0f} MiB) in INBOX and Sent, "
            f"{args.customers} customers; Dovecot indexed them in {time.perf_counter() - t:.1f} s"
        )
        password_file = tmp / "password"
        password_file.write_text(server.password + "\n", encoding="utf-8")
        template = tmp / "template"
        make_workspace(template, args.customers, port=server.port, password_file=password_file)
        env = installed_env(os.environ, tmp / "pycache")
        results: dict[str, list[tuple[float, int]]] = {}
        tools = [args.only] if args.only else ["mbsync", "folder-kit"]
        log = tmp / "output"
        for run in range(args.runs):
            for tool in tools:
                if tool == "mbsync":
                    assert mbsync is not None
                    target = tmp / f"maildir-{run}"
                    target.mkdir()
                    config = tmp / f"mbsyncrc-{run}"
                    mbsync_config(config, server, target=target, password_file=password_file)
                    command = [mbsync, "-q", "-c", str(config), "-a"]
                    results.setdefault("mbsync first", []).append(timed(command, env, log))
                    got = on_disk(target)
                    results.setdefault("mbsync again", []).append(timed(command, env, log))
                    print(f"mbsync, run {run + 1}: {got} messages in the Maildir")
                    shutil.rmtree(target)
                else:
                    ws = tmp / f"ws-{run}"
                    shutil.copytree(template, ws)
                    run_env = {**env, "FOLDER_KIT_STATE": str(tmp / f"state-{run}")}
                    command = [
                        sys.executable,
                        "-m",
                        "folder_kit",
                        "-w",
                        str(ws),
                        "mail",
                        "sync",
                        "--json",
                    ]
                    results.setdefault("folder-kit first", []).append(timed(command, run_env, log))
                    said = filed(log)
                    results.setdefault("folder-kit again", []).append(timed(command, run_env, log))
                    print(f"folder-kit, run {run + 1}: {said}; again: {filed(log)}")
                    shutil.rmtree(ws)
        medians = {
            name: sorted(t for t, _ in runs)[len(runs) // 2] for name, runs in results.items()
        }
        print(f"{'':18} {'seconds':>8} {'msg/s':>8} {'× mbsync':>9} {'peak RSS':>9}")
        for name, runs in results.items():
            seconds = medians[name]
            reference = medians.get(f"mbsync {name.split()[-1]}")
            ratio = f"{seconds / reference:9.2f}" if reference else f"{'':9}"
            rss = max(r for _, r in runs)
            print(
                f"{name:18} {seconds:8.2f} {args.messages / seconds:8.0f} {ratio} {rss / 1024:6.0f} MiB"
            )
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"({args.runs} run(s) each, interleaved; {os.cpu_count()} cores, load {load:.1f}; "
            f"{platform.python_implementation()} {platform.python_version()}; "
            f"{version([server._binary, '--version'])} Dovecot; {version([mbsync or 'mbsync', '--version'])})"
        )
    finally:
        server.close()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
