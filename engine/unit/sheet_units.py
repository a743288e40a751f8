"""A sheet row read straight into `UnitData` (一行表格直接成为单位数据), for a batch.

The general path turns a row's cells into a unit file's shape
(`ColumnMap.unit`) and reads that like any unit file (`read_unit`): every
section walked, every key looked up, every figure checked with its words ready.
A row of a flat sheet always has the same shape, fixed by its header, so this
module generates, once per (plan, sheet), one function that reads the cells the
header names, in the header's order, through the same bound converters
(`coercer`), and builds the same `UnitData` — the same values in the same
order, the same table rows, the same entries (each field read by the
statements `entries.entry_field_code` writes, as `_entry_data` reads it).

It covers the plain case only: a row with any problem, a cell that is not
text, a figure that needs a default the plan cannot give, returns None and
the general path reads the row (and reports what is wrong, located). A plan
or sheet it does not cover (indicator rows of a project, a `year` column,
a required input or table without a column, more than
`SPECIALISE_MAX_LEAVES` leaves) gets no generated reader.
`tests/test_sheet_units.py` holds it to `read_unit` value for value.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any, Callable

from engine.base.memo import generated, made_for
from engine.base.numeric import ZERO
from engine.ruleset.plan import NUMERIC_TYPES, SPECIALISE_MAX_LEAVES, Plan
from engine.unit.columns import _FALSE, _TRUE, ColumnMap
from engine.unit.entries import _EMPTY, _column_coercers, _input_coercers, _needed_field, entry_field_code, figure_names, plain_figure, row_figures
from engine.unit.inputs import _BIDI_SEARCH, ROW_KEYS, TableRow, UnitData, _default

Read = Callable[[tuple, Any, str, str], "UnitData | None"]

_READERS: dict[int, tuple[Any, Any]] = {}  # id((plan, sheet)) → (them, the generated reader or None)


def sheet_reader(plan: Plan, cmap: ColumnMap) -> Read | None:
    """The generated reader of `cmap`'s rows under `plan` (None: not covered)."""
    pair = kept_pair(plan, cmap)
    return made_for(_READERS, pair, _make, 64)


_PAIRS: dict[tuple[int, int], tuple] = {}


def kept_pair(plan: Plan, cmap: ColumnMap) -> tuple:
    """One lasting (plan, sheet) tuple per pair: what caches of functions
    generated per pair (this reader, `engine.batch.row_scores`) are keyed by."""
    key = (id(plan), id(cmap))
    kept = _PAIRS.get(key)
    if kept is None or kept[0] is not plan or kept[1] is not cmap:
        if len(_PAIRS) >= 64:
            _PAIRS.clear()
        kept = _PAIRS[key] = (plan, cmap)
    return kept


def _make(pair: tuple) -> Read | None:
    return generated(reader_source(*pair), f"<sheet reader: {pair[1].file}>", "read")


def reader_source(plan: Plan, cmap: ColumnMap) -> tuple[str, dict] | None:
    """The reader's source and the names it is bound to, or None when the plan
    or the sheet is not covered. Every name from the ruleset or the header is
    written as a `repr` literal, never pasted as code."""
    if not covers(plan, cmap):
        return None
    ns: dict[str, Any] = {}
    out = ["def read(cells, smap, file, digest):", *read_statements(plan, cmap, ns, rows=True)]
    out.append("    return UnitData(file, digest or '', subject, None, values, entries, tables, smap, plan=plan, entry_keys=entry_keys)")
    return "\n".join(out) + "\n", ns


def covers(plan: Plan, cmap: ColumnMap) -> bool:
    """Whether `read_statements` can read `cmap`'s rows under `plan`."""
    rs = plan.ruleset
    if plan.frames or any(section not in ("subject", "inputs", "tables", "indicators") for _, section, _ in cmap.targets):
        return False
    if len(plan.leaves) > SPECIALISE_MAX_LEAVES or len(cmap.targets) > 4 * SPECIALISE_MAX_LEAVES:
        return False  # too large to be worth compiling
    given_inputs = [path[0] for _, section, path in cmap.targets if section == "inputs"]
    for name, decl in rs.inputs.items():
        if name not in given_inputs and decl.required and decl.default is None:
            return False  # every row lacks it: the general path says so
    for tname, decl in rs.tables.items():
        if tname not in cmap.table_rows:
            if decl.required:
                return False
            continue
        # The rows this reader makes: 合计 and the categories, named as declared,
        # every column a figure (a text column or one named like a row key reads otherwise).
        if "合计" in decl.categories or any(_BIDI_SEARCH(c) is not None for c in cmap.table_rows[tname]):
            return False
        if any(c in ROW_KEYS or col.type not in NUMERIC_TYPES for c, col in decl.columns.items()):
            return False
    return any(section == "subject" and path == ("name",) for _, section, path in cmap.targets)


def _cell(i: int) -> list[str]:
    """Cell `i` as `v`; a cell that is not text is the general path's."""
    return [f"    v = cells[{i}]", "    if v.__class__ is not str:", "        return None"]


def read_statements(plan: Plan, cmap: ColumnMap, ns: dict, rows: bool, entry_vars: dict | None = None) -> list[str]:
    """The statements reading a row `cells` of a sheet `covers` covers (in a
    function's body; any problem: `return None`). They leave `subject`,
    `values` (the flat names formulas read), `entries`, and each table as
    dicts: `t<t>` its total row (合计), `r<t>_<j>` the j-th category of
    `cmap.table_rows`; with `rows`, also `tables` (`TableRow`s) and
    `entries` and `entry_keys` as `read_unit` makes them (without, an
    indicator with columns but no filled cell has an empty entry; each such
    entry's variable goes into `entry_vars`, by indicator key)."""
    rs = plan.ruleset
    given_inputs = [path[0] for _, section, path in cmap.targets if section == "inputs"]
    ns.update({**figure_names(), "_EMPTY": _EMPTY, "ZERO": ZERO, "TableRow": TableRow, "UnitData": UnitData, "_bidi": _BIDI_SEARCH, "_TRUE": _TRUE, "_FALSE": _FALSE, "plan": plan})
    # a short row (its last cells blank) padded once, so each cell is read by index
    width = 1 + max((i for i, _, _ in cmap.targets), default=0)
    out = [f"    if len(cells) < {width}:", f"        cells = (*cells, *('',) * ({width} - len(cells)))"]

    def cell(i: int) -> None:
        out.extend(_cell(i))

    # subject: the row's name (and any other subject field), as text
    out.append("    subject = {}")
    for i, section, path in cmap.targets:
        if section == "subject":
            cell(i)
            out.append("    if v.strip():")
            out.append(f"        subject[{path[0]!r}] = v")
    out += ["    name = subject.get('name')",
            "    if name is None or not name.strip() or _bidi(name) is not None:",
            "        return None"]

    # Figures (money, numbers, percentages) of the inputs and tables: when every
    # one is written plainly (most rows), one match of the row's figures
    # joined (`row_figures`) stands for each cell's `plain_figure`, and one
    # pass converts them; otherwise each cell is read by itself.
    figures: dict[int, tuple[str, bool | None]] = {}
    for i, section, path in cmap.targets:
        if section == "inputs":
            decl = rs.inputs[path[0]]
            kind, negative = decl.type, decl.allow_negative
        elif section == "tables":
            col = rs.tables[path[0]].columns[path[-1]]
            kind, negative = col.type, col.allow_negative
        else:
            continue
        if plain_figure(kind, negative, "v") is not None:
            figures[i] = (kind, negative)
    slot = {i: k for k, i in enumerate(figures)}
    if len(figures) >= 2:
        ns["_figures"], ns["_row_plain"] = itemgetter(*figures), row_figures(list(figures.values()))
        out += ["    f = _figures(cells)",
                "    try:",
                "        joined = '\\x1f'.join(f)",
                "    except TypeError:  # a cell that is not text: each is read by itself",
                "        joined = ''",
                "    d = [*map(Decimal, joined.replace(',', '').replace('%', '').split('\\x1f'))] if _row_plain(joined) is not None and max(map(len, f)) < 32 else None"]
    else:
        slot = {}

    def figure(i: int, kind: str, negative: bool | None, c: str, empty: list[str]) -> None:
        """Statements reading cell `i` into `x` by its coercer `c` (its plain
        figure taken at once); `empty`: what a blank cell becomes."""
        plain = plain_figure(kind, negative, "v")
        if i in slot:
            scaled = ".scaleb(-2)" if kind == "percent" else ""
            out.extend(["    if d is not None:", f"        x = d[{slot[i]}]{scaled}", "    else:"])
            out.extend("    " + line for line in _cell(i))
            out.extend([f"        x = {plain}", "    if not x:", f"        v = cells[{i}]"])
        else:
            cell(i)
            out.extend([f"    x = {plain}", "    if not x:"] if plain is not None else ["    if True:"])
        out.extend([f"        x, code = {c}(v)", "        if code is not None:", "            return None", "        if x is _EMPTY:"])
        out.extend("            " + line for line in empty)

    # inputs, in the header's order, then the declared ones the sheet has no column for
    out.append("    values = {}")
    coercers = _input_coercers(rs.inputs)
    for i, section, path in cmap.targets:
        if section != "inputs":
            continue
        name = path[0]
        decl = rs.inputs[name]
        ns[f"_ci{i}"] = coercers[name]
        if decl.required and decl.default is None:
            empty = ["return None"]
        else:
            ns[f"_di{i}"] = _default(decl)
            empty = [f"x = _di{i}"]
        figure(i, decl.type, decl.allow_negative, f"_ci{i}", empty)
        out.append(f"    values[{name!r}] = x")
    for k, (name, decl) in enumerate(rs.inputs.items()):
        if name not in given_inputs:
            ns[f"_dm{k}"] = _default(decl)
            out.append(f"    values[{name!r}] = _dm{k}")

    # tables: the total row (合计) and one row per category the sheet has columns for
    if rows:
        out.append("    tables = {}")
    for t, (tname, cats) in enumerate(cmap.table_rows.items()):
        decl = rs.tables[tname]
        conv = _column_coercers(decl)
        out.append(f"    t{t} = {{}}")
        names = [f"r{t}_{j}" for j in range(len(cats))]
        for r in names:
            out.append(f"    {r} = {{}}")
        for i, section, path in cmap.targets:
            if section != "tables" or path[0] != tname:
                continue
            column = path[-1]
            ns[f"_ct{t}_{i}"] = conv[column]
            col = decl.columns[column]
            figure(i, col.type, col.allow_negative, f"_ct{t}_{i}", ["x = None"])
            out.append(f"    {names[path[1]] if len(path) > 2 else f't{t}'}[{column!r}] = x")
        if rows:
            kids = ", ".join(f"TableRow({cat!r}, {cat!r}, {names[j]}, ('tables', {tname!r}, 'rows', {j}), (), ({cat!r},))" for j, cat in enumerate(cats))
            out.append(f"    tables[{tname!r}] = TableRow('合计', None, t{t}, ('tables', {tname!r}), ({kids}{',' if len(cats) == 1 else ''}), ())")
    # the flat names formulas read: a total row's figure, or a category's (blank = 0)
    index = {tname: t for t, tname in enumerate(cmap.table_rows)}
    for flat, (tname, cat, col) in plan.table_names.items():
        t = index.get(tname)
        if t is None:
            continue
        if cat is None:
            out.append(f"    values[{flat!r}] = t{t}.get({col!r})")
        elif cat in cmap.table_rows[tname]:
            r = f"r{t}_{cmap.table_rows[tname].index(cat)}"
            out.append(f"    x = {r}.get({col!r})")
            out.append(f"    values[{flat!r}] = ZERO if x is None else ZERO + x")
        else:
            out.append(f"    values[{flat!r}] = ZERO")

    # indicator entries, field by field as `_entry_data` reads them (a blank cell gives nothing)
    nodes = {n.key: n for n in plan.leaves}
    if rows:  # as the general reader makes them: an indicator's entry when one of its cells is filled
        out += ["    entries = {}", "    entry_keys = {}"]
    else:  # only looked up by key: each indicator with columns has its dict from the start, empty or not
        given = {n: f"e{k}" for k, n in enumerate(dict.fromkeys(path[0] for _, section, path in cmap.targets if section == "indicators"))}
        out += [f"    {e} = {{}}" for e in given.values()]
    for i, section, path in cmap.targets:
        if section != "indicators":
            continue
        key, fname = path
        node = nodes[key]
        cell(i)
        out.append("    if v.strip():")
        if rows:
            out.append(f"        e = entries.get({key!r})")
            out.append("        if e is None:")
            out.append(f"            e = entries[{key!r}] = {{}}")
            out.append(f"            entry_keys[{key!r}] = {key!r}")
        else:
            out.append(f"        e = {given[key]}")
        out += ["        " + line for line in entry_field_code(node, fname, str(i), ns, cell=True)]
    if not rows:
        out.append(f"    entries = {{{', '.join(f'{key!r}: {e}' for key, e in given.items())}}}")
        if entry_vars is not None:
            entry_vars.update(given)
    for node in plan.leaves:
        need = _needed_field(node)
        if not need:
            continue
        # a needed field missing: the general reader reports it
        out.append(f"    e = entries.get({node.key!r})")
        out.append(f"    if {'e is None' if rows else 'not e'} or (not e.get('not_applicable') and e.get({need!r}) is None):")
        out.append("        return None")
    for flat in cmap.absent:
        out.append(f"    values[{flat!r}] = None")
    return out

