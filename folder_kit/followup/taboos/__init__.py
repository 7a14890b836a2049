"""The course's taboos and the findings that come with them, one module each.

Importing the package registers them, in the order docs/cli.md lists the codes:
that is the order `check` runs them and lists what it finds.
"""

from __future__ import annotations

from folder_kit.followup.taboos import (
    blind_follow_up,
    change_approach,
    evaporated,
    gave_up,
    repeated_topic,
    single_medium,
    suggest_grade,
    too_direct,
    too_long,
    too_short,
)
from folder_kit.followup.taboos.registry import (
    TABOOS,
    Seen,
    Taboo,
    check_timeline,
    code_names,
    count_codes,
    register,
    worst_first,
)

for _module in (
    too_direct,
    repeated_topic,
    blind_follow_up,
    gave_up,
    too_short,
    too_long,
    single_medium,
    evaporated,
    change_approach,
    suggest_grade,
):
    register(_module.TABOO)

__all__ = [
    "TABOOS",
    "Seen",
    "Taboo",
    "check_timeline",
    "code_names",
    "count_codes",
    "register",
    "worst_first",
]
