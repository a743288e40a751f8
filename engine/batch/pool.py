"""Running a batch: prepare (compile the ruleset, map every table's columns),
then evaluate every unit in input order, in this process or in worker
processes, and summarise."""
from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from engine.base.fileio import is_special
from engine.base.diagnostics import Diagnostic, DiagnosticError, SourceSpan
from engine.base.sourcemap import SourceMap
from engine.batch.sources import _display, _folder_files, _Joined, _lines
from engine.batch.statistics import BatchSummary
from engine.batch.units import UnitOutcome, _State, packed, process, unevaluated, unpacked
from engine.batch.writers import result_header, review_row
from engine.forms import is_form, is_jixiao_workbook
from engine.forms.layout import shows_layout
from engine.load.tables import is_table, open_table
from engine.load.yaml_loader import CONTROL
from engine.ruleset.plan import Plan
from engine.ruleset.loading import load_plan
from engine.ruleset.model import BatchSpec
from engine.unit.columns import ColumnMap, RowsMap, resolve, resolve_rows, unheaded_columns
from pydantic import ValidationError
from engine.ruleset.validate import schema_diagnostics
from engine.load.yaml_loader import load_file
from engine import __version__
from engine.render import compact
from engine.render.json_out import dumps

CHUNK = 128
JOBS_PER_CPU = 4  # `--jobs` asks for at most this many workers per usable CPU (`max_jobs`)


def _escaped(name: str) -> str:
    """A file name with its control characters written as `\\x1b`, `\\udc80`."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", name)


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
    result: str = "full"  # what a JSONL line holds: full (evaluate --format json) | compact (after a header record) | scores (subject, total, grade, leaf scores)
    debug: bool = False  # a unit's internal error comes with its traceback (`--debug`)


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

    def first_line(self) -> str | None:
        """The line a JSONL result file starts with: `--result compact`'s header record."""
        if self.options.format != "jsonl" or self.options.result != "compact":
            return None
        return compact.header_line(self.plan, self.options.lang)

    def is_filled_form(self, path: str) -> bool:
        return is_filled_form(path, self.plan)

    def payloads(self, stack: ExitStack) -> Iterator[tuple]:
        """Every unit of every input, in order, as a small picklable tuple."""
        for path in self.options.inputs:
            display = _display(path)
            if os.path.isdir(path):
                for f in _folder_files(path):
                    bad = CONTROL.search(f)
                    if bad is not None:  # never printed as is: it would drive the terminal
                        yield ("bad_name", _escaped(_display(f)), f"U+{ord(bad.group()):04X}")
                    else:
                        yield ("form" if is_form(f) or f.lower().endswith((".docx", ".xls")) else "file", f, _display(f))
            elif self.is_filled_form(path):  # one filled form, not a flat table
                yield ("form", path, display)
            elif is_table(path):
                yield from self._table_rows(path, display, stack)
            elif path.lower().endswith((".jsonl", ".ndjson")):
                yield from _lines(path, display)
            else:
                yield ("file", path, display)

    def _table_rows(self, path: str, display: str, stack: ExitStack) -> Iterator[tuple]:
        """A table's rows; a table that cannot be read on (damage found in a
        later row of a workbook, a CSV cell that never ends) ends with the
        problem as one failed entry, and the batch goes on with its next input."""
        sheet = stack.enter_context(open_table(path, display))
        cmap = self.cmaps[sheet.file]
        try:
            joined = _Joined(self.rmap, *self._rows_source(path), stack) if self.rmap is not None else None
        except DiagnosticError as e:  # the line rows cannot all be read: no unit of this table gets a true result
            yield _unreadable(e)
            yield ("unreadable", sheet.file, 1, (Diagnostic("batch.rows_unread", SourceSpan(sheet.file, 1, 1), {"rows": _display(self._rows_source(path)[0])}),))
            return
        try:
            for number, cells in sheet.rows:
                lines = joined.rows_for(cmap.key_of(cells)) if joined else None
                yield ("row", sheet.file, number, cells, lines)
        except DiagnosticError as e:  # the rows read so far are evaluated; line rows of the units never read are no orphans
            yield _unreadable(e)
            return
        if joined:
            for number, key in joined.unused():
                yield ("orphan", joined.file, number, key)

    def auto_jobs(self) -> int:
        """Workers when none were asked for: one per usable CPU (at most 8),
        but none for an input of a few chunks, where starting them costs more
        than they save."""
        cpus = usable_cpus()
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
            elif is_special(path):
                return None  # refused where it is read; never opened to count
            elif path.lower().endswith((".jsonl", ".ndjson", ".csv")):
                lines = -1 if path.lower().endswith(".csv") else 0
                with open(path, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        lines += chunk.count(b"\n")
                        if stop_at is not None and total + lines >= stop_at:
                            break
                total += lines
            elif is_table(path) and not self.is_filled_form(path):
                return None
            else:
                total += 1
        return total

    def outcomes(self, stack: ExitStack) -> Iterator[UnitOutcome]:
        """Each unit's outcome, in input order, whatever the number of workers."""
        payloads = self.payloads(stack)
        jobs = min(self.options.jobs or self.auto_jobs(), max_jobs())
        state = _State(self.plan, self.options.lang, self.options.format, self.cmaps, self.rmap, self.options.result, debug=self.options.debug)
        if jobs <= 1:
            for p in payloads:
                yield process(state, p)
            return
        # cold start: only a batch with worker processes imports multiprocessing (~15 ms)
        from engine.batch.workers import Workers

        args = (self.options.ruleset, self.plan.file, self.options.lang, self.options.format, self.cmaps, self.rmap, self.options.result, self.options.debug)
        crew = stack.enter_context(Workers(jobs, args))
        lang = self.options.lang

        def here(chunk: list) -> list:  # no worker process can be started: evaluated in this one
            return [process(state, unpacked(p)) for p in chunk]

        def lost(chunk: list, how: dict) -> list:
            return unevaluated(chunk, lang, "batch.worker_died", how)

        for outcomes in crew.evaluate(_chunks(payloads), here, lost):
            yield from outcomes

    def run(self, results: Callable[[Any], None], errors: Callable[[str], None], progress: Callable[[int], None] | None = None, reviews: Callable[[list], None] | None = None) -> BatchSummary:
        """Evaluate every unit: hand each result (a JSON line, or a row) to
        `results`, each error line to `errors` and, for a form with printed
        figures, its review row to `reviews`; return the summary."""
        summary = BatchSummary({g.label: 0 for g in self.plan.ruleset.grades}, self.plan.ruleset.rounding.places)
        with ExitStack() as stack:
            for outcome in self.outcomes(stack):
                summary.add(outcome)
                if outcome.ok:
                    results(outcome.piece)
                    if reviews is not None and outcome.review is not None:
                        reviews(review_row(outcome.review, outcome.where, outcome.name))
                for text in outcome.errors:  # a failed unit's problems; an evaluated form's warnings
                    errors(text)
                if progress is not None:
                    progress(summary.units)
        return summary


def _unreadable(error: DiagnosticError) -> tuple:
    """The payload of a table that cannot be read on: its problem, where it is."""
    span = error.diagnostics[0].span
    return ("unreadable", span.file, span.line, error.diagnostics) if span else ("unreadable", "", 0, error.diagnostics)


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def max_jobs() -> int:
    """The most worker processes a batch has: `JOBS_PER_CPU` per usable CPU.
    Units are evaluated on the CPUs; more workers would only take memory and
    start-up time (`--jobs 100000` once forked until the machine gave out).
    Workers start as there are chunks for them, so never more than chunks."""
    return JOBS_PER_CPU * usable_cpus()


def _chunks(payloads: Iterator[tuple]) -> Iterator[list]:
    """The payloads, packed for a worker, in lists of `CHUNK`."""
    chunk: list = []
    for p in payloads:
        chunk.append(packed(p))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- preparing ---------------------------------------------------------------

def _load_spec(plan: Plan, path: str | None) -> tuple[BatchSpec | None, SourceMap | None, tuple]:
    if path is None:
        return plan.ruleset.batch, plan.smap, ("batch",)


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


def is_filled_form(path: str, plan) -> bool:
    """A single workbook given to `batch` is one filled form — jixiao's (its
    hidden sheet) or the bureau's own the ruleset declares (its title printed
    at the top) — rather than a flat one-row-per-unit table."""
    if is_jixiao_workbook(path):
        return True
    return is_form(path) and plan.ruleset.form is not None and shows_layout(path, plan)


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
        if os.path.isdir(path) or not is_table(path) or is_filled_form(path, plan):
            continue
        try:
            with open_table(path, display) as sheet:
                cmap, errs = resolve(plan, sheet.header, spec, sheet.file, spec_smap, spec_path)
                problems += errs
                if cmap is not None:
                    cmaps[sheet.file] = cmap
                problems += unheaded_columns(sheet)
            if spec is not None and spec.rows is not None:
                batch = Batch(options, plan, spec, cmaps, None)
                rows_path, sheet_ref = batch._rows_source(path)  # type: ignore[attr-defined]
                with open_table(rows_path, _display(rows_path), sheet_ref) as rs:
                    rmap, errs = resolve_rows(plan, rs.header, spec, rs.file)
                    problems += errs
                    problems += unheaded_columns(rs)
        except DiagnosticError as e:
            problems += e.diagnostics
    if problems:
        raise DiagnosticError(problems)
    return Batch(options, plan, spec, cmaps, rmap)


def dumps_summary(summary: BatchSummary, batch: Batch) -> str:
    """The summary as JSON (written beside the results)."""

    data = {
        "ruleset": {"id": batch.plan.ruleset.id, "file": batch.plan.file, "digest": batch.plan.digest},
        "engine": f"jixiao {__version__}",
        **summary.as_dict(),
    }
    return dumps(data) + "\n"
