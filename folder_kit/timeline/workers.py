"""Worker processes for the scan: each takes every n-th task, answers through a
pipe of its own, and ends when the process that started it ends.

Not concurrent.futures' ProcessPoolExecutor: it wakes its manager thread with
empty messages on a pipe, which Wine's Windows pipes never deliver (the scan
then hung for good), and its workers watch nothing on Windows, where a parent's
death leaves ``os.getppid()`` unchanged. Here every message holds a pickled
answer, a worker that dies is seen by its process sentinel, and a worker
follows its parent by waiting on the parent's own sentinel, which every start
method gives (fork, forkserver, spawn).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # multiprocessing itself is imported when workers start, not by every scan
    from multiprocessing.connection import Connection

Task = TypeVar("Task")
Answer = TypeVar("Answer")

JOIN_SECONDS = 30.0  # how long a worker that has answered everything may take to end


class WorkerDiedError(RuntimeError):
    """A worker process ended without answering (killed, or out of memory)."""


def can_fork() -> bool:
    """Whether this process may fork: there is no fork on Windows, and forking
    beside other threads (the watcher's observer) can copy a held lock into the
    child."""
    return hasattr(os, "fork") and threading.active_count() == 1


def start_method() -> str:
    """fork where it may (fastest); else clean processes."""
    import multiprocessing

    if can_fork() and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class Workers(Generic[Task, Answer]):
    """``function(common, task)`` for every task, in ``count`` processes; the
    answers in the order of the tasks. Use as a context manager: leaving it ends
    every worker, answered or not."""

    def __init__(
        self,
        function: Callable[[Any, Task], Answer],
        common: Any,
        tasks: Sequence[Task],
        count: int,
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context(start_method())
        self._count = max(1, min(count, len(tasks)))
        self._total = len(tasks)
        self._procs: list[Any] = []
        self._readers: list[Connection] = []
        for n in range(self._count):
            reader, writer = context.Pipe(duplex=False)
            proc = context.Process(  # type: ignore[attr-defined]
                target=_work,
                args=(writer, function, common, list(tasks[n :: self._count])),
                daemon=True,
                name=f"folder-kit-worker-{n}",
            )
            proc.start()
            writer.close()  # the worker's end: EOF here once the worker is gone
            self._procs.append(proc)
            self._readers.append(reader)

    def __enter__(self) -> Workers[Task, Answer]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def answers(self) -> Iterator[Answer]:
        """Each task's answer, in the tasks' order; a worker's exception is raised here."""
        for i in range(self._total):
            yield self._receive(i % self._count)

    def _receive(self, n: int) -> Answer:
        from multiprocessing.connection import wait

        reader, proc = self._readers[n], self._procs[n]
        try:
            # The pipe first: a worker that answered and then ended is ready on both.
            if not reader.poll():
                wait([reader, proc.sentinel])
            ok, value = reader.recv()
        except (EOFError, OSError):  # Windows: BrokenPipeError, already from poll()
            proc.join(timeout=JOIN_SECONDS)
            raise WorkerDiedError(
                f"a scan worker process ended without answering (exit code {proc.exitcode})"
            ) from None
        if not ok:
            raise value
        answer: Answer = value
        return answer

    def close(self) -> None:
        for reader in self._readers:
            reader.close()
        for proc in self._procs:
            proc.join(timeout=JOIN_SECONDS)
            if proc.is_alive():
                proc.kill()
                proc.join()


def _work(
    writer: Connection, function: Callable[[Any, Task], Answer], common: Any, tasks: list[Task]
) -> None:
    """A worker's life: answer each task in turn, then end. An exception is the
    answer of its task, and the last."""
    _die_with_parent()
    try:
        for task in tasks:
            try:
                writer.send((True, function(common, task)))
            except Exception as e:
                writer.send((False, _picklable(e)))
                return
    except (BrokenPipeError, OSError):
        return  # the parent stopped listening: nothing left to do
    finally:
        writer.close()


def _picklable(e: Exception) -> Exception:
    import pickle

    try:
        pickle.loads(pickle.dumps(e))
    except Exception:
        return RuntimeError(f"{type(e).__name__}: {e}")
    return e


def _die_with_parent() -> None:
    """End this process when the one that started it ends, however it ends: a
    killed scan must not leave its workers running."""
    import multiprocessing

    if sys.platform.startswith("linux"):
        # SIGKILL at once when the parent dies. Linux only: elsewhere there is no
        # prctl (and on Windows ctypes cannot even open the program itself).
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, 9)
        except (OSError, AttributeError):
            pass
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - a worker always has one
        return

    def follow() -> None:
        parent.join()  # waits on the parent's sentinel: a handle on Windows, a pipe elsewhere
        os._exit(1)

    threading.Thread(target=follow, daemon=True, name="folder-kit-follow-parent").start()
