"""Filling a jixiao template the way a unit does (openpyxl), from a YAML unit
file's data: the round-trip tests and benchmarks/forms.py use it."""
from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

_ROOT = Path(__file__).resolve().parent.parent

_NUMBER = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?")


def typed(value: Any) -> Any:
    """A value as a person types it into Excel: numbers as numbers (a
    percentage as its fraction, shown 0.00%), text as text, blank as None."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if text.endswith("%") and _NUMBER.fullmatch(text[:-1]):
            return Decimal(text[:-1].replace(",", "")) / 100
        if _NUMBER.fullmatch(text):
            return Decimal(text.replace(",", ""))
    return value


def _lookup(raw: dict, path: tuple, keys: dict[str, str]) -> Any:
    node: Any = raw
    for i, key in enumerate(path):
        if isinstance(node, list) and isinstance(key, int):
            node = node[key] if key < len(node) else None
            continue
        if not isinstance(node, dict):
            return None
        if i == 1 and path[0] == "indicators":
            key = keys.get(key, key)
        node = node.get(key)
        if node is None:
            return None
    return node


def stamp(wb) -> dict:
    out: dict = {"inputs": [], "regions": []}
    for row in wb["jixiao"].iter_rows(values_only=True, max_col=6):
        if row[0] == "input":
            out["inputs"].append((row[1], row[2], tuple(json.loads(row[3]))))
        elif row[0] == "region":
            out["regions"].append((row[1], json.loads(row[2])))
    return out


def fill(template: bytes, raw: dict, names: dict[str, str] | None = None, stated: dict | None = None) -> bytes:
    """The template filled with a unit's data (`raw` as loaded from YAML);
    `names` maps an indicator key to the name the data file uses for it."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    s = stamp(wb)
    data = dict(raw)
    if stated:
        data["stated"] = stated
    for sheet, coord, path in s["inputs"]:
        value = _lookup(data, path, names or {})
        if isinstance(value, (dict, list)):
            continue
        wb[sheet][coord].value = typed(value)
    for sheet, spec in s["regions"]:
        ws = wb[sheet]
        if spec["type"] == "table":
            root = (data.get("tables") or {}).get(spec["table"]) or {}
            r = spec["first"]

            def walk(rows, depth):
                nonlocal r
                for row in rows:
                    ws[f"{spec['level']}{r}"].value = depth
                    ws[f"{spec['name']}{r}"].value = row.get("name")
                    if spec.get("category") and row.get("category"):
                        ws[f"{spec['category']}{r}"].value = row["category"]
                    for letter, col in spec["columns"].items():
                        if col in row:
                            ws[f"{letter}{r}"].value = typed(row[col])
                    r += 1
                    walk(row.get("rows") or [], depth + 1)

            walk(root.get("rows") or [], 1)
        elif spec["type"] == "rows":
            for i, row in enumerate(data.get("indicator_rows") or []):
                r = spec["first"] + i
                for letter, f in spec["columns"].items():
                    if f in row:
                        v = row[f]
                        ws[f"{letter}{r}"].value = v if f in ("target", "actual") and isinstance(v, str) and not v.endswith("%") else typed(v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def fill_docx(template: bytes, raw: dict, stamp_rows: list[tuple], names: dict[str, str] | None = None) -> bytes:
    """A Word template filled with a unit's data (python-docx), at the places
    the layout (`stamp_rows` laid out for Word) gives."""
    import docx
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    doc = docx.Document(io.BytesIO(template))

    def cell(sheet: str, coord: str):
        letters, row = coordinate_from_string(coord)
        return doc.tables[int(sheet[1:]) - 1].cell(row - 1, column_index_from_string(letters) - 1)

    for row in stamp_rows:
        if row[0] == "input":
            value = _lookup(raw, tuple(json.loads(row[3])), names or {})
            if value is not None and not isinstance(value, (dict, list)):
                cell(row[1], row[2]).text = _text(value)
        elif row[0] == "region":
            sheet, spec = row[1], json.loads(row[2])
            if spec["type"] == "table":
                root = (raw.get("tables") or {}).get(spec["table"]) or {}
                r = spec["first"]

                def walk(rows, depth):
                    nonlocal r
                    for item in rows:
                        cell(sheet, f"{spec['level']}{r}").text = str(depth)
                        cell(sheet, f"{spec['name']}{r}").text = _text(item.get("name"))
                        if spec.get("category") and item.get("category"):
                            cell(sheet, f"{spec['category']}{r}").text = item["category"]
                        for letter, col in spec["columns"].items():
                            if col in item:
                                cell(sheet, f"{letter}{r}").text = _text(item[col])
                        r += 1
                        walk(item.get("rows") or [], depth + 1)

                walk(root.get("rows") or [], 1)
            else:
                for i, item in enumerate(raw.get("indicator_rows") or []):
                    for letter, f in spec["columns"].items():
                        if f in item:
                            cell(sheet, f"{letter}{spec['first'] + i}").text = _text(item[f])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def filled_department_form(word: bool = False) -> bytes:
    """The bundled 2019 example typed into the department form (.xlsx, or .docx with `word`)."""
    from engine import api
    from engine.load.yaml_loader import load_text, read_file
    from engine.render.template import stamp_rows, template, word_names
    from engine.ruleset.loading import load_plan

    data = str(_ROOT / "examples/2019/hr-bureau.yaml")
    raw, _ = load_text(read_file(data, data), data)
    ruleset = str(_ROOT / "rulesets/2019/department.yaml")
    if not word:
        return fill(api.form_template(ruleset), raw)
    t = template(load_plan(ruleset, "rulesets/2019/department.yaml"), "rulesets/2019/department.yaml")
    return fill_docx(api.form_template(ruleset, word=True), raw, stamp_rows(t, word_names(t), word=True))
