"""One unit of a batch (runs in the worker processes): read its data from a
file, a JSON line or a table row, evaluate it, and return a `UnitOutcome`
holding its result piece or its located error lines."""
from __future__ import annotations

import signal
from operator import attrgetter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from engine.base import diagnostics
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.sourcemap import SourceMap
from engine.evaluation.evaluate import evaluate
from engine.evaluation.specialised import evaluate_fast
from engine.evaluation.review import line_of
from engine.load.json_line import LineColumns, load_json_line, not_utf8
from engine.load.tables import cell_problems, cell_text, cells_json
from engine.ruleset.plan import Plan
from engine.base.digest import digest_of, digest_of_bytes
from engine.ruleset.loading import load_plan
from engine.unit.columns import ColumnMap, RowsMap, row_smap
from engine.unit.inputs import read_unit
from engine.unit.sheet_units import sheet_reader
from engine.batch.writers import result_row
from engine.batch.row_scores import row_scorer
from engine.render import compact, jsonl
from engine.load.yaml_loader import load_text, read_file


# Problems listed per unit of a batch (as per file elsewhere); the rest are
# counted. A unit with hundreds of unknown keys would otherwise write them all.
MAX_LISTED = diagnostics.MAX_LISTED
_SEVERITY = attrgetter("severity")
_new = tuple.__new__


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
    review: Any = None  # engine.evaluation.review.ReviewLine of a form with printed figures


@dataclass
class _State:
    plan: Plan
    lang: str
    format: str
    cmaps: dict[str, ColumnMap] = field(default_factory=dict)
    rmap: RowsMap | None = None
    result: str = "full"  # jsonl lines: full | compact | scores
    shared: Any = None  # --result compact: the header every line leaves to (render.compact.Shared), made on first use
    debug: bool = False  # a unit's internal error comes with its traceback (`--debug`)


_STATE: _State | None = None


def _init_worker(ruleset: str, display: str, lang: str, fmt: str, cmaps: dict, rmap, result: str = "full", debug: bool = False) -> None:
    global _STATE
    _STATE = _State(load_plan(ruleset, display), lang, fmt, cmaps, rmap, result, debug=debug)


def serve(conn, args: tuple, inherited=None) -> None:
    """A worker process (`engine.batch.workers`): evaluate each chunk of units
    the main process sends through `conn`, send back their outcomes, until the
    pipe closes. `args` are `_init_worker`'s; `inherited` is this process's
    copy of the main process's end of the pipe (a fork has one): closed, so
    that the main process ending, however it ends, ends this one too."""
    # Ctrl-C reaches every process of the terminal's group: the main process
    # alone answers it (it stops the workers); a worker stopped with SIGTERM
    # just ends, without the main process's handler. Both were blocked while
    # this process started (`workers._Worker`), so neither can come before this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if inherited is not None:
        inherited.close()
    lang = args[2]
    try:
        _init_worker(*args)
        broken = None
    except Exception as e:  # noqa: BLE001 - every unit it is sent says so; never a traceback
        broken = internal_error(e)
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):  # the batch is done, or its main process has gone
            return
        try:
            out = _work(chunk) if broken is None else unevaluated(chunk, lang, "batch.unit_internal", broken)
        except Exception as e:  # noqa: BLE001 - outside any one unit's evaluation: the chunk's units say so
            out = unevaluated(chunk, lang, "batch.unit_internal", internal_error(e))
        try:
            conn.send(out)
        except OSError:  # the main process has gone
            return


def internal_error(e: Exception) -> dict:
    """The arguments of `batch.unit_internal` for an exception."""
    return {"error": f"{type(e).__name__}: {e}"[:300]}


def unevaluated(chunk: list, lang: str, code: str, args: dict) -> list[UnitOutcome]:
    """The outcomes of a chunk whose units were not evaluated (its worker
    stopped, or could not start): each unit fails with the message `code`,
    as a bug met by one unit does (it counts as internal: exit 70). A file
    name with a control character and a line row that belongs to no unit need
    no evaluation and are reported as ever."""
    state = _State(None, lang, "")  # type: ignore[arg-type] - neither kind needs the plan
    text = Diagnostic(code, None, args).message(lang)
    out = []
    for p in chunk:
        kind = p[0]
        if kind in ("bad_name", "orphan"):
            out.append(process(state, p))
        else:
            where = p[2] if kind in ("file", "form") else f"{p[1]}:{p[2]}"
            out.append(UnitOutcome(False, where, None, None, None, 0, None, (f"{where}: {text}",), True))
    return out


def packed(payload: tuple) -> tuple:
    """A payload as it travels to a worker: a row of text cells as one string
    joined by U+001F (pickled and unpickled as one object, not 70), unless a
    cell holds U+001F itself or is not text. `_work` unpacks it."""
    if payload[0] != "row":
        return payload
    cells = payload[3]
    try:
        text = "\x1f".join(cells)
    except TypeError:  # a workbook's numbers and dates
        return payload
    if text.count("\x1f") != len(cells) - 1:
        return payload
    return (*payload[:3], text, payload[4])


def unpacked(payload: tuple) -> tuple:
    """A payload `packed` made, as it was (`_work` does the same inline)."""
    p = payload
    return p if p[0] != "row" or p[3].__class__ is not str else (*p[:3], tuple(p[3].split("\x1f")), p[4])


def _work(chunk: list) -> list:
    state = _STATE
    assert state is not None
    out = [process(state, p if p[0] != "row" or p[3].__class__ is not str else (*p[:3], tuple(p[3].split("\x1f")), p[4])) for p in chunk]
    if state.format == "jsonl":
        # Lines go back to the main process as UTF-8, ready to write: it
        # neither decodes nor encodes them (with several workers it is the
        # one process every line passes through).
        # (`_replace` costs a Python call per line; the tuple is made at once)
        out = [_new(UnitOutcome, (*o[:6], (o.piece + "\n").encode("utf-8"), *o[7:])) if o.ok else o for o in out]
    return out


def process(state: _State, payload: tuple) -> UnitOutcome:
    """One unit (a payload from `pool.Batch.payloads`) → its `UnitOutcome`."""
    plan = state.plan
    kind = payload[0]
    if kind == "bad_name":  # a file in a batch folder whose name holds a control character
        d = Diagnostic("batch.control_in_name", SourceSpan(payload[1], 1, 1), {"char": payload[2]})
        return UnitOutcome(False, payload[1], None, None, None, 0, None, (d.render(state.lang),), False)
    if kind == "unreadable":  # a table that cannot be read on from a row (pool.Batch._table_rows)
        _, file, line, problems = payload
        where = f"{file}:{line}"
        return UnitOutcome(False, where, None, None, None, 0, None, _error_lines(problems, where, file, state.lang), False)
    file = payload[2] if kind in ("file", "form") else payload[1]
    where = file if kind in ("file", "form") else f"{file}:{payload[2]}"
    if kind == "orphan":
        d = Diagnostic("batch.orphan_row", SourceSpan(file, payload[2], 1), {"key": payload[3] or ""})
        return UnitOutcome(None, where, None, None, None, 0, None, (d.render(state.lang),), False)
    notes: tuple = ()
    if kind == "row" and state.rmap is None and state.result == "scores" and state.format == "jsonl":
        scored = _scored_row(state, payload)
        if scored is not None:
            return UnitOutcome(True, where, *scored, (), False)
    try:
        unit = _plain_row(state, payload) if kind == "row" and state.rmap is None else None
        if unit is None:
            raw, smap, digest = _unit_data(state, payload)
            if kind == "form":
                raw, smap, notes = raw
            try:
                unit = read_unit(plan, raw, smap, file, digest, state.cmaps[file].absent if kind == "row" else ())
            except DiagnosticError as e:
                if kind == "line":
                    e = _exact_columns(plan, payload, raw, e)
                elif kind == "row":
                    e = DiagnosticError([_table_words(d, plan, state.cmaps[file].cols, state.rmap) for d in e.diagnostics])
                raise e
        result = evaluate_fast(plan, unit) or evaluate(plan, unit)
        if kind == "row":
            result = _table_findings(result)
        warnings = list(map(_SEVERITY, result.findings)).count("warning")  # in C: ~20 findings a unit
        if state.format == "jsonl":
            piece: Any = _json_piece(state, result)
        else:
            piece = result_row(result, where)
    except DiagnosticError as e:
        return UnitOutcome(False, where, None, None, None, 0, None, _error_lines(e.diagnostics, where, file, state.lang), False)
    except Exception as e:  # noqa: BLE001 - a bug met by one unit must not cost the others their results
        d = Diagnostic("batch.unit_internal", None, internal_error(e))
        lines: tuple[str, ...] = (f"{where}: {d.message(state.lang)}",)
        if state.debug:
            import traceback  # only with --debug: where in jixiao it happened, for the maintainers

            lines += tuple(traceback.format_exc().rstrip("\n").splitlines())
        return UnitOutcome(False, where, None, None, None, 0, None, lines, True)
    return UnitOutcome(True, where, result.unit.name, result.total, result.grade, warnings, piece, tuple(d.render(state.lang) for d in notes) if notes else (), False, line_of(result))


def _json_piece(state: _State, result) -> str:
    """The unit's JSON line: full, scores or compact (`--result`)."""
    if state.result == "scores":
        return jsonl.scores_line(result)
    if state.result == "compact":
        if state.shared is None:
            state.shared = compact.shared_for(state.plan, state.lang)
        return compact.line(result, state.shared)
    return jsonl.line(result, state.lang)


def _extra(file: str, number: int, width: int, cells: list) -> Diagnostic:
    csv_file = "1" if file.lower().endswith(".csv") else ""  # the quoting hint is for CSV
    return Diagnostic("batch.extra_cells", SourceSpan(file, number, width + 1), {"count": len(cells), "width": width, "first": cell_text(cells[0])[:40], "csv": csv_file})


def _plain_row(state: _State, payload: tuple):
    """A sheet row read by its sheet's generated reader (`engine.unit.sheet_units`),
    or None: the row has a problem, or the sheet has no such reader — the
    general path then reads it (and says what is wrong)."""
    _, file, number, cells, _lines = payload
    cmap = state.cmaps[file]
    read = sheet_reader(state.plan, cmap)
    if read is None or cmap.extra_cells(cells) or cell_problems(file, number, cells):
        return None
    return read(cells, row_smap(file, number, cmap.cols), file, _row_digest(state, cells))


def _scored_row(state: _State, payload: tuple):
    """(name, total, grade, warnings, scores line) of a sheet row scored by
    its sheet's generated scorer (`engine.batch.row_scores`), or None: the
    general path evaluates it."""
    try:
        _, file, number, cells, _lines = payload
        cmap = state.cmaps[file]
        score = row_scorer(state.plan, cmap)
        if score is None or cmap.extra_cells(cells) or cell_problems(file, number, cells):
            return None
        return score(cells)
    except Exception:  # noqa: BLE001 - whatever it met, the general path meets again and reports
        return None


def _row_digest(state: _State, cells) -> str:
    # Only a result that prints the input's digest (its stamp, or a table's
    # input_digest column) pays for it: `--result scores` lines have none.
    if state.format == "jsonl" and state.result == "scores":
        return ""
    return digest_of(cells_json(cells))


def _unit_data(state: _State, payload: tuple) -> tuple[Any, SourceMap, str]:
    """A unit's raw data, where its values are, and the digest of its text."""
    kind = payload[0]
    if kind == "line":
        _, file, number, text = payload
        if text.__class__ is bytes:  # a UTF-8 file's line as it was read (engine.batch.sources._lines)
            utf8 = text
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as e:  # damage in a UTF-8 file (sources._utf8_by_evidence): this line only
                raise DiagnosticError([not_utf8(utf8, e, file, number)]) from None
        else:
            utf8 = text.encode("utf-8")  # once, for the digest and the loader's look
        raw, smap = load_json_line(text, file, number, utf8)
        return raw, smap, digest_of_bytes(utf8)
    if kind == "row":
        _, file, number, cells, lines = payload
        problems = cell_problems(file, number, cells)
        if lines and state.rmap is not None:
            for n, line_cells in lines:
                problems += cell_problems(state.rmap.file, n, line_cells)
        if problems:
            raise DiagnosticError(problems)
        cmap = state.cmaps[file]
        # A row longer than its header (an unquoted comma in a CSV cell): the text
        # before the comma would otherwise silently stand for the whole cell.
        extra = [_extra(file, number, cmap.width, cmap.extra_cells(cells))] if cmap.extra_cells(cells) else []
        if lines and state.rmap is not None:
            rmap = state.rmap
            extra += [_extra(rmap.file, n, rmap.width, rmap.extra_cells(c)) for n, c in lines if rmap.extra_cells(c)]
        if extra:
            raise DiagnosticError(extra)
        smap = row_smap(file, number, cmap.cols)
        raw = cmap.unit(cells)
        if lines and state.rmap is not None:
            state.rmap.attach(raw, smap, lines)
        return raw, smap, _row_digest(state, cells)
    if kind == "form":  # a filled workbook: (raw, smap, notes) in place of raw
        # cold start: only filled forms need their readers
        from engine.forms.xlsx_form import open_form

        if payload[1].lower().endswith(".docx"):
            # cold start: only filled forms need their readers
            from engine.forms.docx_form import open_docx
            from engine.render.template import word_layout

            book = word_layout(open_docx(payload[1], payload[2]), state.plan, state.plan.file)
        elif payload[1].lower().endswith(".xls"):
            # cold start: only filled forms need their readers
            from engine.forms.xls_form import open_xls

            book = open_xls(payload[1], payload[2])
        else:
            book = open_form(payload[1], payload[2])
        return book.read(state.plan), None, book.digest
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
# … and when the sheet has the column, its cell left blank: that cell. (A blank
# input cell is read as given and empty: `input.required_empty`, at its cell already.)
_BLANK_CELLS = {"input.missing_actual": ("batch.blank_actual_cell", "actual"), "input.missing_score": ("batch.blank_score_cell", "score"),
                "input.missing_coefficient": ("batch.blank_coefficient_cell", "coefficient")}


def _table_words(d: Diagnostic, plan: Plan, cols: dict, rmap: RowsMap | None) -> Diagnostic:
    """A problem of a table row said as a table's problem: the blank cell when
    the sheet has the column (`cols`: data path → column; a project's own
    indicator rows: `rmap`'s sheet), else which column (by the header to
    write) the row lacks; not which YAML section."""
    code = _TABLE_CODES.get(d.code)
    if code is None:
        return d
    args = dict(d.args)
    blank, col = _BLANK_CELLS.get(d.code), None
    if blank is not None and d.span is not None:
        if rmap is not None and d.span.file == rmap.file:
            col = rmap.columns.get(blank[1])
        else:
            col = cols.get(("indicators", args.get("key"), blank[1]))
    if col is not None:
        return Diagnostic(blank[0], SourceSpan(d.span.file, d.span.line, col), args, d.severity)
    if code == "batch.no_column":
        args["header"] = args.get("label") or args.get("name")
    elif code in _HEADER_SUFFIX:
        args["header"] = f"{args.get('name', '')}{_HEADER_SUFFIX[code]}"
    elif code == "batch.no_table_columns":
        table = plan.ruleset.tables.get(args.get("table", ""))
        column = next(iter(table.columns), "栏目") if table is not None else "栏目"
        args["header"] = f"{args.get('table', '')}.{column}"
    return Diagnostic(code, d.span, args, d.severity)


def _table_findings(result):
    """A table row's findings in a table's words: an unexplained deviation
    names the column to fill (`<指标>.说明`), not a YAML key."""
    if not any(f.code == "deviation.unexplained" for f in result.findings):
        return result
    from dataclasses import replace  # rare: only rows with an unexplained deviation

    findings = tuple(
        f._replace(code="batch.no_explanation_column", args={**f.args, "header": f"{f.args.get('name', '')}.说明"}) if f.code == "deviation.unexplained" else f
        for f in result.findings
    )
    return replace(result, findings=findings)


def _exact_columns(plan: Plan, payload: tuple, raw: Any, error: DiagnosticError) -> DiagnosticError:
    """A bad JSONL record (`raw`, as loaded from its line) is read again with
    positions, so its problems point at their column, not just the line (only
    bad records pay for this)."""
    _, file, number, text = payload
    if text.__class__ is bytes:
        text = text.decode("utf-8")
    moved = SourceMap(LineColumns(text, file, number), LineColumns(text, file, number, keys=True))
    try:
        read_unit(plan, raw, moved, file)
    except DiagnosticError as e:
        return e
    return error


def _error_lines(diagnostics, where: str, file: str, lang: str) -> tuple[str, ...]:
    """`file:row:col: message`; a problem located elsewhere (in the ruleset,
    or in a second table) is prefixed with the unit it belongs to."""
    out = []
    shown = diagnostics[:MAX_LISTED] if len(diagnostics) > MAX_LISTED else diagnostics
    for d in shown:
        text = d.render(lang)
        if d.span is None or d.span.file != file:
            text = f"{where}: {text}"
        out.append(text)
    if len(diagnostics) > MAX_LISTED:  # one unit's problems are listed up to the cap, then counted
        out.append(Diagnostic("cli.more_problems", None, {"file": where, "count": len(diagnostics) - MAX_LISTED}).message(lang))
    return tuple(out)
