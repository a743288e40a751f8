"""One unit of a batch (runs in the worker processes): read its data from a
file, a JSON line or a table row, evaluate it, and return a `UnitOutcome`
holding its result piece or its located error lines."""
from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.messages import json_problem
from engine.base.sourcemap import SourceMap
from engine.evaluation.evaluate import evaluate
from engine.load.tables import cell_text
from engine.ruleset.plan import Plan
from engine.base.digest import digest_of
from engine.ruleset.loading import load_plan
from engine.unit.columns import ColumnMap, RowsMap, row_smap
from engine.unit.inputs import read_unit
from engine.batch.writers import result_row
from engine.render import jsonl
from engine.load.yaml_loader import load_text, read_file
from engine.load.yaml_loader import loads_json_line
from json.decoder import scanstring


class UnitOutcome(NamedTuple):
    """What became of one unit (or of a line row that belongs to no unit)."""

    ok: bool | None  # None: a line row that belongs to no unit
    where: str
    name: str | None
    total: Any
    grade: str | None
    warnings: int
    piece: Any  # the result as a JSON line (str, or UTF-8 bytes from a worker) or a table row
    errors: tuple[str, ...]
    internal: bool  # the unit hit a bug in jixiao (reported, not fatal)


@dataclass
class _State:
    plan: Plan
    lang: str
    format: str
    cmaps: dict[str, ColumnMap] = field(default_factory=dict)
    rmap: RowsMap | None = None


_STATE: _State | None = None


def _init_worker(ruleset: str, display: str, lang: str, fmt: str, cmaps: dict, rmap) -> None:
    global _STATE
    # Ctrl-C reaches every process of the terminal's group: the main process
    # alone answers it (it stops the workers); a worker stopped with SIGTERM
    # just ends, without the main process's handler.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _STATE = _State(load_plan(ruleset, display), lang, fmt, cmaps, rmap)


def _work(chunk: list) -> list:
    state = _STATE
    assert state is not None
    out = [process(state, p) for p in chunk]
    if state.format == "jsonl":
        # Lines go back to the main process as UTF-8, ready to write: it
        # neither decodes nor encodes them (with several workers it is the
        # one process every line passes through).
        out = [o._replace(piece=(o.piece + "\n").encode("utf-8")) if o.ok else o for o in out]
    return out


def process(state: _State, payload: tuple) -> UnitOutcome:
    """One unit (a payload from `pool.Batch.payloads`) → its `UnitOutcome`."""
    plan = state.plan
    kind = payload[0]
    file = payload[2] if kind == "file" else payload[1]
    where = file if kind == "file" else f"{file}:{payload[2]}"
    if kind == "orphan":
        d = Diagnostic("batch.orphan_row", SourceSpan(file, payload[2], 1), {"key": payload[3] or ""})
        return UnitOutcome(None, where, None, None, None, 0, None, (d.render(state.lang),), False)
    try:
        raw, smap, digest = _unit_data(state, payload)
        try:
            unit = read_unit(plan, raw, smap, file, digest)
        except DiagnosticError as e:
            if kind == "line":
                e = _exact_columns(plan, payload, e)
            elif kind == "row":
                e = DiagnosticError([_table_words(d, plan) for d in e.diagnostics])
            raise e
        if kind == "row" and state.cmaps[file].absent:
            from dataclasses import replace  # rare: only sheets that leave out a category

            unit = replace(unit, values={**unit.values, **dict.fromkeys(state.cmaps[file].absent)})
        result = evaluate(plan, unit)
        warnings = sum(1 for f in result.findings if f.severity == "warning")
        if state.format == "jsonl":

            piece: Any = jsonl.line(result, state.lang)
        else:
            piece = result_row(result, where)
    except DiagnosticError as e:
        return UnitOutcome(False, where, None, None, None, 0, None, _error_lines(e.diagnostics, where, file, state.lang), False)
    except Exception as e:  # noqa: BLE001 - a bug met by one unit must not cost the others their results
        d = Diagnostic("batch.unit_internal", None, {"error": f"{type(e).__name__}: {e}"[:300]})
        return UnitOutcome(False, where, None, None, None, 0, None, (f"{where}: {d.message(state.lang)}",), True)
    return UnitOutcome(True, where, result.unit.name, result.total, result.grade, warnings, piece, (), False)


def _unit_data(state: _State, payload: tuple) -> tuple[Any, SourceMap, str]:
    """A unit's raw data, where its values are, and the digest of its text."""
    kind = payload[0]
    if kind == "line":
        _, file, number, text = payload

        try:
            raw = loads_json_line(text)
        except ValueError as e:
            col = getattr(e, "colno", 1)
            raise DiagnosticError([Diagnostic("batch.bad_json", SourceSpan(file, number, col), {"problem": json_problem(getattr(e, "msg", str(e)))})]) from None
        return raw, SourceMap(values={(): SourceSpan(file, number, 1)}), digest_of(text)
    if kind == "row":
        _, file, number, cells, lines = payload
        cmap = state.cmaps[file]
        smap = row_smap(file, number, cmap.cols)
        raw = cmap.unit(cells)
        if lines and state.rmap is not None:
            state.rmap.attach(raw, smap, lines)
        return raw, smap, digest_of(json.dumps([cell_text(c) for c in cells], ensure_ascii=False))
    _, path, display = payload

    text = read_file(path, display)
    raw, smap = load_text(text, display)
    return raw, smap, digest_of(text)


# A unit file's words for what is missing (`请在 inputs 下填写 …`) → a table's:
# the column to add, by its header, on the row's line.
_TABLE_CODES = {
    "input.missing": "batch.no_column",
    "input.missing_table": "batch.no_table_columns",
    "input.missing_actual": "batch.no_actual_column",
    "input.missing_score": "batch.no_score_column",
    "input.missing_coefficient": "batch.no_coefficient_column",
    "input.no_subject": "batch.no_name_cell",
}
_HEADER_SUFFIX = {"batch.no_actual_column": "", "batch.no_score_column": ".得分", "batch.no_coefficient_column": ".得分系数"}


def _table_words(d: Diagnostic, plan: Plan) -> Diagnostic:
    """A problem of a table row said as a table's problem: which column (by
    the header to write) the row lacks, not which YAML section."""
    code = _TABLE_CODES.get(d.code)
    if code is None:
        return d
    args = dict(d.args)
    if code == "batch.no_column":
        args["header"] = args.get("label") or args.get("name")
    elif code in _HEADER_SUFFIX:
        args["header"] = f"{args.get('name', '')}{_HEADER_SUFFIX[code]}"
    elif code == "batch.no_table_columns":
        table = plan.ruleset.tables.get(args.get("table", ""))
        column = next(iter(table.columns), "栏目") if table is not None else "栏目"
        args["header"] = f"{args.get('table', '')}.{column}"
    return Diagnostic(code, d.span, args, d.severity)


def _exact_columns(plan: Plan, payload: tuple, error: DiagnosticError) -> DiagnosticError:
    """A bad JSONL record is read again with positions, so its problems point
    at their column, not just the line (only bad records pay for this)."""
    _, file, number, text = payload
    try:
        values, keys = json_positions(text)
    except (ValueError, IndexError, RecursionError):
        return error
    moved = SourceMap({p: SourceSpan(file, number, c) for p, c in values.items()}, {p: SourceSpan(file, number, c) for p, c in keys.items()})

    try:
        read_unit(plan, loads_json_line(text), moved, file)
    except DiagnosticError as e:
        return e
    return error


_WS = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def json_positions(text: str) -> tuple[dict, dict]:
    """1-based character columns of every value and key in one line of JSON,
    by path (the shape `SourceMap` uses)."""

    values: dict[tuple, int] = {}
    keys: dict[tuple, int] = {}

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    def value(i: int, path: tuple) -> int:
        i = skip(i)
        values[path] = i + 1
        ch = text[i]
        if ch == "{" or ch == "[":
            close = "}" if ch == "{" else "]"
            i = skip(i + 1)
            n = 0
            while text[i] != close:
                if ch == "{":
                    start = i
                    key, i = scanstring(text, i + 1)
                    keys[path + (key,)] = start + 1
                    i = skip(i) + 1  # the colon
                    i = value(i, path + (key,))
                else:
                    i = value(i, path + (n,))
                    n += 1
                i = skip(i)
                if text[i] == ",":
                    i = skip(i + 1)
            return i + 1
        if ch == '"':
            return scanstring(text, i + 1)[1]
        m = _JSON_NUMBER.match(text, i)
        if m and m.end() > i:
            return m.end()
        for literal in ("true", "false", "null"):
            if text.startswith(literal, i):
                return i + len(literal)
        raise ValueError(f"unexpected {ch!r} at {i}")

    value(0, ())
    return values, keys


def _error_lines(diagnostics, where: str, file: str, lang: str) -> tuple[str, ...]:
    """`file:row:col: message`; a problem located elsewhere (in the ruleset,
    or in a second table) is prefixed with the unit it belongs to."""
    out = []
    for d in diagnostics:
        text = d.render(lang)
        if d.span is None or d.span.file != file:
            text = f"{where}: {text}"
        out.append(text)
    return tuple(out)
