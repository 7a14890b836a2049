"""Running readers: in this process a batch at a time, or in worker processes
(``timeline.workers``) for many customers the index has never seen."""

from __future__ import annotations

from collections.abc import Iterator

from folder_kit.timeline.index import Changes, Index
from folder_kit.timeline.reader import Job, Reader, Result
from folder_kit.workspace.find import Workspace

# Worker processes pay off for this many customers the index has never seen
# (each of their mails is opened and parsed). Checking a known customer is a
# handful of stat calls, which more processes do not make faster.
PARALLEL_MIN = 400
CHUNK = 250  # customers per task sent to a worker process
BATCH = 100  # customers between progress reports in this process


def read_here(
    ws: Workspace, index: Index, jobs: list[Job], now_ns: int, of: int | None = None
) -> Iterator[Result]:
    """Read ``jobs`` here, a batch at a time; ``of``: how many customers they are
    what is left of, the others found unchanged already (counted as done first)."""
    if of is not None and of > len(jobs):
        yield Changes(), 0, of - len(jobs)
    reader = Reader(ws, index, now_ns=now_ns)
    for start in range(0, len(jobs), BATCH):
        batch = jobs[start : start + BATCH]
        for job in batch:
            reader.customer(job)
        yield reader.take(len(batch))


def read_in_processes(
    ws: Workspace,
    chunks: list[list[Job]],
    workers: int,
    now_ns: int,
    meanwhile: Iterator[Result],
) -> Iterator[Result]:
    from folder_kit.timeline.workers import Workers

    with Workers(_read_task, (ws, now_ns), chunks, workers) as pool:
        yield from meanwhile
        yield from pool.answers()


def _read_task(common: tuple[Workspace, int], jobs: list[Job]) -> Result:
    ws, now_ns = common
    return _read_chunk(ws, jobs, now_ns)


def _read_chunk(ws: Workspace, jobs: list[Job], now_ns: int) -> Result:
    """A worker process's part: read customers the index has never seen (so it
    needs no look at the index). One reader serves all of a worker's chunks of a
    scan: making one compiles the keyword lists (0.7 ms), and what it has learnt
    (each subject's topic) serves the next chunk too."""
    global _reader
    reader = _reader
    if reader is None or reader.ws is not ws or reader.now_ns != now_ns:
        reader = _reader = Reader(ws, None, now_ns=now_ns)
    for job in jobs:
        reader.customer(job)
    return reader.take(len(jobs))


_reader: Reader | None = None  # a worker's, for the chunks of one scan
