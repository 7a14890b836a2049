"""Running readers: in this process a batch at a time, or in worker processes
(``timeline.workers``) for many customers the index has never seen."""

from __future__ import annotations

import marshal
from collections.abc import Iterator

from folder_kit.timeline.index import Changes, CustomerRow, GradeRow, Index, WarningRow
from folder_kit.timeline.reader import GradeMove, Job, Reader, Result
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
    if not jobs:
        return  # no reader to make (a cold scan's workers read everything)
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
        for packed in pool.answers():
            yield _unpacked(packed)


def _read_task(common: tuple[Workspace, int], jobs: list[Job]) -> bytes:
    ws, now_ns = common
    return _packed(_read_chunk(ws, jobs, now_ns))


# What a worker sends back is marshalled, not pickled: its rows are plain tuples
# of text and numbers, which marshal writes and reads in less than half pickle's
# time (1.4 -> 0.75 us a row, both ends). Its NamedTuples cross as plain tuples
# and are made again here.


def _packed(result: Result) -> bytes:
    c, new_events, count = result
    return marshal.dumps(
        (
            [tuple(row) for row in c.customers],
            c.gone_customers,
            c.gone_dirs,
            c.files,
            c.gone_files,
            {key: [tuple(row) for row in rows] for key, rows in c.grades.items()},
            [tuple(row) for row in c.warnings],
            c.addresses,
            c.seen,
            c.cleared,
            c.no_drafts,
            c.placeholders,
            [tuple(move) for move in c.moves],
            new_events,
            count,
        )
    )


def _unpacked(data: bytes) -> Result:
    (
        customers, gone_customers, gone_dirs, files, gone_files, grades, warnings,
        addresses, seen, cleared, no_drafts, placeholders, moves, new_events, count,
    ) = marshal.loads(data)  # fmt: skip
    changes = Changes(
        customers=[CustomerRow._make(row) for row in customers],
        gone_customers=gone_customers,
        gone_dirs=gone_dirs,
        files=files,
        gone_files=gone_files,
        grades={key: [GradeRow._make(row) for row in rows] for key, rows in grades.items()},
        warnings=[WarningRow._make(row) for row in warnings],
        addresses=addresses,
        seen=seen,
        cleared=cleared,
        no_drafts=no_drafts,
        placeholders=placeholders,
        moves=[GradeMove._make(move) for move in moves],
    )
    return changes, new_events, count


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
