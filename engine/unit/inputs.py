"""Unit data (单位数据): a department's or project's figures, checked against the
ruleset's declared inputs, tables and indicators before anything is scored.

Staff type numbers as forms print them, so `3,921.33`, `93.59%`, full-width
digits, a trailing unit (`3,921.33万元`, `95场`) and `—` / `/` / blank (an
explicit empty) are all read. Every problem is a located diagnostic, all
reported at once; with any of them, nothing is evaluated.

A data file is YAML or JSON (JSON is read by the same strict loader) with the
sections `subject`, `inputs` (declared figures), `tables` (rows of line items
with sub-rows) and `indicators` (one entry per leaf indicator: `actual`,
`score`, `level`, `coefficient`, `explanation`, …).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Mapping, NamedTuple

from engine.ruleset.plan import SPECIALISE_MAX_LEAVES, Plan

from engine.base.digest import digest_of
from engine.base.printable import BIDI_PATTERN, bidi_controls
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan, sort_key
from engine.base.memo import LazyMapping, generated as _generated, made_for
from engine.ruleset.formula import suggest
from engine.base.numeric import ZERO, show_value
from engine.base.sourcemap import SourceMap
from engine.unit.entries import _EMPTY, Reader, plain_figure, _column_coercers, _entry_data, _input_coercers, _needed_field, coerce, entry_reader, figure_names
from engine.load.yaml_loader import load_text, read_file
from engine.unit.stated import StatedFigure, check_names, read_stated

_BIDI_SEARCH = BIDI_PATTERN.search
_new = tuple.__new__  # a NamedTuple made without its Python-level __new__
TOP_KEYS = ("ruleset", "subject", "year", "inputs", "tables", "indicators", "indicator_rows", "stated", "notes", "narrative")
_TOP_KEY_SET = frozenset(TOP_KEYS)
NARRATIVE_ITEM_KEYS = ("title", "text")
ROW_KEYS = ("name", "category", "rows")
SEPARATOR = " › "


class NarrativeText(NamedTuple):
    """A narrative text of the report (报告文字): its paragraphs, and for a text
    given per indicator or table, an optional heading that replaces the
    generated one (`title`)."""

    paragraphs: tuple[str, ...]
    title: str | None = None


class TableRow(NamedTuple):
    """A table row (表行): a line item, subtotal or total; sub-rows sum into it.

    `trail` holds the names from the top row's children down to this row (the
    top row, usually 合计, has an empty trail)."""

    name: str
    category: str | None
    values: Mapping[str, Decimal | str | None]
    path: tuple
    rows: tuple["TableRow", ...] = ()
    trail: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitData:
    """One unit's checked figures.

    `values` is the flat name → value mapping formulas read (inputs and table
    figures); `entries` holds each indicator's data by indicator key."""

    file: str
    digest: str
    subject: Mapping[str, Any]
    ruleset_ref: str | None
    values: Mapping[str, Any]
    entries: Mapping[str, Mapping[str, Any]]
    tables: Mapping[str, TableRow]
    smap: SourceMap = field(repr=False)
    # The plan this unit was read against: the ruleset's own, or, when its
    # indicators come from the data (`rows: data`), a copy with this unit's
    # indicator rows in place. `evaluate` scores the unit by it.
    plan: Plan | None = field(default=None, repr=False)
    entry_keys: Mapping[str, str] = field(default_factory=dict, repr=False)  # indicator key → key in the file
    # What the form printed (`stated:`, a row's `score:`), for review only (engine.unit.stated).
    stated: tuple[StatedFigure, ...] = ()
    # Warnings about the data that do not stop it (rows weighing other than
    # their frame under `policy.weights_mismatch: warn`), listed as findings.
    notices: tuple[Diagnostic, ...] = ()
    # Warnings met while reading (a form's formula whose saved result was used); never change the result.
    notes: tuple = field(default=(), repr=False)
    # The report's narrative by key (`NarrativeText`, or name → `NarrativeText` for
    # a text given per indicator or table), as the ruleset's `report.narrative` declares.
    narrative: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return str(self.subject.get("name", ""))

    def span(self, path: tuple) -> SourceSpan | None:
        return self.smap.whole or self.smap.value(path)

    def entry_span(self, key: str, *field_path: str) -> SourceSpan | None:
        """Where an indicator's entry (or one of its fields) is in the data
        file, whether the file names the indicator by id or by name."""
        # (a JSONL record is placed as a whole: no path made for it, nor a call)
        return self.smap.whole or self.smap.value(("indicators", self.entry_keys.get(key, key), *field_path))


def row_label(table: str, row_name: str, trail: tuple[str, ...], count: Callable[[str], int]) -> str:
    """How a row is named in messages: `预算调整表 › 基本支出`, with the rows
    above it when its own name occurs more than once in the table
    (`预算调整表 › 武汉市汉南区劳动就业管理局 › 基本支出`, `count(name)` telling
    how often a name occurs); the top row by its own name (`预算调整表 › 合计`)."""
    if not trail:
        return SEPARATOR.join((table, row_name)) if row_name else table
    shown = trail[-1:] if count(trail[-1]) <= 1 else trail
    return SEPARATOR.join((table, *shown))


# Plain figures (`3921.33`, `3,921.33`, `93.59%`) are most of what a batch reads:
# one match skips the general parser, which gives the same Decimal for them.
def read_unit(plan: Plan, raw: Any, smap: SourceMap, file: str, digest: str | None = None, absent: tuple[str, ...] = (),
              generated: bool = True) -> UnitData:
    """Check `raw` (a loaded data file) against `plan`; raise with every problem.
    `absent`: figures a sheet has no column for (a category it leaves out),
    missing (None) whatever their sums would say. `generated`: plain rows and
    entries read by readers generated for the plan (compiled on first use,
    worth it for many units; one file read for one evaluation goes without)."""
    rd = Reader(smap, file)
    if not isinstance(raw, dict):
        raise DiagnosticError([Diagnostic("input.not_mapping", rd.at(()))])
    if raw and _TOP_KEY_SET.isdisjoint(raw):
        # Some other file read as YAML keys (`/etc/shadow`): refused as a whole,
        # so no message quotes its lines.
        raise DiagnosticError([Diagnostic("input.not_data", rd.at(()))])
    for key in () if _TOP_KEY_SET.issuperset(raw) else raw:
        if key not in _TOP_KEY_SET:
            rd.add("input.unknown_key", rd.key_at((key,)), key=show_value(key), suggestion=suggest(str(key), TOP_KEYS), known=", ".join(TOP_KEYS))

    subject = raw.get("subject")
    if isinstance(subject, str) and subject.strip():
        subject = {"name": subject}
    elif not isinstance(subject, dict) or not isinstance(subject.get("name"), str) or not subject["name"].strip():
        rd.add("input.no_subject", rd.at(("subject",)))
        subject = {"name": ""}
    else:
        _check_name(subject["name"], ("subject",) if isinstance(raw.get("subject"), str) else ("subject", "name"), rd)
    ruleset_ref = raw.get("ruleset") if isinstance(raw.get("ruleset"), str) else None
    year = raw.get("year")
    if year is not None and year != plan.ruleset.year:
        rd.add("input.year_mismatch", rd.at(("year",)), year=show_value(year), expected=plan.ruleset.year, ruleset=plan.ruleset.title)

    index = made_for(_PLAN_INDEX, plan, _PlanIndex, 64)
    values: dict[str, Any] = {}
    if generated and index.inputs is None:
        index.inputs = _generated(_plain_inputs_source(plan), f"<inputs reader: {plan.file}>", "read_inputs") or _not_plain
    if not (generated and index.inputs(raw.get("inputs"), values)):
        _read_inputs(plan, raw.get("inputs"), rd, values)
    tables: dict[str, TableRow] = {}
    _read_tables(plan, raw.get("tables"), rd, tables, generated)
    if generated and index.flat is None:
        index.flat = _generated(_table_figures_source(plan), f"<table figures: {plan.file}>", "table_figures") or _table_figures
    (index.flat if generated else _table_figures)(plan, tables, values)
    entries: dict[str, dict] = {}
    entry_keys: dict[str, str] = {}
    _read_entries(plan, index, raw.get("indicators"), rd, entries, entry_keys, generated)
    narrative = _narrative(plan, raw.get("narrative"), rd)
    unit_plan = None
    stated: list[StatedFigure] = []
    notices: tuple[Diagnostic, ...] = ()
    if plan.frames or "indicator_rows" in raw:  # a project's own indicators (engine/unit/indicator_rows.py)
        # cold start: only projects have indicator rows
        from engine.unit.indicator_rows import read_rows

        unit_plan, smap, row_problems = read_rows(plan, raw.get("indicator_rows"), smap, entries, rd.at, stated, generated)
        rd.problems += [d for d in row_problems if d.severity == "error"]
        notices = tuple(d for d in row_problems if d.severity != "error")
    if "stated" in raw:  # the form's printed figures (engine/unit/stated.py)
        printed, stated_problems = read_stated(raw["stated"], smap, rd.at, coerce)
        rd.problems += stated_problems
        if unit_plan is not None or not plan.frames:  # names are checked once the rows are in place
            rd.problems += check_names(printed, (unit_plan or plan).roots, smap, rd.at)
        stated += printed

    if rd.problems:
        raise DiagnosticError(sorted(rd.problems, key=sort_key))
    if absent:
        values.update(dict.fromkeys(absent))
    return UnitData(file, digest or "", subject, ruleset_ref, values, entries, tables, smap, plan=unit_plan or plan, entry_keys=entry_keys, stated=tuple(stated), notices=notices, narrative=narrative)


def _section(given: Any, name: str, rd: Reader) -> dict | None:
    """A section as a mapping ({} when absent), or None after reporting it."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        rd.add("input.section_not_mapping", rd.at((name,)), section=name)
        return None
    return given


def _narrative(plan: Plan, given: Any, rd: Reader) -> Mapping[str, Any]:
    """`narrative:`, checked now and made when first read (a `LazyMapping`): a
    section whose every text is plainly well formed (`_well_formed`) can hold
    no problem, and a batch's results never show its ~4 KB of paragraphs; any
    other section is read at once by `_read_narrative`, which reports it."""
    if given is None:
        return {}
    if given.__class__ is dict and _well_formed(plan, given):
        return LazyMapping(_checked_narrative, plan, given) if given else {}
    return _read_narrative(plan, given, rd)


def _well_formed(plan: Plan, section: dict) -> bool:
    """Whether `_read_narrative` takes every text of `section` without a
    problem, seen by its plain shapes only (texts, lists of texts, known
    names, `{title, text}`); False sends anything else to that reader, which
    decides. tests/test_narrative_lazy.py holds the two together."""
    decls, known = _narrative_decls(plan)
    for key, value in section.items():
        decl = decls.get(key)
        if decl is None:
            return False
        if decl.kind == "text":
            if not _plain_text(value):
                return False
            continue
        if value.__class__ is not dict or not known[decl.kind][1].issuperset(value):
            return False
        for item in value.values():
            if item.__class__ is dict:
                if not _ITEM_KEYS.issuperset(item) or item.get("title").__class__ not in (str, type(None)):
                    return False
                item = item.get("text", "")
            if not _plain_text(item):
                return False
    return True


def _plain_text(value: Any) -> bool:
    """A text, or a list of texts (checked by `"".join`, in C)."""
    if value.__class__ is str:
        return True
    if value.__class__ is not list:
        return False
    try:
        "".join(value)
    except TypeError:
        return False
    return True


_ITEM_KEYS = frozenset(NARRATIVE_ITEM_KEYS)


def _checked_narrative(plan: Plan, section: dict) -> dict[str, Any]:
    """The texts of a section `_well_formed` passed (no problem to report).
    The section is the loaded data's own, which nothing changes once read."""
    return _read_narrative(plan, section, Reader(SourceMap(), ""))


def _read_narrative(plan: Plan, given: Any, rd: Reader) -> dict[str, Any]:
    """`narrative:` — the report's texts, by the keys the ruleset declares."""
    section = _section(given, "narrative", rd)
    if not section:
        return {}
    decls, known = _narrative_decls(plan)
    out: dict[str, Any] = {}
    for key, value in section.items():
        decl = decls.get(key)
        path = ("narrative", key)
        if decl is None:
            rd.add("input.unknown_narrative", rd.key_at(path), key=key, suggestion=suggest(str(key), decls), known="、".join(decls) or "—")
            continue
        if decl.kind == "text":
            text = _narrative_text(value, path, rd, key)
            if text is not None:
                out[key] = text
            continue
        if not isinstance(value, dict):
            rd.add("input.narrative_not_by_name", rd.at(path), key=key)
            continue
        names, name_set = known[decl.kind]
        parts: dict[str, NarrativeText] = {}
        for name, item in value.items():
            if name not in name_set:
                code = "input.narrative_unknown_table" if decl.kind == "by_table" else "input.narrative_unknown_indicator"
                rd.add(code, rd.key_at(path + (name,)), key=key, name=name, suggestion=suggest(str(name), names))
                continue
            text = _narrative_text(item, path + (name,), rd, key, titled=True)
            if text is not None:
                parts[str(name)] = text
        out[key] = parts
    return out


_NARRATIVE_DECLS: dict[int, tuple[Any, tuple]] = {}  # id(plan) → (it, (key → declaration, kind → names))


def _narrative_decls(plan: Plan) -> tuple[dict, dict]:
    """The plan's narrative declarations by key and, per kind given by name,
    the names it takes (made once per plan, not per unit)."""
    return made_for(_NARRATIVE_DECLS, plan, _make_narrative_decls, 256)


def _make_narrative_decls(plan: Plan) -> tuple[dict, dict]:
    decls = {d.key: d for d in plan.ruleset.report.narrative}
    known = {kind: (names, frozenset(names)) for kind in ("by_table", "by_indicator") for names in [_narrative_names(plan, kind)]}
    return decls, known


def _narrative_names(plan: Plan, kind: str) -> list[str]:
    if kind == "by_table":
        return list(plan.ruleset.tables)
    names: list[str] = []
    stack = list(plan.roots)
    while stack:
        node = stack.pop(0)
        names.append(node.name)
        stack.extend(node.children)
    return names


def _narrative_text(value: Any, path: tuple, rd: Reader, key: str, titled: bool = False) -> NarrativeText | None:
    """A text, a list of paragraphs, or (per name) `{title: …, text: …}`."""
    title = None
    if titled and isinstance(value, dict):
        for k in value:
            if k not in NARRATIVE_ITEM_KEYS:
                rd.add("input.unknown_entry_key", rd.key_at(path + (k,)), key=k, name=path[-1], suggestion=suggest(str(k), NARRATIVE_ITEM_KEYS), known=", ".join(NARRATIVE_ITEM_KEYS))
        title = value.get("title")
        if title is not None and not isinstance(title, str):
            rd.add("input.narrative_not_text", rd.at(path + ("title",)), key=key)
            title = None
        path, value = path + ("text",), value.get("text", "")
    # Each line stripped, blank ones dropped (in C: a unit's narrative is ~4 KB of text).
    if isinstance(value, str):
        return _new(NarrativeText, (tuple(filter(None, map(str.strip, value.splitlines()))), title))
    if isinstance(value, list):
        try:  # `str.strip` takes exactly what isinstance(v, str) does: one walk, not two
            return _new(NarrativeText, (tuple(filter(None, map(str.strip, value))), title))
        except TypeError:
            pass
        for i, v in enumerate(value):
            if not isinstance(v, str):
                rd.add("input.narrative_not_text", rd.at(path + (i,)), key=key)
        return None
    rd.add("input.narrative_not_text", rd.at(path), key=key)
    return None


def _suggested(rd: Reader, code: str) -> set:
    """Names already offered as "did you mean" for unknown `code` entries: a
    misspelt name is reported once, as unknown, not again as missing."""
    return {d.args.get("suggestion") for d in rd.problems if d.code == code} - {None}


def _read_inputs(plan: Plan, given: Any, rd: Reader, values: dict) -> None:
    decls = plan.ruleset.inputs
    given = _section(given, "inputs", rd)
    if given is None:
        return
    coercers = _input_coercers(decls)
    for name, value in given.items():
        fast = coercers.get(name)
        if fast is None:
            rd.add("input.unknown_input", rd.key_at(("inputs", name)), name=name, suggestion=suggest(str(name), decls))
            continue
        decl = decls[name]
        v, code = fast(value)
        if code or v is _EMPTY:  # the words of a problem, only for a problem
            label = {"label": decl.label or name, "alias": name if decl.label and decl.label != name else ""}
        if code:
            rd.add(code, rd.at(("inputs", name)), value=show_value(value), **label)
            continue
        if v is _EMPTY:
            if decl.required and decl.default is None:
                rd.add("input.required_empty", rd.at(("inputs", name)), **label)
            values[name] = _default(decl)
        else:
            values[name] = v
    misspelt = _suggested(rd, "input.unknown_input")
    for name, decl in decls.items():
        if name in given:
            continue
        if decl.required and decl.default is None:
            if name not in misspelt:
                rd.add("input.missing", rd.section_at("inputs"), name=name, label=decl.label or name)
        else:
            values[name] = _default(decl)


def _plain_inputs_source(plan: Plan) -> tuple[str, dict] | None:
    """`_read_inputs` generated for one plan, for a section that gives every
    declared input in the declared order, each a plain figure (`plain_figure`,
    inlined) or a value its converter takes: True once all are in `values`;
    False, with nothing put there, for any other section, which the general
    reader then reads (and reports). tests/test_inputs_fast.py holds the two
    to the same values."""
    decls = plan.ruleset.inputs
    if not decls or len(decls) > 1000:  # a variable per input: too many to compile quickly
        return None
    coercers = _input_coercers(decls)
    ns: dict[str, Any] = {**figure_names(), "_EMPTY": _EMPTY, "_names": tuple(decls)}
    out = ["def read_inputs(given, values):",
           "    if given.__class__ is not dict or tuple(given) != _names:",
           "        return False",
           f"    {', '.join(f'v{i}' for i in range(len(decls)))}, = given.values()"]
    for i, (name, decl) in enumerate(decls.items()):
        ns[f"_c{i}"] = coercers[name]
        plain = plain_figure(decl.type, decl.allow_negative, f"v{i}")
        if plain is not None:  # a plain figure at once; anything else (a blank, a zero, …) by the converter
            out += [f"    if v{i}.__class__ is not str or not (x{i} := {plain}):", f"        x{i}, code = _c{i}(v{i})",
                    f"        if code is not None or x{i} is _EMPTY:", "            return False"]
        else:
            out += [f"    x{i}, code = _c{i}(v{i})", f"    if code is not None or x{i} is _EMPTY:", "        return False"]
    out += [f"    values[{name!r}] = x{i}" for i, name in enumerate(decls)]
    out.append("    return True")
    return "\n".join(out) + "\n", ns


def _not_plain(given: Any, values: dict) -> bool:
    """The inputs reader of a plan too large for a generated one: the general reader reads every section."""
    return False


def _default(decl) -> Any:
    if decl.default is None:
        return None
    if decl.type == "text":
        return str(decl.default)
    v, _ = coerce(decl.default, decl.type, True)
    return None if v is _EMPTY else v


def _read_tables(plan: Plan, given: Any, rd: Reader, tables: dict, generated: bool = False) -> None:
    decls = plan.ruleset.tables
    given = _section(given, "tables", rd)
    if given is None:
        return
    for tname, rootdata in given.items():
        decl = decls.get(tname)
        if decl is None:
            rd.add("input.unknown_table", rd.key_at(("tables", tname)), table=tname, suggestion=suggest(str(tname), decls))
            continue
        row = _read_row(decl, rootdata, ("tables", tname), rd, tname, None, _NameCount(rootdata), generated)
        if row is not None:
            tables[tname] = row
    misspelt = _suggested(rd, "input.unknown_table")
    for tname, decl in decls.items():
        if tname not in given and decl.required and tname not in misspelt:
            rd.add("input.missing_table", rd.section_at("tables"), table=tname, label=decl.label or tname)


class _NameCount:
    """How often a row name occurs in a table, counted only when a problem
    needs a row's label (most units have none)."""

    __slots__ = ("data", "counts")

    def __init__(self, data: Any):
        self.data, self.counts = data, None

    def __call__(self, name: str) -> int:
        if self.counts is None:
            self.counts = _raw_name_counts(self.data)
        return self.counts[name]


def _raw_name_counts(data: Any) -> Counter:
    counts: Counter = Counter()
    stack = list(data.get("rows") or []) if isinstance(data, dict) and isinstance(data.get("rows"), list) else []
    while stack:
        row = stack.pop()
        if isinstance(row, dict):
            counts[_row_name(row)] += 1
            if isinstance(row.get("rows"), list):
                stack.extend(row["rows"])
    return counts


def _check_name(name: str, path: tuple, rd: Reader) -> None:
    """A name is shown in reports, forms and on terminals: bidirectional
    controls (U+202E …) would show it reversed or hide part of it, so they are
    refused, located."""
    found = bidi_controls(name)
    if found:
        rd.add("input.bidi_in_name", rd.at(path), value="、".join(dict.fromkeys(found)))


def _row_name(data: dict) -> str:
    """A row's name as text ('' when missing or not a name)."""
    name = data.get("name")
    if isinstance(name, Decimal):
        name = format(name, "f")
    return name.strip() if isinstance(name, str) else ""


def _read_row(decl, data: Any, path: tuple, rd: Reader, tname: str, trail: tuple | None, name_count, generated: bool = False) -> TableRow | None:
    """One row and its sub-rows; `trail` is None for the top row. `generated`:
    by the generated reader (`_plain_row_source`), where there is one."""
    general, plain = _row_readers(decl, generated)
    return (plain if generated else general)(data, path, rd, tname, trail, name_count)


_ROW_READERS: dict[int, tuple[Any, list]] = {}  # id(table declaration) → (it, [general reader, generated reader or None])


def _row_readers(decl, generated: bool = True) -> list:
    """The row readers of one table declaration, made once per plan: the
    general one (its columns' converters and categories bound, so a row costs
    what its own cells do: a table row is what a unit holds most of) and,
    asked for with `generated`, the one generated for plainly written rows
    (the general one again if the declaration is too wide to compile)."""
    readers = made_for(_ROW_READERS, decl, lambda d: [_general_row_reader(d), None], 256)
    if generated and readers[1] is None:
        readers[1] = _generated(_plain_row_source(decl, readers[0]), f"<row reader: {decl.label or 'table'}>", "read") or readers[0]
    return readers


def _plain_row_source(decl, general: Callable) -> tuple[str, dict] | None:
    """A row reader generated for one table declaration, for rows written
    plainly: a mapping with a text name, known keys, listed categories and
    plain figures (`plain_figure`, inlined per column kind) or cells its
    column's converter takes. A row that is anything else is read by
    `general` (which reports what is wrong), each of its sub-rows too; the
    generated one adds no problem of its own. tests/test_inputs_fast.py holds
    the two to the same rows and problems."""
    coercers = _column_coercers(decl)
    if len(coercers) > 200:
        return None
    groups: dict[tuple[str | None, bool], list[str]] = {}
    for key, column in decl.columns.items():
        if key in ROW_KEYS:
            continue
        plain = plain_figure(column.type, column.allow_negative, "value")
        # a blank cell (what most absent figures are) is empty at once when its converter says so
        blank = coerce("", column.type, column.allow_negative, decl.unit) == (_EMPTY, None)
        groups.setdefault((plain, blank), []).append(key)
    ns: dict[str, Any] = {**figure_names(), "_general": general, "_co": {k: c for k, c in coercers.items() if k not in ROW_KEYS},
                          "_row_keys": frozenset(ROW_KEYS), "_EMPTY": _EMPTY, "_bidi": _BIDI_SEARCH, "_new": _new,
                          "TableRow": TableRow, "_categories": frozenset(decl.categories)}
    out = ["def read(data, path, rd, tname, trail, name_count):",
           "    if data.__class__ is not dict:",
           "        return _general(data, path, rd, tname, trail, name_count)",
           "    name = data.get('name')",
           "    if name.__class__ is not str:",
           "        return _general(data, path, rd, tname, trail, name_count)",
           "    name = name.strip()",
           "    if not name or not name.isprintable() and _bidi(name) is not None:  # a bidi control is never printable",
           "        return _general(data, path, rd, tname, trail, name_count)",
           "    values = {}",
           "    for key, value in data.items():"]
    converted = ["x, code = _co[key](value)",
                 "if code is not None:",
                 "    return _general(data, path, rd, tname, trail, name_count)",
                 "values[key] = None if x is _EMPTY else x"]
    branch = "if"
    for g, ((plain, blank), keys) in enumerate(groups.items()):
        ns[f"_g{g}"] = frozenset(keys)
        out.append(f"        {branch} key in _g{g}:")
        if plain is not None:  # a plain figure at once; anything else (a zero, a mark, …) by the converter
            out += [f"            if value.__class__ is str and (x := {plain}):", "                values[key] = x",
                    *(["            elif value == '':", "                values[key] = None"] if blank else []),
                    "            else:",
                    *("                " + line for line in converted)]
        else:
            out += ["            " + line for line in converted]
        branch = "elif"
    out += [f"        {branch} key not in _row_keys:" if groups else "        if key not in _row_keys:",
            "            return _general(data, path, rd, tname, trail, name_count)",
            "    category = data.get('category')",
            "    if category is None:",
            "        if name in _categories:",
            "            category = name",
            "    elif category.__class__ is not str or category not in _categories:",
            "        return _general(data, path, rd, tname, trail, name_count)",
            "    own_trail = () if trail is None else trail + (name,)",
            "    sub = data.get('rows')",
            "    if sub is None:",
            "        return _new(TableRow, (name, category, values, path, (), own_trail))",
            "    if sub.__class__ is not list:",
            "        return _general(data, path, rd, tname, trail, name_count)",
            "    children = []",
            "    for i, child in enumerate(sub):",
            "        r = read(child, path + ('rows', i), rd, tname, own_trail, name_count)",
            "        if r is not None:",
            "            children.append(r)",
            "    return _new(TableRow, (name, category, values, path, tuple(children), own_trail))"]
    return "\n".join(out) + "\n", ns


def _general_row_reader(decl) -> Callable:
    every_column = list(_column_coercers(decl))
    columns = {k: c for k, c in _column_coercers(decl).items() if k not in ROW_KEYS}  # name, category, rows: the row's own
    listed = decl.categories
    categories = frozenset(listed)
    row_keys = frozenset(ROW_KEYS)
    empty = _EMPTY
    bidi = _BIDI_SEARCH

    def read(data: Any, path: tuple, rd: Reader, tname: str, trail: tuple | None, name_count) -> TableRow | None:
        if data.__class__ is not dict and not isinstance(data, dict):
            rd.add("input.row_not_mapping", rd.at(path), table=tname)
            return None
        name = data.get("name")
        name = name.strip() if name.__class__ is str else _row_name(data)
        if not name:
            rd.add("input.row_no_name", rd.at(path), table=tname)
        elif bidi(name) is not None:
            _check_name(name, path + ("name",), rd)
        own_trail = () if trail is None else trail + (name,)
        values: dict[str, Any] = {}
        for key, value in data.items():
            fast = columns.get(key)
            if fast is None:
                if key in row_keys:
                    continue
                rd.add("input.unknown_column", rd.key_at(path + (key,)), table=tname, column=key, suggestion=suggest(str(key), every_column + list(ROW_KEYS)))
                continue
            v, code = fast(value)
            if code:
                rd.add(code, rd.at(path + (key,)), value=show_value(value), label=row_label(tname, name, own_trail, name_count), field=key)
            else:
                values[key] = None if v is empty else v
        category = data.get("category")
        if category is not None and category not in listed:  # (a category may be any value: not hashed)
            rd.add("input.unknown_category", rd.at(path + ("category",)), table=tname, category=category, suggestion=suggest(str(category), decl.categories), known="、".join(decl.categories))
        if category is None and name in categories:
            category = name
        sub = data.get("rows")
        if sub is None:
            return TableRow(name, category, values, path, (), own_trail)
        children: list[TableRow] = []
        if sub.__class__ is not list and not isinstance(sub, list):
            rd.add("input.rows_not_list", rd.at(path + ("rows",)), table=tname)
        else:
            for i, child in enumerate(sub):
                r = read(child, path + ("rows", i), rd, tname, own_trail, name_count)
                if r is not None:
                    children.append(r)
        return TableRow(name, category, values, path, tuple(children), own_trail)

    return read


def _table_figures(plan: Plan, tables: dict[str, TableRow], values: dict) -> None:
    """Each figure formulas read from a table (`预算调整表.年初预算数`: the
    total row's; `预算调整表.基本支出.年初预算数`: a category's sum) into
    `values`, in the plan's order."""
    by_category: dict[str, dict[str, list[TableRow]]] = {}
    for flat, (tname, cat, col) in plan.table_names.items():
        root = tables.get(tname)
        if root is None:
            continue
        if cat is None:
            values[flat] = table_value(root, None, col)
            continue
        rows = by_category.get(tname)
        if rows is None:
            rows = by_category[tname] = category_rows(root)
        values[flat] = _column_sum(rows.get(cat, ()), col)


def _table_figures_source(plan: Plan) -> tuple[str, dict] | None:
    """`_table_figures` generated for one plan: each category's rows walked
    once for all its columns (the same additions, in the same order, as
    `_column_sum` makes column by column), the figures then put in the
    plan's order."""
    names = plan.table_names
    if not names or len(names) > 1000:  # a variable per figure: too many to compile quickly, `_table_figures` serves
        return None
    ns: dict[str, Any] = {"Decimal": Decimal, "ZERO": ZERO, "category_rows": category_rows}
    tables = list(dict.fromkeys(t for t, _, _ in names.values()))
    out = ["def table_figures(plan, tables, values):"]
    sums: dict[tuple, str] = {}  # (table, category, column) → its variable
    for t, tname in enumerate(tables):
        cats: dict[str, list[str]] = {}
        for tn, cat, col in names.values():
            if tn == tname and cat is not None:
                cats.setdefault(cat, []).append(col)
        out += [f"    root{t} = tables.get({tname!r})", f"    if root{t} is not None:"]
        if cats:
            out.append(f"        by_category = category_rows(root{t})")
        for c, (cat, cols) in enumerate(cats.items()):
            cols = list(dict.fromkeys(cols))
            vs = [f"s{t}_{c}_{k}" for k in range(len(cols))]
            sums.update({(tname, cat, col): v for col, v in zip(cols, vs)})
            out += [f"        {' = '.join(vs)} = ZERO", f"        for row in by_category.get({cat!r}, ()):", "            g = row.values.get"]
            for col, v in zip(cols, vs):
                out += [f"            v = g({col!r})", "            if v.__class__ is Decimal or isinstance(v, Decimal):", f"                {v} += v"]
    for flat, (tname, cat, col) in names.items():
        t = tables.index(tname)
        out.append(f"    if root{t} is not None:")
        if cat is None:  # the total row's figure (`table_value`)
            out += [f"        v = root{t}.values.get({col!r})", f"        values[{flat!r}] = v if v is None or isinstance(v, Decimal) else None"]
        else:
            out.append(f"        values[{flat!r}] = {sums[(tname, cat, col)]}")
    return "\n".join(out) + "\n", ns


def table_value(root: TableRow, category: str | None, column: str) -> Decimal | None:
    """The total row's figure, or the sum over the rows of a category (a matched
    row's own sub-rows are not counted again). Blank cells count as 0."""
    if category is None:
        v = root.values.get(column)
        return v if v is None or isinstance(v, Decimal) else None
    total = ZERO
    stack = list(root.rows)
    while stack:
        row = stack.pop()
        if row.category == category:
            v = row.values.get(column)
            if isinstance(v, Decimal):
                total += v
        else:
            stack.extend(row.rows)
    return total


def category_rows(root: TableRow) -> dict[str, list[TableRow]]:
    """Each category's rows below `root`, as `table_value` finds them (a row
    inside one of its own category is not counted again), in its order."""
    out: dict[str, list[TableRow]] = {}

    def walk(rows: tuple, above: frozenset) -> None:
        for row in reversed(rows):  # table_value's stack visits the last row first
            cat = row.category
            if cat is not None and cat not in above:
                out.setdefault(cat, []).append(row)
                if row.rows:
                    walk(row.rows, above | {cat})
            elif row.rows:
                walk(row.rows, above)

    walk(root.rows, frozenset())
    return out


def _column_sum(rows, column: str) -> Decimal:
    total = ZERO
    for row in rows:
        v = row.values.get(column)
        if isinstance(v, Decimal):
            total += v
    return total


def _read_entries(plan: Plan, index: "_PlanIndex", given: Any, rd: Reader, entries: dict, entry_keys: dict, generated: bool) -> None:
    given = _section(given, "indicators", rd)
    if given is None:
        return
    leaves, readers, unmeasured = index.leaves, index.readers, plan.ruleset.policy.unmeasured_actual
    for key, entry in given.items():
        found = leaves.get(key)
        if found is None:
            path = ("indicators", key)
            if key in index.branches:
                rd.add("input.branch_entry", rd.key_at(path), name=key)
            else:
                rd.add("input.unknown_indicator", rd.key_at(path), name=key, suggestion=suggest(str(key), index.known))
            continue
        node, read = found
        if node.key in entries:
            rd.add("input.duplicate_indicator", rd.key_at(("indicators", key)), name=node.name)
            continue
        entry_keys[node.key] = key
        if entry.__class__ is not dict and not isinstance(entry, dict):
            rd.add("input.entry_not_mapping", rd.at(("indicators", key)), name=node.name)
            entries[node.key] = {}
            continue
        # the indicator's generated reader takes a plain entry; anything else is read (and reported) by _entry_data
        if generated and read is not None:
            made = readers.get(node.key)
            if made is None:
                made = readers[node.key] = read(node)
            out = made(entry)
        else:
            out = None
        entries[node.key] = out if out is not None else _entry_data(node, entry, ("indicators", key), rd, unmeasured)
    if entries.keys() >= index.required:
        return  # every leaf that needs a field given: none is missing
    misspelt = _suggested(rd, "input.unknown_indicator")
    for node, need in index.needing:
        if need and node.key not in entries and node.key not in misspelt and node.name not in misspelt:
            rd.add(f"input.missing_{need}", rd.section_at("indicators"), name=node.name, key=node.key)


_PLAN_INDEX: dict[int, tuple[Any, "_PlanIndex"]] = {}  # id(plan) → (it, its _PlanIndex)


class _PlanIndex:
    """What reading a unit under a plan needs, made once per plan: its leaves
    as a unit's `indicators:` names them, by id, else by name, each with its
    entry reader (`entry_reader`, None when the plan has too many leaves to
    compile one each; kept in `readers` once made); every leaf with the field
    it must be given (`_needed_field`), and the ids of those that need one;
    the branches' ids and names; the
    names suggested for an unknown one; the plan's generated table figures
    (`_table_figures_source`) and inputs reader (`_plain_inputs_source`),
    made on first use."""

    __slots__ = ("leaves", "readers", "needing", "required", "branches", "known", "flat", "inputs")

    def __init__(self, plan: Plan):
        read = entry_reader if len(plan.leaves) <= SPECIALISE_MAX_LEAVES else None
        by_key = {n.key: (n, read) for n in plan.leaves}
        by_name = {n.name: (n, read) for n in plan.leaves}
        self.leaves = {**by_name, **by_key}  # an id before a name, as `by_key.get(key) or by_name.get(key)` looks
        self.readers: dict[str, Callable] = {}  # leaf id → its entry reader, once a unit is read by them
        self.flat: Callable | None = None  # the plan's generated `_table_figures`, made on first use
        self.inputs: Callable | None = None  # the plan's generated inputs reader (`_plain_inputs_source`), made on first use
        self.needing = tuple((n, _needed_field(n)) for n in plan.leaves)
        self.required = frozenset(n.key for n, need in self.needing if need)
        self.branches = _branch_names(plan)
        self.known = list(by_key) + list(by_name)


def _branch_names(plan: Plan) -> set[str]:
    out: set[str] = set()
    stack = list(plan.roots)
    while stack:
        n = stack.pop()
        if n.children:
            out.update((n.key, n.name))
            stack.extend(n.children)
    return out


def load_unit(plan: Plan, path: str, display: str | None = None) -> UnitData:
    """Load a data file (YAML or JSON) and check it against `plan`."""

    name = display or path
    text = read_file(path, name)
    raw, smap = load_text(text, name)
    return read_unit(plan, raw, smap, name, digest_of(text))
