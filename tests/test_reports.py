"""The report and the forms: Markdown golden file, Word and Excel re-read with
python-docx and openpyxl, the HTML page's self-containment, and the CLI rules
for binary output and lazy imports."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from tests.conftest import EXAMPLE_2019, ROOT, run_cli

FORM_COLUMNS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
SCORE_SENTENCE = "其中预算管理得分9.36分，产出指标得分38分，效益指标得分32分，满意度得分8分。"


@pytest.fixture(scope="module")
def result():
    from engine import api

    return api.evaluate_file(str(EXAMPLE_2019))


@pytest.fixture(scope="module")
def stamp(result):
    from engine.render.json_out import stamp as stamp_of

    return stamp_of(result)


# --- Markdown ----------------------------------------------------------------

def test_markdown_matches_reviewed_golden_file():
    code, out, err = run_cli("evaluate", "--format", "markdown")
    assert code == 0, err
    expected = (ROOT / "tests" / "golden" / "hr-bureau-2019.md").read_text(encoding="utf-8")
    assert out == expected


def test_markdown_states_the_scores_as_the_seed_does():
    _, out, _ = run_cli("evaluate", "--format", "markdown")
    assert "绩效评价综合得分为87.36分，评价等级为良。" + SCORE_SENTENCE in out
    # the example gives the seed's own text for 三（一）(narrative: 绩效目标完成情况)
    assert "（1）预算执行率年初目标值100%，实际完成值为93.59%，满分10分，得9.36分；" in out
    assert "（1）数量指标：满分19分，得分17分。" in out


def test_markdown_without_narrative_generates_the_sentences(tmp_path):
    """Without the unit's own text, 三（一）is written from the scores."""
    text = EXAMPLE_2019.read_text(encoding="utf-8")
    data = tmp_path / "hr-bureau.yaml"
    data.write_text(text[: text.index("\nnarrative:")].replace("../../rulesets/", str(ROOT / "rulesets") + "/"), encoding="utf-8")
    code, out, err = run_cli("evaluate", str(data), "--format", "markdown")
    assert code == 0, err
    assert "（1）预算执行率年初目标值≥100%，实际完成值为93.59%，满分10分，得9.36分。" in out
    assert "年初目标值≥140人，实际完成值0人，未完成目标。原因：主要是由于2019年度未开展相关培训工作。" in out
    # required texts missing: visible placeholders, never an empty heading, and listed as findings
    assert "### （一）部门职能\n\n【待填写：部门职能】" in out
    assert "【待填写：绩效指标数据来源及获取方式】" in out and "【待填写：部门支出情况说明（部门实际支出情况表）】" in out
    assert "【警告】报告缺少「部门职能」的文字" in out
    assert "2019年度年初预算数为3,193.13万元" not in out  # the unit's own words are expected here, not ours


# --- Word --------------------------------------------------------------------

@pytest.fixture(scope="module")
def word(result):
    import io

    import docx

    from engine.render import docx_out

    return docx.Document(io.BytesIO(docx_out.render(result, mode="review")))


@pytest.fixture(scope="module")
def submitted(result):
    import io

    import docx

    from engine.render import docx_out

    return docx.Document(io.BytesIO(docx_out.render(result)))


def _form_table(doc):
    return next(t for t in doc.tables if any(c.text == "一级指标" for c in t.rows[3].cells))


def test_word_report_reads_like_the_seed(word):
    text = [p.text for p in word.paragraphs]
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["一、绩效得分情况", "二、部门支出情况"]
    assert "三、绩效评价情况" in headings and "（二）未完成指标及超指标值30%完成的原因分析" in headings
    assert "审核用：数据核对发现的问题（不随报告报送）" in headings  # review mode
    assert text[0] == "武汉经济技术开发区（汉南区）人力资源局" and "二〇二〇年六月" in text
    sentence = "“武汉经济技术开发区（汉南区）人力资源局整体支出2019年绩效自评报告”绩效评价综合得分为87.36分，评价等级为良。" + SCORE_SENTENCE
    assert sentence in text
    assert "（1）预算执行率年初目标值100%，实际完成值为93.59%，满分10分，得9.36分；" in text
    assert "2019年度实际共支出3,921.33万元，包括基本支出1,184.95万元，项目支出2,736.38万元，详见下表：" in text
    assert "参与干部培训人数年初目标值为140人，实际完成值为0人，主要是由于2019年度未开展相关培训工作。" in text


def test_word_highlights_the_real_table_errors(word):
    from docx.oxml.ns import qn

    marked = [p.text for p in word.paragraphs if any(r.font.bold and r._r.find(f"{qn('w:rPr')}/{qn('w:shd')}") is not None for r in p.runs)]
    assert len(marked) == 2  # the two real table errors, each reported once (docs/checks.md)
    assert marked[0].startswith("1. 【警告】【预算表小计、合计 = 明细之和】") and "相差 0.37" in marked[0]


def test_word_submission_has_no_findings_and_no_stamp_on_the_pages(submitted, stamp):
    text = [p.text for p in submitted.paragraphs]
    assert not any("审核用" in t or "【警告】" in t for t in text)
    footers = [p.text for s in submitted.sections for p in s.footer.paragraphs if p.text.strip()]
    assert footers == ["— 1 —", "— 1 —"]  # a page number (field; "1" is its cached text), nothing else
    assert stamp["input_digest"] in submitted.core_properties.comments


def test_word_budget_tables_hold_the_data_figures(word):
    budget, spending = word.tables[0], word.tables[1]
    assert [c.text for c in budget.rows[0].cells] == ["项　目", "年初预算数（1）", "预算调整数（2）", "全年预算数（3=1+2）"]
    assert [c.text for c in budget.rows[-1].cells] == ["合计", "3,193.13", "996.66", "4,189.79"]
    assert [c.text for c in spending.rows[-1].cells] == ["合计", "2,817.20", "1,104.13", "3,921.33"]


def test_word_form_has_the_official_columns_and_merged_levels(word):
    from docx.enum.section import WD_ORIENT

    form = _form_table(word)
    assert [c.text for c in form.rows[3].cells] == FORM_COLUMNS
    assert [c.text for c in form.rows[2].cells][2:6] == ["3,193.13", "4,189.79", "3,921.33", "93.59%"]
    row = [c.text for c in form.rows[4].cells]
    assert row[:2] == ["预算管理", "预算执行率"] and row[3:7] == ["≥100%", "93.59%", "10", "9.36"]
    # 产出指标 merged down its twelve rows, 数量指标 down its seven
    assert form.cell(6, 0)._tc is form.cell(17, 0)._tc and form.cell(6, 0).text == "产出指标"
    assert form.cell(6, 1)._tc is form.cell(12, 1)._tc and form.cell(6, 1).text == "数量指标"
    assert [c.text for c in form.rows[-1].cells][5:] == ["100", "87.36", "评价等级：良"]
    assert word.sections[-1].orientation == WD_ORIENT.LANDSCAPE


def test_word_tables_are_filled_at_the_cells_python_docx_gives(monkeypatch):
    """A cell is looked up at its own place (python-docx's `table.cell` built
    the whole grid on each call: six minutes for a 500-row form), and finds
    what `table.cell` finds, merged places included, so the XML is the same."""
    import docx

    from engine.render import docx_out
    from engine.render.document import Cell, Grid

    cells = (Cell(0, 0, "项目", colspan=4, header=True, align="center"),
             Cell(1, 0, "产出指标", rowspan=4), Cell(1, 1, "数量指标", rowspan=2), Cell(1, 2, "人数"), Cell(1, 3, "10", align="right"),
             Cell(2, 2, "场数"), Cell(2, 3, "5", align="right"), Cell(3, 1, "质量指标", rowspan=2, colspan=2), Cell(3, 3, "3"), Cell(4, 3, "2"),
             Cell(5, 0, "合计", colspan=3), Cell(5, 3, "20"))
    grid = Grid("表", cells, (4, 4, 6, 3))

    def filled():
        table = docx.Document().add_table(rows=grid.nrows, cols=grid.ncols)
        docx_out._fill_cells(table, grid, 9, bold_headers=True)
        return table

    table = filled()
    trs = table._tbl.tr_lst
    assert all(docx_out._cell_at(table, trs, r, c)._tc is table.cell(r, c)._tc for r in range(6) for c in range(4))
    assert [[table.cell(r, c).text for c in range(4)] for r in (0, 2, 4, 5)] == [
        ["项目"] * 4, ["产出指标", "数量指标", "场数", "5"], ["产出指标", "质量指标", "质量指标", "2"], ["合计", "合计", "合计", "20"]]
    with pytest.raises(IndexError):
        docx_out._cell_at(table, trs, 0, 4)
    ours = table._tbl.xml
    monkeypatch.setattr(docx_out, "_cell_at", lambda table, trs, r, c: table.cell(r, c))
    assert filled()._tbl.xml == ours


def test_word_records_the_stamp(word, stamp):
    props = word.core_properties
    assert stamp["ruleset_digest"] in props.comments and stamp["input_digest"] in props.comments
    assert props.author == stamp["engine"]
    footer = " ".join(p.text for p in word.sections[0].footer.paragraphs)  # review mode: the stamp on every page
    assert stamp["engine"] in footer and stamp["input_digest"] in footer


# --- Excel -------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(result):
    import io

    import openpyxl

    from engine.render import xlsx_out

    return openpyxl.load_workbook(io.BytesIO(xlsx_out.render(result, mode="review")), data_only=True)


def _row_of(ws, column: str, text: str) -> int:
    return next(c.row for c in ws[column] if c.value == text)


def test_excel_form_layout(workbook):
    ws = workbook.worksheets[0]
    assert ws.title == "整体支出绩效自评表"
    assert ws["A1"].value == "2019年度部门整体支出绩效自评表"
    head = _row_of(ws, "A", "一级指标")
    assert [c.value for c in ws[head]] == FORM_COLUMNS
    merged = {str(r) for r in ws.merged_cells.ranges}
    top = _row_of(ws, "A", "产出指标")
    assert f"A{top}:A{top + 11}" in merged and f"B{top}:B{top + 6}" in merged  # 一级/二级 merged down
    assert "A1:H1" in merged and "A3:B4" in merged  # title and the funds heading
    assert ws.print_area == "'整体支出绩效自评表'!$A$1:$H$23"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_excel_cells_hold_numbers_with_form_formats(workbook):
    ws = workbook.worksheets[0]
    funds = [ws.cell(row=4, column=c) for c in range(3, 7)]
    assert [Decimal(str(c.value)) for c in funds] == [Decimal("3193.13"), Decimal("4189.79"), Decimal("3921.33"), Decimal("0.9359")]
    assert [c.number_format for c in funds] == ["#,##0.00"] * 3 + ["0.00%"]
    r = _row_of(ws, "B", "预算执行率")
    assert [ws.cell(row=r, column=c).value for c in range(4, 6)] == ["≥100%", "93.59%"]
    assert Decimal(str(ws.cell(row=r, column=6).value)) == 10 and Decimal(str(ws.cell(row=r, column=7).value)) == Decimal("9.36")
    assert ws.cell(row=r, column=7).number_format == "0.00"
    total = _row_of(ws, "A", "总分")
    assert Decimal(str(ws.cell(row=total, column=7).value)) == Decimal("87.36")
    assert ws.cell(row=total, column=8).value == "评价等级：良"


def test_excel_total_is_a_formula_with_its_cached_value(result):
    """总分 stays live (a formula over the indicators' scores) and shows 87.36
    where nothing recalculates (its cached value, read with data_only)."""
    import io

    import openpyxl

    from engine.render import xlsx_out

    data = xlsx_out.render(result)
    live, cached = (openpyxl.load_workbook(io.BytesIO(data), data_only=d).worksheets[0] for d in (False, True))
    total = _row_of(live, "A", "总分")
    assert live.cell(row=total, column=7).value == "=SUM(G6:G22)" and live.cell(row=total, column=6).value == "=SUM(F6:F22)"
    assert cached.cell(row=total, column=7).value == 87.36 and cached.cell(row=total, column=6).value == 100
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["整体支出绩效自评表", "预算调整表", "支出表", "生成信息"]  # no findings sheet in a submission


def test_excel_has_the_data_tables_findings_and_hidden_stamp(workbook, stamp):
    assert workbook.sheetnames == ["整体支出绩效自评表", "预算调整表", "支出表", "数据核对发现的问题", "生成信息"]
    spending = workbook["支出表"]
    last = spending.max_row
    assert spending.cell(row=last, column=1).value == "合计" and Decimal(str(spending.cell(row=last, column=4).value)) == Decimal("3921.33")
    findings = workbook["数据核对发现的问题"]
    assert findings.max_row == 1 + 1 + 10  # title, header, ten findings (docs/checks.md §2)
    info = workbook["生成信息"]
    assert info.sheet_state == "hidden"
    values = {row[0]: row[1] for row in info.iter_rows(values_only=True)}
    assert values["engine"] == stamp["engine"] and values["input_digest"] == stamp["input_digest"]
    assert values["ruleset_digest"] == stamp["ruleset_digest"] and values["total"] == "87.36"


# --- HTML (the browser test is tests/test_html_browser.py) --------------------

def test_html_is_one_self_contained_file(stamp):
    code, out, _ = run_cli("evaluate", "--format", "html")
    assert code == 0
    assert '<span class="value" id="total">87.36</span>' in out and 'id="grade">良<' in out
    assert "<svg" in out and "@media print" in out and 'name="viewport"' in out
    assert "<script" not in out and "<link" not in out and "@import" not in out and "url(" not in out
    assert "src=" not in out and "https://" not in out
    assert stamp["input_digest"] in out


# --- CLI ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_binary_formats_are_written_with_output(fmt, tmp_path):
    target = tmp_path / f"report.{fmt}"
    code, _, err = run_cli("evaluate", "--format", fmt, "--output", str(target))
    assert code == 0, err
    assert target.read_bytes()[:2] == b"PK"


def test_binary_format_is_refused_where_stdout_is_not_a_byte_stream():
    code, out, err = run_cli("evaluate", "--format", "docx")
    assert code == 2 and out == ""
    assert "--output" in err


def test_binary_format_to_a_pipe():
    done = subprocess.run([sys.executable, "cli.py", "evaluate", "--format", "xlsx"], cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stdout[:2] == b"PK"


def test_missing_report_library_is_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now raises ImportError
    target = tmp_path / "forms.xlsx"
    code, _, err = run_cli("evaluate", "--format", "xlsx", "--output", str(target))
    assert code == 1 and not target.exists()
    assert 'pip install "jixiao[reports]"' in err and "openpyxl" in err


def test_text_evaluation_imports_no_report_library():
    probe = "import io, sys, cli; cli.main(['evaluate'], io.StringIO(), io.StringIO()); print(sorted(m for m in ('openpyxl', 'docx', 'engine.render.report', 'engine.tools.explain') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_every_report_message_has_both_languages_with_the_same_placeholders():
    import re

    from engine.base.messages import CATALOG, report

    for code, (zh, en) in report.MESSAGES.items():
        assert zh and en, code
        assert set(re.findall(r"\{(\w+)", zh)) == set(re.findall(r"\{(\w+)", en)), code
    used = set()
    for path in ["engine/tools/explain.py", *map(str, (ROOT / "engine" / "render").glob("*.py")), "engine/cli.py"]:
        used |= set(re.findall(r"\"((?:report|explain)\.[a-z_0-9]+)\"", (ROOT / path).read_text(encoding="utf-8")))
    assert used and used <= set(CATALOG)


# Every unit data file (the batch example's column mapping, projects-batch/columns.yaml, is not one).
@pytest.mark.parametrize("data", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").rglob("*.yaml") if p.name != "columns.yaml"))
def test_every_bundled_example_renders_in_every_format(data, tmp_path):
    for fmt in ("markdown", "html", "docx", "xlsx"):
        target = tmp_path / f"out.{fmt}"
        code, _, err = run_cli("evaluate", data, "--format", fmt, "--output", str(target))
        assert code == 0, (fmt, err)
        assert target.stat().st_size > 1000
