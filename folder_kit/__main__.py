"""``folder-kit`` and ``python -m folder_kit``: the garbage collector set up before
anything else is imported, then the command line (``folder_kit.cli``)."""

import gc


def main() -> None:
    # A command makes many objects and next to no cycles (rows, events, jobs:
    # tuples of strings), while the collector by default runs every 700 new
    # objects and goes over all the older ones again as they grow: 5-7 % of a
    # reader at 10,000 customers. A pass every 200,000, as mypy does, keeps memory
    # bounded all the same. Set before click and the package are imported, whose
    # imports alone made six passes (about 8 ms).
    gc.set_threshold(200_000, 30, 30)
    if _answered():
        return
    from folder_kit.cli import main as run

    try:
        run()
    finally:
        # Python collects everything once more as it exits (7 ms after a reader):
        # what is left then is freed with the process. Everything this process
        # opened is closed by then (files, the index), each by its own `with`.
        gc.freeze()


def _answered() -> bool:
    """Whether the watcher running on the workspace answered this command (a reader
    it serves, ``answers``), and its answer was written: then nothing else
    is imported (click, the config, the rules)."""
    import sys

    if "--json" not in sys.argv:  # every reader answered writes JSON; --help loads none of it
        return False
    from folder_kit.answers import ask

    answer = ask(sys.argv[1:])
    if answer is None:
        return False
    try:
        sys.stdout.buffer.write(answer)
        sys.stdout.flush()
    except BrokenPipeError:  # `folder-kit due --json | head`: quietly, as click does
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    return True


if __name__ == "__main__":
    main()
