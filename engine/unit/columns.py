"""Table columns → a unit's data (列映射): one row of a CSV/XLSX sheet becomes the
same data a unit file holds, so it is checked and scored exactly like one.

A header names what its column holds, by name or label, or through the
ruleset's `batch: {columns: {表头: 名称}}` (or a mapping file of that shape):

- `名称` / `单位名称` / `项目名称` / `subject` — the unit's name; `subject.<字段>` — another subject field;
- an input's name or label (`文中实际支出`, `正文·实际共支出`);
- a table figure as formulas name it: `表.栏目` (the total row) or `表.类别.栏目` (a category row);
- an indicator's id or name (its 实际完成值), or `<指标>.<字段>` for its other fields
  (`得分`/`score`, `档次`/`level`, `得分系数`/`coefficient`, `说明`/`explanation`,
  `调整指标值`/`adjusted_target`, `不适用`/`not_applicable`, `备注`/`note`).

Unknown headers are errors (a column is never silently dropped), and so is a
blank header over a column holding data (`unheaded_columns`); a mapping to
`null` ignores a column on purpose. Every value keeps its cell's position, so a
bad figure is reported at `file:row:column`.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from engine.ruleset.plan import Plan
from engine.base.diagnostics import MAX_LISTED, Diagnostic, SourceSpan
from engine.base.memo import made_for
from engine.ruleset.formula import suggest
from engine.unit.entries import ENTRY_KEYS
from engine.unit.inputs import ROW_KEYS, TOP_KEYS
from engine.ruleset.model import BatchSpec
from engine.base.sourcemap import SourceMap
from engine.load.tables import Sheet, cell_problems, cell_text, column_letters, filled_columns
from engine.unit.indicator_rows import FORM_COLUMNS, ROW_FIELDS

SUBJECT_HEADERS = ("subject", "名称", "单位名称", "部门名称", "项目名称", "单位", "部门", "项目")
ENTRY_ALIASES = {
    "实际完成值": "actual", "实际值": "actual", "得分": "score", "评分": "score", "档次": "level",
    "得分系数": "coefficient", "说明": "explanation", "原因": "explanation", "偏差原因": "explanation",
    "调整指标值": "adjusted_target", "不适用": "not_applicable", "备注": "note",
}
ROW_ALIASES = {"名称": "name", "项目": "name", "类别": "category"}
_TRUE = {"是", "true", "True", "TRUE", "1", "√", "Y", "y", "yes"}
_FALSE = {"否", "false", "False", "FALSE", "0", "×", "N", "n", "no"}


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def norm(text: Any) -> str:
    """A header as compared: NFKC (full-width → half-width) and stripped."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def key_at(cells: tuple, index: int | None) -> str | None:
    """The key cell's text (None when the row has none)."""
    if index is None or index >= len(cells):
        return None
    return norm(cell_text(cells[index])) or None


def row_smap(file: str, row: int, cols: dict) -> SourceMap:
    """Positions of one table row's values: each path at its cell
    (`file:row:column`); a path with no cell of its own falls back to its
    nearest parent, and finally to the row's first column."""
    return SourceMap({(): SourceSpan(file, row, 1)}, cells=(file, row, cols))


@dataclass(frozen=True)
class ColumnMap:
    """How a sheet's columns fill a unit's data, resolved once per sheet."""

    file: str
    # (cell index, section, path): section is subject | inputs | tables | indicators | top
    targets: tuple[tuple[int, str, tuple], ...]
    cols: dict = field(repr=False)  # data path → 1-based column (for positions)
    table_rows: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table → category rows present
    key_index: int | None = None
    # Figures of a category the sheet has no column for, in a table it does
    # have columns for: missing (None), never 0 (a row left out is not a row of zeros).
    absent: tuple[str, ...] = ()
    notes: tuple[Diagnostic, ...] = ()  # one warning per such category, at the header
    width: int = 0  # cells in the header: a row with more (an unquoted comma in CSV) is refused

    def extra_cells(self, cells: tuple) -> list:
        """The cells of a row beyond its header (blank ones too: an unquoted
        comma in the last text column pushes an empty cell past the header)."""
        if not self.width or len(cells) <= self.width:
            return []
        return list(cells[self.width:])

    def unit(self, cells: tuple) -> dict:
        """The unit's data from one row's cells (same shape as a unit file),
        by this sheet's reader, generated from its columns (`_unit_reader`);
        `unit_reference` is the general loop it is held to."""
        return _unit_reader(self)(cells)

    def unit_reference(self, cells: tuple) -> dict:
        """`unit` as a loop over the columns (the reference; tests/test_columns_reader.py)."""
        raw: dict[str, Any] = {"subject": {}, "inputs": {}, "indicators": {}}
        if self.table_rows:
            tables = raw["tables"] = {}
            for tname, cats in self.table_rows.items():
                tables[tname] = {"name": "合计", "rows": [{"name": c, "category": c} for c in cats]}
        n = len(cells)
        for i, section, path in self.targets:
            v = cells[i] if i < n else ""
            blank = isinstance(v, str) and not v.strip()
            if section == "inputs":
                raw["inputs"][path[0]] = v
            elif section == "tables":
                t = raw["tables"][path[0]]
                if len(path) == 2:
                    t[path[1]] = v
                else:
                    t["rows"][path[1]][path[2]] = v
            elif blank:
                continue
            elif section == "indicators":
                key, fname = path
                if fname == "not_applicable" and isinstance(v, str):
                    v = True if v.strip() in _TRUE else False if v.strip() in _FALSE else v
                raw["indicators"].setdefault(key, {})[fname] = v
            elif section == "subject":
                raw["subject"][path[0]] = cell_text(v)
            else:
                raw[path[0]] = v
        return raw

    def key_of(self, cells: tuple) -> str | None:
        return key_at(cells, self.key_index)


_READERS: dict[int, tuple[ColumnMap, Any]] = {}  # id(column map) → (it, its generated row reader)


def _unit_reader(cmap: ColumnMap):
    """The sheet's row reader, generated on first use (in each worker)."""
    return made_for(_READERS, cmap, _make_unit_reader, 64)


def unit_reader_source(cmap: ColumnMap) -> str:
    """The source of a sheet's row reader: `ColumnMap.unit_reference`'s loop
    unrolled over this sheet's columns, each a statement with its cell index
    and path written in (names as `repr` literals, never pasted as code), in
    the same order, so the data (and the order of its keys) is the same."""
    out = ["def unit(cells):", "    n = len(cells)", "    subject, inputs, indicators = {}, {}, {}",
           "    raw = {'subject': subject, 'inputs': inputs, 'indicators': indicators}"]
    bound: dict[str, str] = {}
    if cmap.table_rows:
        out.append("    tables = raw['tables'] = {}")
        for k, (tname, cats) in enumerate(cmap.table_rows.items()):
            rows = "[" + ", ".join(f"{{'name': {c!r}, 'category': {c!r}}}" for c in cats) + "]"
            out.append(f"    t{k} = tables[{tname!r}] = {{'name': '合计', 'rows': {rows}}}")
            out.append(f"    r{k} = t{k}['rows']")
            bound[tname] = str(k)
    for i, section, path in cmap.targets:
        out.append(f"    v = cells[{i}] if {i} < n else ''")
        if section == "inputs":
            out.append(f"    inputs[{path[0]!r}] = v")
            continue
        if section == "tables":
            k = bound.get(path[0])
            table = f"t{k}" if k is not None else f"raw['tables'][{path[0]!r}]"
            if len(path) == 2:
                out.append(f"    {table}[{path[1]!r}] = v")
            else:
                rows = f"r{k}" if k is not None else f"{table}['rows']"
                out.append(f"    {rows}[{path[1]!r}][{path[2]!r}] = v")
            continue
        out.append("    if not isinstance(v, str) or v.strip():  # a blank cell gives nothing")
        if section == "indicators":
            key, fname = path
            if fname == "not_applicable":
                out.append("        if isinstance(v, str):")
                out.append("            v = True if v.strip() in _TRUE else False if v.strip() in _FALSE else v")
            out.append(f"        indicators.setdefault({key!r}, {{}})[{fname!r}] = v")
        elif section == "subject":
            out.append(f"        subject[{path[0]!r}] = cell_text(v)")
        else:
            out.append(f"        raw[{path[0]!r}] = v")
    out.append("    return raw")
    return "\n".join(out) + "\n"


def _make_unit_reader(cmap: ColumnMap):
    namespace: dict[str, Any] = {"_TRUE": _TRUE, "_FALSE": _FALSE, "cell_text": cell_text}
    exec(compile(unit_reader_source(cmap), f"<row reader: {cmap.file}>", "exec"), namespace)  # noqa: S102 - generated from the resolved columns; names only as repr literals
    return namespace["unit"]


def targets_of(plan: Plan) -> dict[str, tuple[str, tuple]]:
    """Every name a header (or a mapping) may use → (section, path)."""
    out: dict[str, tuple[str, tuple]] = {}
    rs = plan.ruleset

    def put(name: str, target: tuple[str, tuple]) -> None:
        out.setdefault(norm(name), target)

    for h in SUBJECT_HEADERS:
        put(h, ("subject", ("name",)))
    put("subject.name", ("subject", ("name",)))
    put("year", ("top", ("year",)))
    for name, decl in rs.inputs.items():
        put(name, ("inputs", (name,)))
        put(f"inputs.{name}", ("inputs", (name,)))
    for name, decl in rs.inputs.items():
        if decl.label:
            put(decl.label, ("inputs", (name,)))
    for flat, (tname, cat, col) in plan.table_names.items():
        put(flat, ("tables", (tname, cat, col)))
    for node in plan.leaves:
        for ident in dict.fromkeys((node.key, node.name)):
            put(ident, ("indicators", (node.key, "actual")))
            for f in ENTRY_KEYS:
                put(f"{ident}.{f}", ("indicators", (node.key, f)))
            for alias, f in ENTRY_ALIASES.items():
                put(f"{ident}.{alias}", ("indicators", (node.key, f)))
    return out


def _lookup(name: str, known: dict) -> tuple[str, tuple] | None:
    """The target a header or mapped name stands for (`subject.<字段>` included)."""
    target = known.get(name)
    if target is None and name.startswith("subject.") and len(name) > len("subject."):
        target = ("subject", (name.split(".", 1)[1],))
    return target


def resolve(plan: Plan, header: Iterable[str], spec: BatchSpec | None, file: str, spec_smap: SourceMap | None = None, spec_path: tuple = ()) -> tuple[ColumnMap | None, list[Diagnostic]]:
    """The `ColumnMap` for a sheet's header, or every problem with it."""
    spec = spec or BatchSpec()
    known = targets_of(plan)
    mapping = {norm(k): v for k, v in spec.columns.items()}
    header = tuple(header)
    problems: list[Diagnostic] = cell_problems(file, 1, header)  # control characters, overlong headers
    unreadable = {d.span.col - 1 for d in problems}
    for k, v in spec.columns.items():
        if v is not None and _lookup(norm(v), known) is None:
            span = (spec_smap.value(spec_path + ("columns", k)) if spec_smap else None) or SourceSpan(file, 1, 1)
            problems.append(Diagnostic("batch.unknown_target", span, {"header": k, "name": v, "suggestion": suggest(norm(v), known)}))
    key_header = norm(spec.key) if spec.key else None
    seen: dict[tuple, int] = {}
    resolved: list[tuple[int, str, tuple]] = []
    key_index = None
    for i, raw_header in enumerate(header):
        h = norm(raw_header)
        col = i + 1
        if not h or i in unreadable:
            continue
        if h == key_header:
            key_index = i
        if h in mapping:
            target_name = mapping[h]
            if target_name is None:
                continue
            target = _lookup(norm(target_name), known)
            if target is None:
                continue  # reported above, at the mapping
        else:
            target = _lookup(h, known)
            if target is None and h == key_header:
                target = ("subject", (h,))
            if target is None:
                # "did you mean" costs a search over every name: only for the headers listed (MAX_LISTED)
                hint = suggest(h, known) if len(problems) < MAX_LISTED else None
                problems.append(Diagnostic("batch.unknown_column", SourceSpan(file, 1, col), {"header": _short(raw_header), "suggestion": hint}))
                continue
        section, path = target
        if (section, path) in seen:
            problems.append(Diagnostic("batch.duplicate_column", SourceSpan(file, 1, col), {"header": raw_header, "other": seen[(section, path)]}))
            continue
        seen[(section, path)] = col
        resolved.append((i, section, path))
    if key_header and key_index is None:
        problems.append(Diagnostic("batch.no_key_column", SourceSpan(file, 1, 1), {"header": spec.key}))
    if problems:
        return None, problems

    # Table figures: `表.栏目` is the total row, `表.类别.栏目` a category row,
    # added only for the categories the sheet has columns for.
    table_rows: dict[str, list[str]] = {}
    for _, section, path in resolved:
        if section == "tables":
            tname, cat, _col = path
            cats = table_rows.setdefault(tname, [])
            if cat is not None and cat not in cats:
                cats.append(cat)
    for tname, cats in table_rows.items():
        declared = plan.ruleset.tables[tname].categories
        cats.sort(key=declared.index)
    targets: list[tuple[int, str, tuple]] = []
    cols: dict[tuple, int] = {}
    for i, section, path in resolved:
        col = i + 1
        if section == "tables":
            tname, cat, column = path
            if cat is None:
                path = (tname, column)
                cols[("tables", tname, column)] = col
            else:
                idx = table_rows[tname].index(cat)
                path = (tname, idx, column)
                cols[("tables", tname, "rows", idx, column)] = col
        elif section == "indicators":
            cols[("indicators", path[0], path[1])] = col
            cols.setdefault(("indicators", path[0]), col)
        elif section == "subject":
            cols[("subject", path[0])] = col
            if path[0] == "name":
                cols[("subject",)] = col
        elif section == "top":
            cols[(path[0],)] = col
        else:
            cols[(section, *path)] = col
        targets.append((i, section, path))
    absent: list[str] = []
    notes: list[Diagnostic] = []
    for tname, cats in table_rows.items():
        missing: dict[str, str] = {}
        for flat, (t, cat, column) in plan.table_names.items():
            if t == tname and cat is not None and cat not in cats:
                absent.append(flat)
                missing.setdefault(cat, flat)
        for cat, flat in missing.items():
            notes.append(Diagnostic("batch.absent_category", SourceSpan(file, 1, 1), {"table": tname, "category": cat, "header": flat}, "warning"))
    rows = {t: tuple(c) for t, c in table_rows.items()}
    return ColumnMap(file, tuple(targets), cols, rows, key_index, tuple(absent), tuple(notes), len(list(header))), []


def unheaded_columns(sheet: Sheet) -> list[Diagnostic]:
    """A column whose header cell is blank over cells that hold something
    (a blank header in a CSV, a header merged across two columns in a
    workbook): its data belongs to nothing, so it is a problem at the header
    cell, never dropped. A blank column under a blank header (trailing empty
    columns an export leaves) is nothing to read. The rows are read only when
    the header has a blank cell, and only until each such column shows data."""
    blank = [i for i, h in enumerate(sheet.header) if not norm(h)]
    if not blank:
        return []
    filled = filled_columns(sheet, blank)
    return [Diagnostic("batch.unheaded_column", SourceSpan(sheet.file, 1, i + 1), {"column": column_letters(i), "row": row}) for i, row in sorted(filled.items())]


@dataclass(frozen=True)
class RowsMap:
    """How a second sheet's rows (keyed by the unit's key) join a unit's data."""

    file: str
    into: tuple[str, ...]  # ('tables', 表名) or (top-level key,)
    fields: tuple[tuple[int, str], ...]  # (cell index, field)
    key_index: int
    keep_blank: frozenset[str] = frozenset()
    width: int = 0  # cells in the header (see ColumnMap.extra_cells)

    def extra_cells(self, cells: tuple) -> list:
        """The cells of a row beyond its header (blank ones too: an unquoted
        comma in the last text column pushes an empty cell past the header)."""
        if not self.width or len(cells) <= self.width:
            return []
        return list(cells[self.width:])

    def row(self, cells: tuple) -> dict:
        out: dict[str, Any] = {}
        n = len(cells)
        for i, f in self.fields:
            v = cells[i] if i < n else ""
            if isinstance(v, str) and not v.strip() and f not in self.keep_blank:
                continue
            if f == "not_applicable" and isinstance(v, str):
                v = True if v.strip() in _TRUE else False if v.strip() in _FALSE else v
            out[f] = v
        return out

    def key_of(self, cells: tuple) -> str | None:
        return key_at(cells, self.key_index)

    @functools.cached_property
    def columns(self) -> dict[str, int]:
        """Each field's 1-based column (a row's positions, made on demand: `SourceMap.rows`)."""
        return {f: i + 1 for i, f in self.fields}

    def attach(self, raw: dict, smap: SourceMap, rows: list[tuple[int, tuple]]) -> None:
        """Put `rows` (row number, cells) into the unit's data, each value keeping its cell."""
        if not rows:
            return
        if self.into[0] == "tables":
            table = raw.setdefault("tables", {}).setdefault(self.into[1], {"name": "合计"})
            target = table.setdefault("rows", [])
            base = ("tables", self.into[1], "rows")
        else:
            target = raw.setdefault(self.into[0], [])
            base = (self.into[0],)
        if not isinstance(target, list):
            return
        values = smap.values
        if smap.rows is None:
            smap.rows = {}
        joined = smap.rows
        columns = self.columns
        for number, cells in rows:
            idx = len(target)
            target.append(self.row(cells))
            values[base + (idx,)] = SourceSpan(self.file, number, 1)
            joined[base + (idx,)] = (self.file, number, columns)  # each field's span made only when asked for


def resolve_rows(plan: Plan, header: Iterable[str], spec: BatchSpec, file: str) -> tuple[RowsMap | None, list[Diagnostic]]:
    """The `RowsMap` for the line-rows sheet named by `spec.rows`."""
    rows = spec.rows
    assert rows is not None
    header = tuple(header)
    problems: list[Diagnostic] = cell_problems(file, 1, header)  # control characters, overlong headers
    unreadable = {d.span.col - 1 for d in problems}
    parts = tuple(rows.into.split(".", 1))
    keep_blank: frozenset[str] = frozenset()
    if parts[0] == "tables" and len(parts) == 2 and parts[1] in plan.ruleset.tables:
        allowed = {c: c for c in plan.ruleset.tables[parts[1]].columns}
        allowed.update({k: k for k in ROW_KEYS if k != "rows"})
        allowed.update(ROW_ALIASES)
        keep_blank = frozenset(plan.ruleset.tables[parts[1]].columns)
    elif parts == ("indicator_rows",):
        # A project's own indicators (engine/unit/indicator_rows.py), headed as on the paper form or by field name.

        allowed = {f: f for f in (*ROW_FIELDS, *ENTRY_KEYS)}
        allowed.update(FORM_COLUMNS)
    elif len(parts) == 1 and parts[0] in TOP_KEYS and parts[0] not in ("subject", "inputs", "tables", "indicators", "ruleset"):
        allowed = None  # the unit reader checks these rows' fields
    else:
        return None, [Diagnostic("batch.bad_into", SourceSpan(file, 1, 1), {"into": rows.into, "tables": "、".join(plan.ruleset.tables)})]
    mapping = {norm(k): v for k, v in rows.columns.items()}
    key_header = norm(rows.key or spec.key or "")
    fields: list[tuple[int, str]] = []
    key_index = None
    for i, raw_header in enumerate(header):
        h = norm(raw_header)
        if not h or i in unreadable:
            continue
        if h == key_header:
            key_index = i
            continue
        f = mapping.get(h, h) if h in mapping else h
        if f is None:
            continue
        if allowed is not None:
            if f not in allowed:
                hint = suggest(h, allowed) if len(problems) < MAX_LISTED else None
                problems.append(Diagnostic("batch.unknown_column", SourceSpan(file, 1, i + 1), {"header": _short(raw_header), "suggestion": hint}))
                continue
            f = allowed[f]
        fields.append((i, f))
    if key_index is None:
        problems.append(Diagnostic("batch.no_key_column", SourceSpan(file, 1, 1), {"header": rows.key or spec.key or "?"}))
    if problems:
        return None, problems
    return RowsMap(file, parts, tuple(fields), key_index, keep_blank, len(list(header))), []


def flat_header(plan: Plan) -> list[str]:
    """The header row of a flat batch table (one row per unit) for a ruleset:
    the unit's name, each declared input, each table figure as formulas name
    it, and each indicator's fields a unit gives (实际完成值 by the indicator's
    name, `<指标>.得分`, `<指标>.档次`, `<指标>.说明`). Every header resolves
    through `targets_of`, so the table reads back without a mapping."""
    out = [SUBJECT_HEADERS[2]]
    out += list(plan.ruleset.inputs)
    out += list(plan.table_names)
    for node in plan.leaves:
        method = node.method.NAME if node.method is not None else None
        if node.actual is None:
            out.append(node.name)
        if method in ("manual", "qualitative"):
            out.append(f"{node.name}.得分")
        if method == "qualitative":
            out.append(f"{node.name}.档次")
        if method == "coefficient":
            out.append(f"{node.name}.得分系数")
        out.append(f"{node.name}.说明")
    return list(dict.fromkeys(out))
