"""How targets and actuals are shown (数字格式): as the forms print them.
Shared by `explain` and every renderer, so all of them show one figure alike."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.base.numeric import fmt_money, fmt_percent, fmt_score


def show_value(value: Any, value_type: str, unit: str | None = None) -> str:
    """A target or actual as the forms print it: 93.59%, 3,921.33, 15500人."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    if value_type == "percent":
        return fmt_percent(value)
    if value_type == "money":
        return fmt_money(value)
    text = fmt_score(value, 4)
    return f"{text}{unit}" if unit and unit != "%" else text


def show_target(result) -> str:
    """The target with its operator (指标性质): ≥100%, ≤5%, 按期完成."""
    node = result.node
    if result.target is None:
        return ""
    text = show_value(result.target, node.value_type, node.unit)
    if isinstance(result.target, Decimal) and node.operator in ("≥", "≤", "="):
        return f"{node.operator}{text}" if node.operator != "=" else text
    return text
