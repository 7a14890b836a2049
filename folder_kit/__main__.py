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
    from folder_kit.cli import main as run

    try:
        run()
    finally:
        # Python collects everything once more as it exits (7 ms after a reader):
        # what is left then is freed with the process. Everything this process
        # opened is closed by then (files, the index), each by its own `with`.
        gc.freeze()


if __name__ == "__main__":
    main()
