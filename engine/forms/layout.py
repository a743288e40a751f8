"""A bureau's own form read by its declared layout (版式, the ruleset's `form:`).

A workbook (or Word document) without jixiao's hidden sheet is matched against
the layout its ruleset declares: each sheet is found by its title text, each
place by printed text — a label with the cell right of or below it, a row label
meeting a column header, a table's header row — so inserted or deleted rows, a
shifted column or a blank row in between still read. What is found becomes
the same `Stamp` the hidden sheet would hold (inputs at their cells, regions
read row by row), and `engine.forms.xlsx_form` reads it exactly as a jixiao
form. Text is compared normalised: NFKC (full-width letters and brackets as
half-width), all whitespace removed, a trailing colon dropped; a printed text
equal to the declared one is preferred, else one that starts with it (a title:
one that contains it).

Everything not found is reported at once, naming the layout and the text:
`应为「…」版式，找不到表头「实际完成值」`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from engine.base.diagnostics import CellSpan, Diagnostic, DiagnosticError
from engine.base.messages import format_message
from engine.forms import LAYOUT_VERSION, STAMP_SHEET
from engine.load.tables import check_archive
from engine.ruleset.plan import NUMERIC_TYPES, Plan

DECLARED = "form:"  # a Stamp's `layout` when it comes from a declared layout: "form:<name>"
_JUDGED = ("manual", "qualitative", "coefficient")
_CARRY = ["group", "category"]  # a blank (or merged) 一级/二级 cell carries the one above it down


def norm(text: object) -> str:
    """Printed text as compared: NFKC, no whitespace, no trailing colon."""
    t = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", t).rstrip(":")


def letter(col: int) -> str:
    """A 1-based column number as its letters (1 → A, 27 → AA)."""
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def _rc(coordinate: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", coordinate)
    assert m is not None  # the ruleset's validation admits addresses only
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


class _Grid:
    """One sheet's printed texts (normalised) and merged ranges."""

    def __init__(self, book, sheet: str):
        self.sheet = sheet
        self.text: dict[tuple[int, int], str] = {}
        for r, c, value in book.texts(sheet):
            n = norm(value)
            if n:
                self.text[(r, c)] = n
        self.top: dict[tuple[int, int], tuple[int, int]] = {}
        self.extent: dict[tuple[int, int], tuple[int, int]] = {}
        for _, r0, c0, r1, c1 in book.merges(sheet):
            self.extent[(r0, c0)] = (r1, c1)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self.top[(r, c)] = (r0, c0)

    def find(self, text: str, mode: str = "prefix", rows: tuple[int, int] | None = None) -> list[tuple[int, int]]:
        """Cells printing `text`, in reading order: equal ones, else (mode) those
        starting with it, or containing it."""
        t = norm(text)
        cells = sorted(p for p in self.text if rows is None or rows[0] <= p[0] <= rows[1])
        exact = [p for p in cells if self.text[p] == t]
        if exact or not t:
            return exact
        if mode == "contains":
            return [p for p in cells if t in self.text[p]]
        return [p for p in cells if self.text[p].startswith(t)]

    def at(self, r: int, c: int) -> str:
        """The text shown at a cell (a merged range's, wherever inside it)."""
        return self.text.get(self.top.get((r, c), (r, c)), "")

    def last_row(self) -> int:
        return max((r for r, _ in self.text), default=0)

    def header_row(self, labels: list[str], below: int = 0) -> tuple[int, dict[str, int], int]:
        """The row holding most of `labels` (below row `below`): (row, label →
        column, first row under the header, past any merged header cells)."""
        found = {label: self.find(label, rows=(below + 1, 10**9)) for label in labels}
        counts: dict[int, int] = {}
        for places in found.values():
            for r in {p[0] for p in places}:
                counts[r] = counts.get(r, 0) + 1
        if not counts:
            return 0, {}, 0
        row = min(counts, key=lambda r: (-counts[r], r))
        cols = {label: next(c for r, c in places if r == row) for label, places in found.items() if any(r == row for r, _ in places)}
        under = max((self.extent.get((row, c), (row, c))[0] for c in cols.values()), default=row) + 1
        return row, cols, under


@dataclass
class _Found:
    """What a layout's search found: the stamp's parts, and what was not found."""

    inputs: list[tuple[str, str, tuple, str, str]] = field(default_factory=list)
    regions: list[tuple[str, dict]] = field(default_factory=list)
    missing: list[Diagnostic] = field(default_factory=list)
    placed: set[tuple] = field(default_factory=set)  # data paths the `cells:` of the layout place


def _kind(path: tuple, plan: Plan) -> str:
    """How a value at `path` is checked on the form (text, money, score …)."""
    rs = plan.ruleset
    head, last = path[0], path[-1]
    if head == "inputs":
        return rs.inputs[path[1]].type
    if head == "tables":
        col = rs.tables[path[1]].columns.get(last)
        return "text" if col is None or col.type not in NUMERIC_TYPES else col.type
    if head == "stated":
        return {"grade": "choice", "rate": "percent"}.get(last, "score")
    if head == "indicators":
        return {"level": "choice", "score": "score", "actual": "number"}.get(last, "text")
    return "text"


def _texts_of(spec) -> list[str]:
    """Every text a declared sheet prints (labels, row and column headers)."""
    out = [t for p in spec.cells.values() for t in (p.label, p.row, p.column) if t]
    for part in (spec.indicators, spec.table):
        if part is not None:
            out += list(part.columns)
    if spec.figures is not None:
        out += [spec.figures.label, spec.figures.value]
    return out


def _path(dotted: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


class _Locator:
    """Finds one declared layout in one opened form."""

    def __init__(self, book, plan: Plan):
        self.book, self.plan = book, plan
        self.layout = plan.ruleset.form
        self.found = _Found()
        self.grids: dict[str, _Grid] = {}

    def grid(self, sheet: str) -> _Grid:
        if sheet not in self.grids:
            self.grids[sheet] = _Grid(self.book, sheet)
        return self.grids[sheet]

    def miss(self, what: str, text: str, sheet: str | None = None) -> None:
        """A text of the layout not found (`what`: title, label, header, row, end, total, figure)."""
        span = CellSpan(self.book.display, 0, 0, sheet or "")
        self.found.missing.append(Diagnostic(f"forms.layout_{what}", span, {"layout": self.layout.name, "text": text}))

    def span(self, sheet: str, r: int, c: int) -> CellSpan:
        """A cell's place, ordered sheet by sheet as the reader orders its problems."""
        names = self.book.sheetnames()
        order = names.index(sheet) if sheet in names else len(names)
        return CellSpan(self.book.display, order * 1_000_000 + r, c, self.book.place(sheet, f"{letter(c)}{r}"))

    def input(self, sheet: str, r: int, c: int, path: tuple, label: str, kind: str | None = None) -> None:
        self.found.inputs.append((sheet, f"{letter(c)}{r}", path, kind or _kind(path, self.plan), label))

    # --- sheets --------------------------------------------------------------

    def sheet_of(self, spec, taken: set[str]) -> str | None:
        """The sheet (not yet matched) printing the title text; of several (an
        instruction sheet may name the form too), the one where most of the
        layout's other texts are found."""
        names = [n for n in self.book.sheetnames() if n not in taken]
        titled = [n for n in names if self.grid(n).find(spec.title, "contains") or norm(spec.title) in norm(self.book.caption(n))]
        if len(titled) <= 1:
            return titled[0] if titled else None
        texts = _texts_of(spec)
        return max(titled, key=lambda n: (sum(1 for t in texts if self.grid(n).find(t)), -titled.index(n)))

    def run(self) -> _Found:
        taken: set[str] = set()
        for spec in self.layout.sheets:
            sheet = self.sheet_of(spec, taken)
            if sheet is None:
                self.miss("title", spec.title)
                continue
            taken.add(sheet)
            for dotted, place in spec.cells.items():
                self.place(sheet, _path(dotted), place)
            if spec.table is not None:
                self.table(sheet, spec.table)
            if spec.figures is not None:
                self.figures(sheet, spec.figures)
        # indicator tables last: a fixed indicator whose data `cells:` place needs no row
        taken = set()
        for spec in self.layout.sheets:
            sheet = self.sheet_of(spec, taken)
            if sheet is None:
                continue
            taken.add(sheet)
            if spec.indicators is not None:
                self.indicators(sheet, spec.indicators)
        return self.found

    # --- places ----------------------------------------------------------------

    def place(self, sheet: str, path: tuple, place) -> None:
        g = self.grid(sheet)
        self.found.placed.add(path)
        if place.cell is not None:
            r, c = _rc(place.cell)
            self.input(sheet, r, c, path, ".".join(map(str, path)))
            return
        if place.label is not None:
            hits = g.find(place.label)
            if not hits:
                self.miss("label", place.label, sheet)
                return
            r, c = hits[0]
            r1, c1 = g.extent.get((r, c), (r, c))
            target = (r, c1 + 1) if place.offset == "right" else (r1 + 1, c)
            self.input(sheet, *target, path, place.label)
            return
        rows, cols = g.find(place.row), g.find(place.column)
        if not rows:
            self.miss("row", place.row, sheet)
        if not cols:
            self.miss("header", place.column, sheet)
        if not rows or not cols:
            return
        r = rows[0][0]
        above = [p for p in cols if p[0] < r]
        c = (max(above) if above else cols[0])[1]
        self.input(sheet, r, c, path, f"{place.row}·{place.column}")

    # --- a data table, the other figures ---------------------------------------

    def headers(self, sheet: str, labels: list[str]):
        """(grid, header row, column of each label, first row under it), or
        None with each header not found reported."""
        g = self.grid(sheet)
        row, cols, under = g.header_row(labels)
        for label in labels:
            if label not in cols:
                self.miss("header", label, sheet)
        return (g, row, cols, under) if all(label in cols for label in labels) else None

    def table(self, sheet: str, spec) -> None:
        found = self.headers(sheet, list(spec.columns))
        if found is None:
            return
        g, row, cols, under = found
        by_field = {spec.columns[label]: c for label, c in cols.items()}
        name_col = by_field["name"]
        roots = [p for p in g.find(spec.total, rows=(under, 10**9)) if p[1] == name_col or g.top.get(p, p)[1] <= name_col]
        if not roots:
            self.miss("total", spec.total, sheet)
            return
        root = roots[0][0]
        data = {f: c for f, c in by_field.items() if f not in ("level", "name", "category")}
        for f, c in data.items():
            self.input(sheet, root, c, ("tables", spec.table, f), f"{spec.table}·{spec.total}·{f}")
        last = max([r for (r, c) in g.text if c in by_field.values() and r > root], default=root)
        region = {"type": "table", "table": spec.table, "root": root, "root_name": spec.total, "first": root + 1, "last": max(last, root + 1),
                  "level": letter(by_field["level"]) if "level" in by_field else None, "name": letter(name_col),
                  "category": letter(by_field["category"]) if "category" in by_field else None,
                  "columns": {letter(c): f for f, c in data.items()}}
        self.found.regions.append((sheet, region))

    def figures(self, sheet: str, spec) -> None:
        found = self.headers(sheet, [spec.label, spec.value])
        if found is None:
            return
        g, row, cols, _ = found
        rs = self.plan.ruleset
        for name, decl in rs.inputs.items():
            if ("inputs", name) in self.found.placed:
                continue
            label = decl.label or name
            hits = [p for p in g.find(label, rows=(row + 1, 10**9)) if p[1] == cols[spec.label]]
            if not hits:
                if decl.required and decl.default is None:
                    self.miss("figure", label, sheet)
                continue
            self.input(sheet, hits[0][0], cols[spec.value], ("inputs", name), label)

    # --- the indicator table ---------------------------------------------------

    def indicators(self, sheet: str, spec) -> None:
        found = self.headers(sheet, list(spec.columns))
        if found is None:
            return
        g, row, cols, under = found
        by_field = {spec.columns[label]: c for label, c in cols.items()}
        end = g.last_row() + 1
        if spec.end is not None:
            ends = g.find(spec.end, rows=(under, 10**9))
            if not ends:
                self.miss("end", spec.end, sheet)
                return
            end = ends[0][0]
        leaves = {}
        for node in self.plan.leaves:
            if node.frame is None:
                leaves.setdefault(norm(node.name), node)
        takes_rows = bool(self.plan.frames)
        seen: set[str] = set()
        skip: list[int] = []
        names = [by_field[f] for f in ("name", "category", "group") if f in by_field]
        for r in range(under, end):
            text = next((t for t in (g.at(r, c) for c in names) if t), "")  # 三级, else a merged 二级 or 一级
            node = (leaves.get(text) or leaves.get(text.split("/")[-1])) if text else None
            if node is not None and node.key not in seen:
                seen.add(node.key)
                skip.append(r)
                self.leaf_row(sheet, r, node, by_field)
            elif not takes_rows and any(g.at(r, c) for f, c in by_field.items() if f not in _CARRY):
                span = self.span(sheet, r, by_field["name"])
                self.found.missing.append(Diagnostic("forms.layout_unknown_row", span, {"name": text or "（空白）", "layout": self.layout.name}))
        for node in self.plan.leaves:
            if node.frame is None and node.key not in seen and node.actual is None and not self._placed(node):
                self.found.missing.append(Diagnostic("forms.layout_missing_row", CellSpan(self.book.display, 0, 0, sheet), {"name": node.name, "layout": self.layout.name}))
        if takes_rows and end > under:
            region = {"type": "rows", "first": under, "last": end - 1, "skip": skip, "carry": [f for f in _CARRY if f in by_field],
                      "columns": {letter(c): f for f, c in by_field.items()}}
            self.found.regions.append((sheet, region))

    def _placed(self, node) -> bool:
        return any(p[:2] == ("indicators", node.key) and p[2] in ("actual", "score") for p in self.found.placed)

    def leaf_row(self, sheet: str, r: int, node, cols: dict[str, int]) -> None:
        """The inputs of a fixed indicator's row (as `jixiao template` lays them out)."""
        method = node.method.NAME if node.method is not None else None
        name = node.name
        if "actual" in cols and node.actual is None:
            numeric = node.value_type in NUMERIC_TYPES and method not in _JUDGED
            self.input(sheet, r, cols["actual"], ("indicators", node.key, "actual"), f"{name}·实际完成值", node.value_type if numeric else "text")
        if "level" in cols and method == "qualitative":
            self.input(sheet, r, cols["level"], ("indicators", node.key, "level"), f"{name}·评价档次", "choice")
        if "score" in cols and ("stated", "indicators", name, "score") not in self.found.placed:
            path = ("indicators", node.key, "score") if method in ("manual", "qualitative") else ("stated", "indicators", name, "score")
            self.input(sheet, r, cols["score"], path, f"{name}·得分", "score")
        if "explanation" in cols and ("indicators", node.key, "explanation") not in self.found.placed:
            self.input(sheet, r, cols["explanation"], ("indicators", node.key, "explanation"), f"{name}·偏差原因分析及改进措施", "text")


def declared_stamp(book, plan: Plan) -> dict:
    """The stamp (`engine.forms.xlsx_form.Stamp` fields) of a form without
    jixiao's hidden sheet, found by the layout `plan`'s ruleset declares;
    raises with every text not found (or, when the ruleset declares none,
    says the form is not a jixiao form)."""
    rs = plan.ruleset
    if rs.form is None:
        raise not_a_form(book.display)
    found = _Locator(book, plan).run()
    if found.missing:
        raise DiagnosticError(found.missing)
    return {"layout": DECLARED + rs.form.name, "ruleset_id": rs.id or "", "ruleset_title": rs.title, "ruleset_ref": plan.file,
            "ruleset_digest": plan.digest, "sheets": list(book.sheetnames()), "inputs": found.inputs, "regions": found.regions,
            "constants": [(_path(p), v) for p, v in rs.form.constants.items()]}


def not_a_form(display: str) -> DiagnosticError:
    """A form with no hidden sheet, and no declared layout to read it by."""
    layout = format_message("forms.layout_name", {"version": LAYOUT_VERSION}, "zh")
    return DiagnosticError([Diagnostic("forms.not_a_form", CellSpan(display, 0, 0, ""), {"layout": layout, "anchor": f"{STAMP_SHEET}（隐藏工作表）"})])


def missing(book, plan: Plan) -> list[Diagnostic] | None:
    """What of `plan`'s declared layout is not found in the form ([]: all of
    it is); None when the ruleset declares no layout or the form's first
    sheet title is not found (the form is nothing like it)."""
    if plan.ruleset.form is None:
        return None
    problems = _Locator(book, plan).run().missing
    first = plan.ruleset.form.sheets[0].title
    if any(d.code == "forms.layout_title" and d.args.get("text") == first for d in problems):
        return None
    return problems


def shows_layout(path: str, plan: Plan, rows: int = 12) -> bool:
    """Whether an .xlsx file (without jixiao's hidden sheet) is a filled copy
    of the form `plan`'s ruleset declares rather than a flat table: its first
    sheet's title is printed in the first `rows` rows of one of its sheets
    (`batch` asks this of a single workbook given on the command line)."""
    form = plan.ruleset.form
    if form is None or not form.sheets:
        return False
    title = norm(form.sheets[0].title)
    try:
        # optional library (openpyxl, the xlsx extra): only a workbook asks this
        import openpyxl

        check_archive(path, path)  # a bomb is read by no one: the table reader refuses it, located
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - unreadable here: the table reader reports it, located
        return False
    try:
        for ws in book.worksheets:
            for row in ws.iter_rows(max_row=rows, values_only=True):
                if any(isinstance(v, str) and title in norm(v) for v in row):
                    return True
        return False
    except Exception:  # noqa: BLE001 - a damaged sheet (openpyxl parses its rows only here): the table reader reports it, located
        return False
    finally:
        book.close()
