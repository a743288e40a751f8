"""Batch evaluation (批量评价): a whole bureau's units against one ruleset.

Inputs are streamed, never held all at once: a folder of unit files (YAML or
JSON), a JSONL file (one unit per line, the shape of a unit file), or a table
(CSV/XLSX, one row per unit, see `engine.columns`), optionally with line rows
on a second sheet or file keyed by the unit's key column.

A bad unit never stops the batch: its problems, located at `file:line:col` or
`file:row:column`, go to the errors output and every other unit is evaluated.
Each good unit's result is exactly the dict `evaluate --format json` gives
(`render.json_out.as_dict`, stamp included), one per line in JSONL, or one
summary row per unit in CSV/XLSX. The `Summary` counts and ranks them.

With `jobs > 1` units are evaluated in worker processes, in chunks, and
written back in input order, so the output is byte-identical to `jobs=1`.
At most a few chunks per worker are in flight, so memory stays flat however
long the input is.

This module writes only to the streams it is given; the CLI opens them
(atomically, through `engine.fileio`).
"""
from __future__ import annotations

import heapq
import json
import os
import re
import sqlite3
import tempfile
from collections import Counter, deque
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterator

from engine.columns import ColumnMap, RowsMap, resolve, resolve_rows, row_smap
from engine.compile import Plan, digest_of, load_plan
from engine.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.evaluate import evaluate
from engine.inputs import read_unit
from engine.model import BatchSpec
from engine.numeric import ZERO, round_half_up
from engine.sourcemap import SourceMap
from engine.tables_in import cell_text, is_table, open_table

UNIT_SUFFIXES = (".yaml", ".yml", ".json")
FORMATS = ("jsonl", "csv", "xlsx")
CHUNK = 128
TOP = 10


@dataclass(frozen=True)
class Options:
    """What to evaluate and how: ruleset, inputs, output format, workers."""

    ruleset: str
    inputs: tuple[str, ...]
    format: str = "jsonl"
    jobs: int = 1  # 0: one per CPU this process may use (one for a small input)
    lang: str = "zh"
    columns: str | None = None  # a mapping file (same shape as the ruleset's `batch:`)
    rows: str | None = None  # a second CSV/XLSX file with line rows keyed by the unit key


# --- per-unit work (runs in the workers) ------------------------------------

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
    _STATE = _State(load_plan(ruleset, display), lang, fmt, cmaps, rmap)


def _work(chunk: list) -> list:
    state = _STATE
    assert state is not None
    out = [process(state, p) for p in chunk]
    if state.format == "jsonl":
        # Lines go back to the main process as UTF-8, ready to write: it
        # neither decodes nor encodes them (with several workers it is the
        # one process every line passes through).
        out = [o if not o[0] else (*o[:6], (o[6] + "\n").encode("utf-8"), *o[7:]) for o in out]
    return out


def process(state: _State, payload: tuple) -> tuple:
    """One unit → (ok, where, name, total, grade, warnings, output piece, error
    lines, internal). `ok` is None for a line row that belongs to no unit;
    `internal` marks a unit that hit a bug in jixiao (reported, not fatal)."""
    plan = state.plan
    kind = payload[0]
    file = payload[2] if kind == "file" else payload[1]
    where = file if kind == "file" else f"{file}:{payload[2]}"
    if kind == "orphan":
        d = Diagnostic("batch.orphan_row", SourceSpan(file, payload[2], 1), {"key": payload[3] or ""})
        return (None, where, None, None, None, 0, None, (d.render(state.lang),), False)
    try:
        raw, smap, digest = _unit_data(state, payload)
        try:
            unit = read_unit(plan, raw, smap, file, digest)
        except DiagnosticError as e:
            if kind == "line":
                e = _exact_columns(plan, payload, e)
            raise e
        result = evaluate(plan, unit)
        warnings = sum(1 for f in result.findings if f.severity == "warning")
        if state.format == "jsonl":
            from engine.render.jsonl import line

            piece: Any = line(result, state.lang)
        else:
            piece = result_row(result, where)
    except DiagnosticError as e:
        return (False, where, None, None, None, 0, None, _error_lines(e.diagnostics, where, file, state.lang), False)
    except Exception as e:  # noqa: BLE001 - a bug met by one unit must not cost the others their results
        d = Diagnostic("batch.unit_internal", None, {"error": f"{type(e).__name__}: {e}"[:300]})
        return (False, where, None, None, None, 0, None, (f"{where}: {d.message(state.lang)}",), True)
    return (True, where, result.unit.name, result.total, result.grade, warnings, piece, (), False)


def _unit_data(state: _State, payload: tuple) -> tuple[Any, SourceMap, str]:
    """A unit's raw data, where its values are, and the digest of its text."""
    kind = payload[0]
    if kind == "line":
        _, file, number, text = payload
        from engine.yaml_loader import loads_json_line

        try:
            raw = loads_json_line(text)
        except ValueError as e:
            col = getattr(e, "colno", 1)
            raise DiagnosticError([Diagnostic("batch.bad_json", SourceSpan(file, number, col), {"problem": getattr(e, "msg", str(e))})]) from None
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
    from engine.yaml_loader import load_text, read_file

    text = read_file(path, display)
    raw, smap = load_text(text, display)
    return raw, smap, digest_of(text)


def _exact_columns(plan: Plan, payload: tuple, error: DiagnosticError) -> DiagnosticError:
    """A bad JSONL record is read again with positions, so its problems point
    at their column, not just the line (only bad records pay for this)."""
    _, file, number, text = payload
    try:
        values, keys = json_positions(text)
    except (ValueError, IndexError, RecursionError):
        return error
    moved = SourceMap({p: SourceSpan(file, number, c) for p, c in values.items()}, {p: SourceSpan(file, number, c) for p, c in keys.items()})
    from engine.yaml_loader import loads_json_line

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
    from json.decoder import scanstring

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


# --- CSV / XLSX result rows -------------------------------------------------

def result_header(plan: Plan, lang: str = "zh") -> list[str]:
    """Columns of the per-unit result table."""
    zh = lang != "en"
    head = ["位置", "名称", "总分", "等级"] if zh else ["location", "name", "total", "grade"]
    head += [n.name for n in _preorder(plan.roots)]
    head += ["发现问题数", "警告数", "偏差指标数"] if zh else ["findings", "warnings", "deviations"]
    head += ["engine", "ruleset_digest", "input_digest"]
    return head


def _preorder(items):
    """Indicators (nodes or results) in tree order, parents first."""
    for item in items:
        yield item
        yield from _preorder(item.children)


def result_row(result, where: str) -> list:
    """One unit's row: location, name, total, grade, every indicator's score,
    counts of findings, and the stamp."""
    from engine.render.json_out import stamp

    places = result.plan.ruleset.rounding.places
    s = stamp(result)
    return [
        where, result.unit.name, result.total, result.grade,
        *(round_half_up(r.score, places) for r in _preorder(result.indicators)),
        len(result.findings), sum(1 for f in result.findings if f.severity == "warning"), len(result.deviations),
        s["engine"], s["ruleset_digest"], s["input_digest"],
    ]


# --- the summary -------------------------------------------------------------

@dataclass
class Summary:
    """Counts, grade distribution, mean and median total, the best and worst
    units, and the units with the most warnings. Constant memory: scores are
    counted by value (totals are rounded, so there are few distinct ones) and
    the rankings are bounded heaps."""

    grades: dict[str, int]
    places: int = 2
    units: int = 0
    evaluated: int = 0
    failed: int = 0
    orphans: int = 0
    internal: int = 0  # failed on a bug in jixiao, not on their data
    scores: Counter = field(default_factory=Counter)
    total: Decimal = ZERO
    _best: list = field(default_factory=list)
    _worst: list = field(default_factory=list)
    _warned: list = field(default_factory=list)
    first_failures: list = field(default_factory=list)

    def add(self, outcome: tuple) -> None:
        ok, where, name, total, grade, warnings = outcome[:6]
        if ok is None:  # a line row that belongs to no unit
            self.orphans += 1
            return
        order = self.units
        self.units += 1
        if not ok:
            self.failed += 1
            self.internal += outcome[8]
            if len(self.first_failures) < TOP:
                self.first_failures.append(where)
            return
        self.evaluated += 1
        self.scores[total] += 1
        self.total += total
        self.grades[grade] = self.grades.get(grade, 0) + 1
        entry = {"name": name, "location": where, "total": total, "grade": grade, "warnings": warnings}
        _push(self._best, (total, -order), entry)
        _push(self._worst, (-total, -order), entry)
        if warnings:
            _push(self._warned, (warnings, -order), entry)

    def mean(self) -> Decimal | None:
        return round_half_up(self.total / self.evaluated, self.places) if self.evaluated else None

    def median(self) -> Decimal | None:
        n = self.evaluated
        if not n:
            return None
        wanted = (n - 1) // 2, n // 2
        found: list[Decimal] = []
        seen = 0
        for value in sorted(self.scores):
            count = self.scores[value]
            for w in wanted:
                if seen <= w < seen + count:
                    found.append(value)
            seen += count
        return round_half_up((found[0] + found[-1]) / 2, self.places)

    def as_dict(self) -> dict:
        return {
            "units": self.units,
            "evaluated": self.evaluated,
            "failed": self.failed,
            "orphan_rows": self.orphans,
            "internal_errors": self.internal,
            "grades": dict(self.grades),
            "mean": self.mean(),
            "median": self.median(),
            "best": _ranked(self._best),
            "worst": _ranked(self._worst),
            "most_warnings": _ranked(self._warned),
            "first_failures": list(self.first_failures),
        }


def _push(heap: list, key: tuple, entry: dict) -> None:
    item = (key, entry)
    if len(heap) < TOP:
        heapq.heappush(heap, item)
    elif key > heap[0][0]:
        heapq.heapreplace(heap, item)


def _ranked(heap: list) -> list[dict]:
    return [entry for _, entry in sorted(heap, key=lambda x: x[0], reverse=True)]


# --- sources ------------------------------------------------------------------

def _display(path: str) -> str:
    from engine.api import display_path

    return display_path(path)


def _folder_files(folder: str) -> list[str]:
    out = []
    for base, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            if f.lower().endswith(UNIT_SUFFIXES) and not f.startswith("."):
                out.append(os.path.join(base, f))
    return out


def _lines(path: str, display: str) -> Iterator[tuple]:
    from engine.tables_in import csv_encoding

    encoding = csv_encoding(path, display)
    with open(path, encoding=encoding, newline=None) as fh:
        for number, text in enumerate(fh, 1):
            if text.strip():
                yield ("line", display, number, text.rstrip("\n"))


@dataclass
class Batch:
    """A prepared batch: the plan, and each input's column mapping checked."""

    options: Options
    plan: Plan
    spec: BatchSpec | None
    cmaps: dict[str, ColumnMap]
    rmap: RowsMap | None

    def _rows_source(self, path: str) -> tuple[str, str | int]:
        """Where the line rows are: `--rows FILE`, else a sheet of the same workbook."""
        sheet = self.spec.rows.sheet if self.spec and self.spec.rows and self.spec.rows.sheet else None
        if self.options.rows:
            return self.options.rows, sheet or 0
        return path, sheet or 1

    def header(self) -> list[str]:
        return result_header(self.plan, self.options.lang)

    def payloads(self, stack: ExitStack) -> Iterator[tuple]:
        """Every unit of every input, in order, as a small picklable tuple."""
        for path in self.options.inputs:
            display = _display(path)
            if os.path.isdir(path):
                for f in _folder_files(path):
                    yield ("file", f, _display(f))
            elif is_table(path):
                yield from self._table_rows(path, display, stack)
            elif path.lower().endswith((".jsonl", ".ndjson")):
                yield from _lines(path, display)
            else:
                yield ("file", path, display)

    def _table_rows(self, path: str, display: str, stack: ExitStack) -> Iterator[tuple]:
        sheet = stack.enter_context(open_table(path, display))
        cmap = self.cmaps[sheet.file]
        joined = _Joined(self, path, stack) if self.rmap is not None else None
        for number, cells in sheet.rows:
            lines = joined.rows_for(cmap.key_of(cells)) if joined else None
            yield ("row", sheet.file, number, cells, lines)
        if joined:
            for number, key in joined.unused():
                yield ("orphan", joined.file, number, key)

    def auto_jobs(self) -> int:
        """Workers when none were asked for: one per usable CPU (at most 8),
        but none for an input of a few chunks, where starting them costs more
        than they save."""
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        count = self.count(stop_at=4 * CHUNK)
        if cpus <= 1 or (count is not None and count < 4 * CHUNK):
            return 1
        return min(cpus, 8)

    def count(self, stop_at: int | None = None) -> int | None:
        """How many units there are, for the progress bar (rows and lines are
        counted, not parsed); with `stop_at`, counting stops once there are
        that many."""
        total = 0
        for path in self.options.inputs:
            if stop_at is not None and total >= stop_at:
                break
            if os.path.isdir(path):
                total += len(_folder_files(path))
            elif path.lower().endswith((".jsonl", ".ndjson", ".csv")):
                lines = -1 if path.lower().endswith(".csv") else 0
                with open(path, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        lines += chunk.count(b"\n")
                        if stop_at is not None and total + lines >= stop_at:
                            break
                total += lines
            elif is_table(path):
                return None
            else:
                total += 1
        return total

    def outcomes(self, stack: ExitStack) -> Iterator[tuple]:
        """Each unit's outcome, in input order, whatever the number of workers."""
        payloads = self.payloads(stack)
        args = (self.options.ruleset, self.plan.file, self.options.lang, self.options.format, self.cmaps, self.rmap)
        jobs = self.options.jobs or self.auto_jobs()
        pool = _pool(jobs, args, stack) if jobs > 1 else None
        if pool is None:
            state = _State(self.plan, self.options.lang, self.options.format, self.cmaps, self.rmap)
            for p in payloads:
                yield process(state, p)
            return
        pending: deque = deque()
        window = 4 * jobs
        chunk: list = []
        for p in payloads:
            chunk.append(p)
            if len(chunk) == CHUNK:
                pending.append(pool.apply_async(_work, (chunk,)))
                chunk = []
                if len(pending) >= window:
                    yield from pending.popleft().get()
        if chunk:
            pending.append(pool.apply_async(_work, (chunk,)))
        while pending:
            yield from pending.popleft().get()

    def run(self, results: Callable[[Any], None], errors: Callable[[str], None], progress: Callable[[int], None] | None = None) -> Summary:
        """Evaluate every unit: hand each result (a JSON line, or a row) to
        `results` and each error line to `errors`; return the summary."""
        summary = Summary({g.label: 0 for g in self.plan.ruleset.grades}, self.plan.ruleset.rounding.places)
        with ExitStack() as stack:
            for outcome in self.outcomes(stack):
                summary.add(outcome)
                if outcome[0]:
                    results(outcome[6])
                else:
                    for text in outcome[7]:
                        errors(text)
                if progress is not None:
                    progress(summary.units)
        return summary


def _pool(jobs: int, args: tuple, stack: ExitStack):
    """Worker processes, or None where this system cannot start them (no
    shared-memory semaphores in some containers): the units are then
    evaluated in this process, with the same results."""
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    try:
        return stack.enter_context(multiprocessing.get_context(method).Pool(jobs, _init_worker, args))
    except (OSError, ImportError):
        return None


class _Joined:
    """Line rows from the second sheet/file, spilled to a temporary SQLite
    database indexed by key, so joining needs no memory per unit."""

    def __init__(self, batch: Batch, path: str, stack: ExitStack):
        self.rmap = batch.rmap
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="jixiao-rows-"))
        self.db = sqlite3.connect(os.path.join(folder, "rows"))
        stack.callback(self.db.close)
        self.db.execute("CREATE TABLE r (key TEXT, n INTEGER, cells TEXT)")
        self.db.execute("CREATE TABLE used (key TEXT PRIMARY KEY)")
        rows_path, sheet = batch._rows_source(path)
        with open_table(rows_path, _display(rows_path), sheet) as s:
            self.file = s.file
            batch_rows = ((self.rmap.key_of(cells), n, json.dumps([cell_text(c) for c in cells], ensure_ascii=False)) for n, cells in s.rows)
            self.db.executemany("INSERT INTO r VALUES (?, ?, ?)", batch_rows)
        self.db.execute("CREATE INDEX r_key ON r (key, n)")

    def rows_for(self, key: str | None) -> list[tuple[int, tuple]]:
        if key is None:
            return []
        self.db.execute("INSERT OR IGNORE INTO used VALUES (?)", (key,))
        cur = self.db.execute("SELECT n, cells FROM r WHERE key = ? ORDER BY n", (key,))
        return [(n, tuple(json.loads(cells))) for n, cells in cur]

    def unused(self) -> Iterator[tuple[int, str | None]]:
        """Rows whose key matches no unit: reported, never dropped."""
        yield from self.db.execute("SELECT n, key FROM r WHERE key IS NULL OR key NOT IN (SELECT key FROM used) ORDER BY n")


# --- preparing ---------------------------------------------------------------

def _load_spec(plan: Plan, path: str | None) -> tuple[BatchSpec | None, SourceMap | None, tuple]:
    if path is None:
        return plan.ruleset.batch, plan.smap, ("batch",)
    from pydantic import ValidationError

    from engine.validate import schema_diagnostics
    from engine.yaml_loader import load_file

    raw, smap = load_file(path, _display(path))
    if isinstance(raw, dict) and "batch" in raw and len(raw) == 1:
        raw, smap = raw["batch"], smap.rebased(())  # accept the ruleset's own section copied as is
        prefix: tuple = ("batch",)
    else:
        prefix = ()
    try:
        return BatchSpec.model_validate(raw), smap, prefix
    except ValidationError as e:
        raise DiagnosticError(schema_diagnostics(e, raw, smap, BatchSpec, prefix=prefix)) from None


def prepare(options: Options) -> Batch:
    """Compile the ruleset and check every input exists and every table's
    header maps onto the ruleset; raise `DiagnosticError` with every problem."""
    plan = load_plan(options.ruleset, _display(options.ruleset))
    spec, spec_smap, spec_path = _load_spec(plan, options.columns)
    problems: list[Diagnostic] = []
    cmaps: dict[str, ColumnMap] = {}
    rmap: RowsMap | None = None
    for path in options.inputs:
        display = _display(path)
        if not os.path.exists(path):
            problems.append(Diagnostic("load.not_found", SourceSpan(display, 1, 1), {"path": path}))
            continue
        if os.path.isdir(path) or not is_table(path):
            continue
        try:
            with open_table(path, display) as sheet:
                cmap, errs = resolve(plan, sheet.header, spec, sheet.file, spec_smap, spec_path)
                problems += errs
                if cmap is not None:
                    cmaps[sheet.file] = cmap
            if spec is not None and spec.rows is not None:
                batch = Batch(options, plan, spec, cmaps, None)
                rows_path, sheet_ref = batch._rows_source(path)  # type: ignore[attr-defined]
                with open_table(rows_path, _display(rows_path), sheet_ref) as rs:
                    rmap, errs = resolve_rows(plan, rs.header, spec, rs.file)
                    problems += errs
        except DiagnosticError as e:
            problems += e.diagnostics
    if problems:
        raise DiagnosticError(problems)
    return Batch(options, plan, spec, cmaps, rmap)


def dumps_summary(summary: Summary, batch: Batch) -> str:
    """The summary as JSON (written beside the results)."""
    from engine import __version__
    from engine.render.json_out import dumps

    data = {
        "ruleset": {"id": batch.plan.ruleset.id, "file": batch.plan.file, "digest": batch.plan.digest},
        "engine": f"jixiao {__version__}",
        **summary.as_dict(),
    }
    return dumps(data) + "\n"



# --- writing results and the summary ----------------------------------------

def format_for(output: str | None) -> str:
    """The result format an output file's suffix implies (JSONL otherwise)."""
    if output and output.lower().endswith(".csv"):
        return "csv"
    if output and output.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "jsonl"


class ResultWriter:
    """Writes each unit's result to an open stream: a JSON line, or a table row
    (CSV in UTF-8 with BOM so Excel reads the Chinese, or an XLSX sheet)."""

    def __init__(self, fmt: str, stream, header: list[str]):
        self.fmt, self.stream = fmt, stream
        # Lines from workers arrive as UTF-8 bytes; a UTF-8 text file takes them as they are.
        self.buffer = getattr(stream, "buffer", None) if (getattr(stream, "encoding", None) or "").lower().replace("-", "") == "utf8" else None
        if fmt == "csv":
            import csv

            self.writer = csv.writer(stream, lineterminator="\r\n")
            self.writer.writerow(header)
        elif fmt == "xlsx":
            try:
                from openpyxl import Workbook
            except ImportError:
                raise DiagnosticError([Diagnostic("batch.needs_extra", None, {"extra": "xlsx", "package": "openpyxl"})]) from None
            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet("评价结果")
            self.sheet.append(header)

    def write(self, piece: Any) -> None:
        if self.fmt == "jsonl":
            if piece.__class__ is bytes:
                if self.buffer is not None:
                    self.stream.flush()  # anything written as text goes first (a no-op once empty)
                    self.buffer.write(piece)
                else:
                    self.stream.write(piece.decode("utf-8"))
            else:
                self.stream.write(piece)
                self.stream.write("\n")
        elif self.fmt == "csv":
            self.writer.writerow(piece)
        else:
            self.sheet.append(piece)

    def close(self) -> None:
        if self.fmt == "xlsx":
            self.book.save(self.stream)


def summary_text(summary: Summary, lang: str = "zh") -> str:
    """The summary as a policy officer reads it."""
    from engine.messages import format_message as say
    from engine.numeric import fmt_score

    def score(v: Decimal | None) -> str:
        return "—" if v is None else fmt_score(v, summary.places)

    out = [say("batch.summary_head", {"units": summary.units, "evaluated": summary.evaluated, "failed": summary.failed}, lang)]
    if summary.orphans:
        out.append(say("batch.summary_orphans", {"count": summary.orphans}, lang))
    sep = "、" if lang != "en" else ", "
    out.append(say("batch.summary_grades", {"grades": sep.join(f"{k} {v}" for k, v in summary.grades.items())}, lang))
    out.append(say("batch.summary_scores", {"mean": score(summary.mean()), "median": score(summary.median())}, lang))
    data = summary.as_dict()
    for title, key, code in (("batch.summary_best", "best", "batch.summary_unit"), ("batch.summary_worst", "worst", "batch.summary_unit"), ("batch.summary_warned", "most_warnings", "batch.summary_warned_unit")):
        if data[key]:
            out.append(say(title, {}, lang))
            for i, e in enumerate(data[key], 1):
                out.append(say(code, {**e, "rank": i, "total": score(e["total"])}, lang))
    if summary.first_failures:
        out.append(say("batch.summary_failed", {"shown": len(summary.first_failures), "where": sep.join(summary.first_failures)}, lang))
    return "\n".join(out) + "\n"
