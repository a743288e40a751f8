"""Filling a jixiao template the way a unit does (openpyxl), from a YAML unit
file's data: the round-trip tests and benchmarks/forms.py use it. And a
legacy .xls written byte by byte (`xls_bytes`), to damage on purpose."""
from __future__ import annotations

import io
import json
import re
import struct
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
    grids: dict[str, list] = {}  # filling in text merges nothing: each table's grid is built once (table.cell builds it on every call)

    def cell(sheet: str, coord: str):
        letters, row = coordinate_from_string(coord)
        table = doc.tables[int(sheet[1:]) - 1]
        if sheet not in grids:
            grids[sheet] = table._cells
        return grids[sheet][(row - 1) * table._column_count + column_index_from_string(letters) - 1]

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


# --- a legacy .xls, byte by byte ------------------------------------------------------
# The smallest BIFF8 workbook calamine reads (shared strings, numbers, merged
# ranges), in a compound file of 512-byte sectors: small enough that a test can
# say which field it damages (a DIMENSIONS record, a merged range, a sector).

def _record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(kind: int) -> bytes:  # BIFF8; 0x0005 the workbook globals, 0x0010 a worksheet
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _sheet_entry(offset: int, name: str) -> bytes:  # BOUNDSHEET8: where the sheet's BOF is, its name in UTF-16
    return _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 1) + name.encode("utf-16-le"))


def xls_bytes(sheets: dict[str, tuple[dict[tuple[int, int], Any], list[tuple[int, int, int, int]]]],
              dimensions: dict[str, tuple[int, int, int, int]] | None = None) -> bytes:
    """An .xls workbook: `sheets` maps a name to its cells ({(row, column):
    text or number}, 0-based) and merged ranges ((first row, last row, first
    column, last column)); `dimensions` overrides a sheet's DIMENSIONS record
    (first row, last row + 1, first column, last column + 1)."""
    strings = sorted({v for cells, _ in sheets.values() for v in cells.values() if isinstance(v, str)})
    sst = _record(0x00FC, struct.pack("<II", len(strings), len(strings))
                  + b"".join(struct.pack("<HB", len(t), 1) + t.encode("utf-16-le") for t in strings))
    bodies = []
    for name, (cells, merges) in sheets.items():
        rows, cols = [r for r, _ in cells] or [0], [c for _, c in cells] or [0]
        dim = (dimensions or {}).get(name, (min(rows), max(rows) + 1, min(cols), max(cols) + 1))
        body = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", *dim, 0))
        for (r, c), v in sorted(cells.items()):
            if isinstance(v, str):
                body += _record(0x00FD, struct.pack("<HHHI", r, c, 0, strings.index(v)))  # LABELSST
            else:
                body += _record(0x0203, struct.pack("<HHHd", r, c, 0, v))  # NUMBER
        if merges:
            body += _record(0x00E5, struct.pack("<H", len(merges)) + b"".join(struct.pack("<HHHH", *m) for m in merges))
        bodies.append(body + _record(0x000A))
    at = len(_bof(0x0005)) + sum(len(_sheet_entry(0, n)) for n in sheets) + len(sst) + len(_record(0x000A))
    globals_ = _bof(0x0005)
    for name, body in zip(sheets, bodies):
        globals_ += _sheet_entry(at, name)
        at += len(body)
    return _compound_file(globals_ + sst + _record(0x000A) + b"".join(bodies))


def xls_from_workbook(xlsx: bytes, more_merges: dict[str, list[tuple[int, int, int, int]]] | None = None,
                      dimensions: dict[str, tuple[int, int, int, int]] | None = None) -> bytes:
    """A filled .xlsx form "saved as" .xls by `xls_bytes`: every sheet's values
    and merged ranges (formulas left out: no reader of a form needs them), with
    `more_merges` added and `dimensions` overriding, as `xls_bytes` takes them."""
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheets = {}
    for ws in wb.worksheets:
        cells: dict[tuple[int, int], Any] = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None or c.data_type == "f":
                    continue
                number = isinstance(c.value, (int, float, Decimal)) and not isinstance(c.value, bool)
                cells[(c.row - 1, c.column - 1)] = float(c.value) if number else str(c.value)
        merges = [(r.min_row - 1, r.max_row - 1, r.min_col - 1, r.max_col - 1) for r in ws.merged_cells.ranges]
        sheets[ws.title] = (cells, merges + list((more_merges or {}).get(ws.title, [])))
    return xls_bytes(sheets, dimensions)


def _compound_file(stream: bytes) -> bytes:
    """A compound file (version 3) holding one stream, `Workbook`: the header,
    one FAT sector, the stream's sectors, one directory sector."""
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    stream += b"\0" * max(0, 4096 - len(stream))  # at least the mini-stream cutoff: whole sectors only
    n = -(-len(stream) // 512)
    fat = [0xFFFFFFFD] + list(range(2, n + 1)) + [end, end]
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<9I", header, 40, 0, 1, n + 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        e = bytearray(128)
        raw = (name + "\0").encode("utf-16-le") if name else b""
        e[:len(raw)] = raw
        struct.pack_into("<HBBIII", e, 64, len(raw), kind, 1, free, free, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 1, len(stream)) + entry("", 0, free, 0, 0) * 2
    return bytes(header) + struct.pack("<128I", *fat, *[free] * (128 - len(fat))) + stream.ljust(n * 512, b"\0") + directory
