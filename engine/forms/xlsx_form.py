"""Reading a filled workbook (.xlsx) made by `jixiao template`.

The template's very hidden sheet `jixiao` says which ruleset the form was made
for (id, digest), the layout version, the sheets, every printed text that
anchors the layout (checked: a deleted or inserted row moves them), where
each input sits and which data path it fills, and the regions read row by row
(a data table's rows with their 级次, a project's indicator rows).

`open_form` checks the file (size, zip limits, encryption, damage) and reads
the stamp; `FormBook.read(plan)` checks the layout against the ruleset and
returns the unit's raw data and source map. Every problem is a `Diagnostic`
whose span is the cell (`CellSpan`: `文件.xlsx:工作表!C12`).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.base.archive import zip_problem
from engine.base.diagnostics import CellSpan, Diagnostic, DiagnosticError
from engine.base.messages import Said, os_error
from engine.base.sourcemap import SourceMap
from engine.forms import KNOWN_LAYOUTS, STAMP_SHEET
from engine.load.tables import PART_PROBLEMS, _cell
from engine.ruleset.plan import Plan

# Limits (a form is a few hundred KB; these stop hostile files before openpyxl sees them).
MAX_FORM_BYTES = 20 * 1024 * 1024  # the file on disk
MAX_UNPACKED = 200 * 1024 * 1024  # all members unpacked
MAX_MEMBERS = 2000  # members of the zip
MAX_RATIO = 200  # unpacked ÷ packed of any member above 1 MB (zip bombs reach 1000+)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and legacy .xls are OLE2 compound files
_JUDGED_ROWS = ("manual", "qualitative", "coefficient")


def file_span(display: str) -> CellSpan:
    return CellSpan(display, 0, 0, "")


def read_form_bytes(path: str, display: str) -> bytes:
    """A form file's bytes, refused (located) when over `MAX_FORM_BYTES` or unreadable."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FORM_BYTES:
            raise DiagnosticError([Diagnostic("forms.too_large", file_span(display), {"size": size, "limit": MAX_FORM_BYTES})])
        with open(path, "rb") as fh:
            return fh.read(MAX_FORM_BYTES + 1)
    except OSError as e:
        raise DiagnosticError([Diagnostic("load.unreadable", file_span(display), {"path": display, "reason": os_error(e)})]) from None


_OLDER = {"Excel (.xlsx)": "Excel 97-2003 (.xls)", "Word (.docx)": "Word 97-2003 (.doc)"}  # the binary format before each


def check_zip(path: str, display: str, data: bytes, kind: str = "Excel (.xlsx)") -> None:
    """Refuse what is not a sane OOXML package, before any XML is parsed."""
    if len(data) > MAX_FORM_BYTES:
        raise DiagnosticError([Diagnostic("forms.too_large", file_span(display), {"size": len(data), "limit": MAX_FORM_BYTES})])
    if data[:8] == _OLE2:  # a password-protected package is wrapped in OLE2, as the older binary formats are
        raise DiagnosticError([Diagnostic("forms.encrypted", file_span(display), {"older": _OLDER.get(kind, ""), "save": kind})])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as e:  # NotImplementedError: a "version needed to extract" past any zip format (damage)
        raise DiagnosticError([Diagnostic("forms.corrupt", file_span(display), {"format": kind, "reason": str(e)[:120]})]) from None
    problem = zip_problem(infos, members=MAX_MEMBERS, unpacked=MAX_UNPACKED, ratio=MAX_RATIO)
    if problem is None:
        return
    what, args = problem
    if what in ("encrypted", "method"):  # never written by Excel or Word; bzip2 and LZMA unpack without a bound
        raise DiagnosticError([Diagnostic("forms.corrupt", file_span(display), {"format": kind, "reason": Said(PART_PROBLEMS[what], args)})])
    detail = {"members": "{count} > {limit} members", "unpacked": "{total} > {limit} bytes", "ratio": "{entry}: {size} / {packed}"}[what]
    raise DiagnosticError([Diagnostic("forms.zip_bomb", file_span(display), {"detail": detail.format(**args)})])


@dataclass
class Stamp:
    """What the hidden sheet says."""

    layout: str = ""
    ruleset_id: str = ""
    ruleset_title: str = ""
    ruleset_ref: str = ""
    ruleset_digest: str = ""
    sheets: list[str] = field(default_factory=list)
    anchors: list[tuple[str, str, str]] = field(default_factory=list)  # sheet, cell, text
    inputs: list[tuple[str, str, tuple, str, str]] = field(default_factory=list)  # sheet, cell, path, kind, label
    regions: list[tuple[str, dict]] = field(default_factory=list)
    constants: list[tuple[tuple, str]] = field(default_factory=list)


def _stamp(ws, display: str) -> Stamp:
    return parse_stamp(ws.iter_rows(values_only=True, max_col=6), display)


def parse_stamp(rows, display: str) -> Stamp:
    """The layout from its rows (the hidden sheet's, or those the template
    gives for a Word form); raise when they are damaged or of another version."""
    s = Stamp()
    try:
        for row in rows:
            row = tuple(row) + (None,) * 6
            key = row[0]
            if key in ("layout", "ruleset_id", "ruleset_title", "ruleset_ref", "ruleset_digest"):
                setattr(s, key, str(row[1] or ""))
            elif key == "sheets":
                s.sheets = [str(x) for x in json.loads(row[1])]
            elif key == "anchor":
                s.anchors.append((str(row[1]), str(row[2]), str(row[3])))
            elif key == "input":
                s.inputs.append((str(row[1]), str(row[2]), tuple(json.loads(row[3])), str(row[4]), str(row[5])))
            elif key == "region":
                s.regions.append((str(row[1]), json.loads(row[2])))
            elif key == "const":
                s.constants.append((tuple(json.loads(row[1])), str(row[2])))
    except (TypeError, ValueError, IndexError) as e:
        raise DiagnosticError([Diagnostic("forms.bad_stamp", file_span(display), {"detail": f"{type(e).__name__}"})]) from None
    if not s.layout:
        raise DiagnosticError([Diagnostic("forms.bad_stamp", file_span(display), {"detail": "layout"})])
    if s.layout not in KNOWN_LAYOUTS:
        raise DiagnosticError([Diagnostic("forms.layout_version", file_span(display), {"found": s.layout, "known": "、".join(KNOWN_LAYOUTS)})])
    damaged = _damaged(s)
    if damaged:
        raise DiagnosticError([Diagnostic("forms.bad_stamp", file_span(display), {"detail": damaged})])
    return s


# The hidden sheet is jixiao's own, but it travels inside the unit's workbook:
# whatever it says is checked before a cell is read by it or a value put
# where it says (a coordinate openpyxl refuses, a sheet not listed, a region
# of a billion rows or a list index of a billion would crash or exhaust memory).
_CELL = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}\Z")
_COLUMN = re.compile(r"[A-Z]{1,3}\Z")
MAX_REGION_ROWS = 10_000  # rows a region of a form reads (a template's are tens)
MAX_INDEX = 10_000  # a list index in a data path the stamp gives


def _damaged(s: Stamp) -> str:
    """What in a stamp is not as jixiao writes it ('' when nothing)."""
    sheets = set(s.sheets)

    def cell(sheet, coord) -> bool:
        return sheet in sheets and isinstance(coord, str) and _CELL.match(coord) is not None and int(coord.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) <= 1_048_576

    def path(p) -> bool:
        return 0 < len(p) <= 12 and all(isinstance(k, str) or (type(k) is int and 0 <= k < MAX_INDEX) for k in p)

    def column(c) -> bool:
        return isinstance(c, str) and _COLUMN.match(c) is not None

    for sheet, coord, _expected in s.anchors:
        if not cell(sheet, coord):
            return "anchor"
    for sheet, coord, p, _kind, _label in s.inputs:
        if not cell(sheet, coord) or not path(p):
            return "input"
    for p, _value in s.constants:
        if not path(p):
            return "const"
    for sheet, spec in s.regions:
        if sheet not in sheets or not isinstance(spec, dict) or spec.get("type") not in ("table", "rows"):
            return "region"
        first, last = spec.get("first"), spec.get("last")
        if type(first) is not int or type(last) is not int or not 1 <= first <= last < first + MAX_REGION_ROWS or last > 1_048_576:
            return "region rows"
        columns = spec.get("columns")
        if not isinstance(columns, dict) or not all(column(c) and isinstance(f, str) for c, f in columns.items()):
            return "region columns"
        if not all(spec.get(k) is None or column(spec[k]) for k in ("name", "level", "category")):
            return "region columns"
        if spec["type"] == "table" and (not isinstance(spec.get("table"), str) or not column(spec.get("name"))
                                        or type(spec.get("root")) is not int or not 1 <= spec["root"] <= 1_048_576):
            return "region table"
        if not isinstance(spec.get("skip") or [], list) or not all(type(r) is int for r in spec.get("skip") or []):
            return "region skip"
        if not isinstance(spec.get("carry") or [], list) or not all(isinstance(f, str) for f in spec.get("carry") or []):
            return "region carry"
    return ""


def _short(digest: str) -> str:
    return digest.split(":")[-1][:12]


@dataclass
class FormBook:
    """An opened form: the workbook, its stamp, its bytes' digest."""

    path: str
    display: str
    book: Any
    stamp: Stamp | None  # None: no hidden sheet; found by the ruleset's declared layout when read
    digest: str
    _values: Any = None  # the same workbook with formulas' saved results, loaded when first needed

    # What the reader asks of a form, whatever the file format (engine.forms.docx_form
    # answers the same for Word tables).

    def sheetnames(self) -> list[str]:
        return [n for n in self.book.sheetnames if n != STAMP_SHEET]

    def cell(self, sheet: str, coordinate: str) -> tuple[Any, str | None]:
        """(value, formula or None) of a cell; a formula's value is its saved result."""
        c = self.book[sheet][coordinate]
        v = c.value
        if isinstance(v, str) and v.startswith("=") and c.data_type == "f":
            return self.cached(sheet, coordinate), v
        return v, None

    def merges(self, sheet: str) -> list[tuple[str, int, int, int, int]]:
        """Merged ranges: (text, first row, first column, last row, last column)."""
        return [(str(r.coord), r.min_row, r.min_col, r.max_row, r.max_col) for r in self.book[sheet].merged_cells.ranges]

    def caption(self, sheet: str) -> str:
        """Text printed above a sheet's cells (a Word table's title); a worksheet's is in its cells."""
        return ""

    def texts(self, sheet: str):
        """(row, column, value) of every non-blank cell, for a declared layout's search."""
        for row in self.book[sheet].iter_rows():
            for c in row:
                if c.value is not None and c.value != "":
                    yield c.row, c.column, c.value

    def place(self, sheet: str, coordinate: str) -> str:
        return f"{sheet}!{coordinate}"

    def cached(self, sheet: str, coordinate: str) -> Any:
        if self._values is None:
            # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
            import openpyxl

            self._values = openpyxl.load_workbook(self.path, data_only=True)
        return self._values[sheet][coordinate].value

    def check_ruleset(self, plan: Plan) -> None:
        """Refuse a form made for another ruleset (id or digest differ)."""
        s = self.stamp
        rs = plan.ruleset
        if s.ruleset_digest != plan.digest or (s.ruleset_id and s.ruleset_id != (rs.id or "")):
            args = {"made_title": s.ruleset_title, "made_id": s.ruleset_id or s.ruleset_ref, "made_digest": _short(s.ruleset_digest),
                    "title": rs.title, "id": rs.id or plan.file, "digest": _short(plan.digest)}
            raise DiagnosticError([Diagnostic("forms.other_ruleset", file_span(self.display), args)])

    def read(self, plan: Plan) -> tuple[dict, SourceMap, list[Diagnostic]]:
        """The unit's raw data (the shape of a YAML unit file), where each value
        is, and the notes (warnings) met; raises with every problem found."""
        if self.stamp is None:
            # cold start: only a form without the hidden sheet is searched for its declared layout
            from engine.forms.layout import declared_stamp

            self.stamp = Stamp(**declared_stamp(self, plan))
        else:
            self.check_ruleset(plan)
        r = _Reader(self, plan)
        r.structure()
        if r.problems:
            raise DiagnosticError(r.problems)
        r.values()
        if r.problems:
            raise DiagnosticError(r.problems)
        return r.raw, r.smap, r.notes


def open_form(path: str, display: str) -> FormBook:
    """Open a filled workbook and read its stamp; raise a located problem when
    the file is too large, hostile, encrypted, damaged or not a jixiao form."""
    try:
        # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
        import openpyxl
    except ImportError:  # pragma: no cover - depends on the installation
        raise DiagnosticError([Diagnostic("forms.needs_extra", file_span(display), {"extra": "xlsx", "package": "openpyxl"})]) from None
    data = read_form_bytes(path, display)
    check_zip(path, display, data)
    try:
        book = openpyxl.load_workbook(path, data_only=False)
    except Exception as e:  # noqa: BLE001 - whatever a damaged package makes openpyxl raise
        raise DiagnosticError([Diagnostic("forms.corrupt", file_span(display), {"format": "Excel (.xlsx)", "reason": f"{type(e).__name__}: {e}"[:160]})]) from None
    # Without the hidden sheet the stamp is found later, by the ruleset's declared layout (`read`).
    stamp = _stamp(book[STAMP_SHEET], display) if STAMP_SHEET in book.sheetnames else None
    return FormBook(path, display, book, stamp, "sha256:" + hashlib.sha256(data).hexdigest())


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(_cell(value))


class _Reader:
    """One pass over a form: structure first (sheets, anchors, merges), then values."""

    def __init__(self, form: FormBook, plan: Plan):
        self.form, self.plan = form, plan
        self.book, self.stamp, self.display = form.book, form.stamp, form.display
        self.problems: list[Diagnostic] = []
        self.notes: list[Diagnostic] = []
        self.raw: dict = {}
        self.smap = SourceMap()

    def span(self, sheet: str, coordinate: str) -> CellSpan:
        # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        order = self.stamp.sheets.index(sheet) if sheet in self.stamp.sheets else len(self.stamp.sheets)
        letters, row = coordinate_from_string(coordinate)
        return CellSpan(self.display, order * 1_000_000 + row, column_index_from_string(letters), self.form.place(sheet, coordinate))

    def add(self, code: str, span, **args: Any) -> None:
        self.problems.append(Diagnostic(code, span, args))

    # --- structure ---------------------------------------------------------

    def structure(self) -> None:
        names = self.form.sheetnames()
        for sheet in self.stamp.sheets:
            if sheet not in names:
                self.add("forms.missing_sheet", file_span(self.display), sheet=sheet)
        for sheet in names:
            if sheet not in self.stamp.sheets:
                self.add("forms.extra_sheet", self.span(sheet, "A1"), sheet=sheet)
        present = set(names) & set(self.stamp.sheets)
        for sheet, coord, text in self.stamp.anchors:
            if sheet not in present:
                continue
            found = _text(self.form.cell(sheet, coord)[0])
            if found != text.strip():
                self.add("forms.anchor_moved", self.span(sheet, coord), expected=text, found=found or "（空白）", label=f"{sheet}!{coord}")
        self._merges(present)

    def _input_cells(self) -> dict[str, dict[str, str]]:
        """sheet → {coordinate: label} of every cell a unit fills."""
        # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
        from openpyxl.utils import column_index_from_string, get_column_letter

        out: dict[str, dict[str, str]] = {}
        for sheet, coord, _path, _kind, label in self.stamp.inputs:
            out.setdefault(sheet, {})[coord] = label
        for sheet, spec in self.stamp.regions:
            carry = spec.get("carry") or ()  # 一级/二级 merged down their rows on a bureau's own form
            cols = [spec.get(k) for k in ("level", "name", "category") if spec.get(k)] + [c for c, f in spec.get("columns", {}).items() if f not in carry]
            for r in _region_rows(spec):
                for c in cols:
                    coord = f"{get_column_letter(column_index_from_string(c))}{r}"
                    out.setdefault(sheet, {})[coord] = f"{sheet}!{coord}"
        return out

    def _merges(self, present: set[str]) -> None:
        inputs = self._input_cells()
        for sheet in present:
            cells = inputs.get(sheet, {})
            for text, r0, c0, r1, c1 in self.form.merges(sheet):
                inside = [c for c in cells if _in_range(c, r0, c0, r1, c1)]
                if not inside:
                    continue
                top_left = _coord(r0, c0)
                if len(inside) > 1 or inside[0] != top_left:
                    first = inside[0] if inside[0] != top_left else inside[1]
                    self.add("forms.merged_input", self.span(sheet, first), label=cells[first], range=text)

    # --- values ------------------------------------------------------------

    def value(self, sheet: str, coord: str, label: str) -> Any:
        """A cell's value as the YAML loader would give it: text, Decimal,
        bool or None (blank); a formula's saved result, with a note."""
        v, formula = self.form.cell(sheet, coord)
        if formula is not None:
            if v is None:
                self.add("forms.formula_no_value", self.span(sheet, coord), label=label, formula=formula[:60])
                return None
            self.notes.append(Diagnostic("forms.formula", self.span(sheet, coord), {"label": label, "formula": formula[:60], "value": _text(v)}, severity="warning"))
        if v is None:
            return None
        if isinstance(v, str):
            return v.strip() or None
        return _cell(v)

    def put(self, path: tuple, value: Any, span: CellSpan) -> None:
        """Set `path` in the raw data (creating mappings and lists on the way)."""
        target: Any = self.raw
        for key, nxt in zip(path[:-1], path[1:]):
            if isinstance(target, list):
                while len(target) <= key:
                    target.append({})
                child = target[key]
            else:
                child = target.get(key)
                if child is None:
                    child = target[key] = [] if isinstance(nxt, int) else {}
            target = child
        if isinstance(target, list):
            while len(target) <= path[-1]:
                target.append({})
        target[path[-1]] = value
        self.smap.values[tuple(path)] = span

    def values(self) -> None:
        for path, value in self.stamp.constants:
            self.put(path, value, file_span(self.display))
        leaves = {n.key: n for n in self.plan.leaves}
        for sheet, coord, path, kind, label in self.stamp.inputs:
            v = self.value(sheet, coord, label)
            span = self.span(sheet, coord)
            if path[:1] == ("subject",):
                self.smap.values.setdefault(("subject",), span)
            if v is None:
                if path[0] == "stated" or path[-1] in ("explanation", "level") or path[:1] == ("subject",):
                    continue
                if path[0] == "indicators" and path[-1] == "actual" and not _needs(leaves.get(path[1]), "actual"):
                    continue
            if kind in ("text", "choice") and isinstance(v, Decimal):
                v = format(v, "f")
            self.put(path, v, span)
        for sheet, spec in self.stamp.regions:
            if spec.get("type") == "table":
                self._table(sheet, spec)
            elif spec.get("type") == "rows":
                self._rows(sheet, spec)

    def _table(self, sheet: str, spec: dict) -> None:
        tname = spec["table"]
        root = self.raw.setdefault("tables", {}).setdefault(tname, {})
        root["name"] = spec.get("root_name") or "合计"
        self.smap.values.setdefault(("tables", tname), self.span(sheet, f"{spec['name']}{spec['root']}"))
        stack: list[tuple[int, dict, tuple]] = [(0, root, ("tables", tname))]
        for r in range(int(spec["first"]), int(spec["last"]) + 1):
            cells = {"level": f"{spec['level']}{r}", "name": f"{spec['name']}{r}"} if spec.get("level") else {"name": f"{spec['name']}{r}"}
            if spec.get("category"):
                cells["category"] = f"{spec['category']}{r}"
            for letter, col in spec["columns"].items():
                cells[col] = f"{letter}{r}"
            got = {k: self.value(sheet, c, f"{tname}·第{r}行·{k}") for k, c in cells.items()}
            if all(v is None for v in got.values()):
                continue
            level = got.pop("level", None)
            if isinstance(level, str) and level.isdigit():  # a Word table's cells are text
                level = Decimal(level)
            label = f"{tname}·{got.get('name') or f'第{r}行'}"
            above = stack[-1][0]
            if level is None:
                depth = 1
            elif isinstance(level, Decimal) and level == level.to_integral_value() and 1 <= level <= 9:
                depth = int(level)
            else:  # reported; the row is kept beside the one above so the rows below are not misread too
                self.add("forms.bad_level", self.span(sheet, cells["level"]), label=label, value=_text(level))
                depth = max(above, 1)
            if depth > above + 1:
                self.add("forms.level_jump", self.span(sheet, cells["level"]), label=label, level=depth, above=above)
                depth = above + 1
            while stack[-1][0] >= depth:
                stack.pop()
            parent, ppath = stack[-1][1], stack[-1][2]
            rows = parent.setdefault("rows", [])
            path = ppath + ("rows", len(rows))
            row: dict = {}
            rows.append(row)
            self.smap.values[path] = self.span(sheet, cells["name"])
            for k, v in got.items():
                if k == "category" and v is None:
                    continue
                if k == "name":
                    v = "" if v is None else (format(v, "f") if isinstance(v, Decimal) else str(v))
                row[k] = v
                self.smap.values[path + (k,)] = self.span(sheet, cells[k])
            stack.append((depth, row, path))

    def _rows(self, sheet: str, spec: dict) -> None:
        rows = self.raw.setdefault("indicator_rows", [])
        self.smap.values.setdefault(("indicator_rows",), self.span(sheet, f"A{spec['first']}"))
        methods = self.plan.row_methods
        carry = spec.get("carry") or ()
        above: dict[str, tuple[Any, str]] = {}  # a carried field: (value, cell) of the row above
        for r in _region_rows(spec):
            cells = {f: f"{letter}{r}" for letter, f in spec["columns"].items()}
            got = {f: self.value(sheet, c, f"第{r}行指标·{f}") for f, c in cells.items()}
            for f in carry:
                if got.get(f) is not None:
                    above[f] = (got[f], cells[f])
                    if f == "group":
                        above.pop("category", None)
            if all(v is None for f, v in got.items() if f not in carry):
                continue
            for f in carry:
                if got.get(f) is None and f in above:
                    got[f], cells[f] = above[f]
            path = ("indicator_rows", len(rows))
            row: dict = {}
            rows.append(row)
            self.smap.values[path] = self.span(sheet, cells.get("name", f"A{r}"))
            op = got.get("operator")
            bound = methods.get(op.strip()) if isinstance(op, str) else None
            judged = bound is not None and bound[0] is not None and bound[0].NAME in _JUDGED_ROWS
            for f, v in got.items():
                if v is None:
                    continue
                if f in ("group", "category", "name", "operator", "unit", "level", "explanation") and isinstance(v, Decimal):
                    v = format(v, "f")
                if f == "score" and not judged and op is not None:
                    name = got.get("name")
                    spath = ("stated", "indicators", str(name if name is not None else f"第{r}行"), "score")
                    self.put(spath, v, self.span(sheet, cells[f]))
                    continue
                row[f] = v
                self.smap.values[path + (f,)] = self.span(sheet, cells[f])


def _region_rows(spec: dict) -> list[int]:
    """The worksheet rows a region reads (less those a declared layout found
    holding a fixed indicator)."""
    skip = set(spec.get("skip") or ())
    return [r for r in range(int(spec["first"]), int(spec["last"]) + 1) if r not in skip]


def _needs(node, field_name: str) -> bool:
    """Whether an indicator's data must give `field_name` (a blank is then reported at its cell)."""
    if node is None:
        return True
    method = node.method.NAME if node.method is not None else None
    if field_name == "actual":
        return node.actual is None and method not in ("manual", "qualitative", "coefficient")
    return True


def _in_range(coord: str, r0: int, c0: int, r1: int, c1: int) -> bool:
    # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    letters, row = coordinate_from_string(coord)
    col = column_index_from_string(letters)
    return r0 <= row <= r1 and c0 <= col <= c1


def _coord(row: int, col: int) -> str:
    # optional library (openpyxl, the xlsx/reports extra): imported only for workbooks
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"
