"""The environment the benchmarks run commands in: that of an installed package.

A wheel installed by pip has its bytecode compiled at install time, so a command
starts without compiling any module. A dev checkout may not: an editable install
compiles the package on first import and caches it in ``__pycache__``, unless
``PYTHONDONTWRITEBYTECODE`` is set (as on this project's machines), in which case
every run compiles every module of the package again, 30-40 ms that no installed
copy pays. The benchmarks therefore give their commands a private bytecode cache
(``PYTHONPYCACHEPREFIX``, in the benchmark's temporary folder) and let them write
to it; the warm-up run fills it, and the timed runs read it, as an installed copy
would. Nothing is written into the source tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def installed_env(env: Mapping[str, str], cache: Path) -> dict[str, str]:
    """``env`` with a bytecode cache of its own in ``cache`` that commands may write."""
    out = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPYCACHEPREFIX"] = str(cache)
    return out
