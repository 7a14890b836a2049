"""A grade to change: the events since the last move earn a higher grade."""

from __future__ import annotations

from folder_kit.followup.rules import Finding, suggest_grade
from folder_kit.followup.taboos.registry import Seen, Taboo, file_name

ZH_BASIS = {
    "order": "有订单",
    "quote": "有报价",
    "pi": "有 PI",
    "in": "客户回复了",
    "out": "已首次联系",
}


def check(s: Seen) -> Finding | None:
    suggestion = suggest_grade(s.tl, today=s.today)
    if suggestion is None:
        return None
    proof = next(e for e in s.events if e.path == suggestion.evidence[0])
    return s.finding(
        "suggest-grade",
        f"{suggestion.why}: move from {suggestion.from_grade} to {suggestion.to_grade}",
        [e for e in s.events if e.path in suggestion.evidence],
        f"Move the folder to the grade {suggestion.to_grade} folder, or run "
        f'`folder-kit customer move "{s.tl.customer}" --grade {suggestion.to_grade}`.',
        basis=proof.kind,
        file=file_name(proof.path),
        day=proof.day,
        source=suggestion.from_grade,
        target=suggestion.to_grade,
    )


def zh_data(data: dict[str, object]) -> dict[str, object]:
    data["basis"] = ZH_BASIS.get(str(data.get("basis")), data.get("basis"))
    return data


TABOO = Taboo(
    code="suggest-grade",
    names={"zh": "建议调整等级", "en": "grade to change"},
    zh=(
        "{basis}（{file}，{day}）：建议从 {source} 级调到 {target} 级",
        "把文件夹移到 {target} 级文件夹，或运行 `folder-kit customer move NAME --grade {target}`。",
    ),
    check=check,
    zh_data=zh_data,
    advice=True,
)
