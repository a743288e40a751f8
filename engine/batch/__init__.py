"""Batch evaluation (批量评价): a whole bureau's units against one ruleset.

Inputs are streamed, never held all at once: a folder of unit files (YAML or
JSON), a JSONL file (one unit per line, the shape of a unit file), or a table
(CSV/XLSX, one row per unit, see `engine.unit.columns`), optionally with line rows
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
(atomically, through `engine.base.fileio`).
"""
