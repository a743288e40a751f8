"""The project form (项目支出绩效自评表) and the summary across projects
(项目支出自评情况汇总表), on a project fixture in the project form's shape
(tests/fixtures/project: funds table by fund source, 年度总体目标, 预算执行率 10 +
绩效指标 90). Issue 4 brings the real project rulesets and examples."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest

from tests.conftest import EXAMPLE_2019, ROOT, run_cli

PROJECT = ROOT / "tests" / "fixtures" / "project" / "data.yaml"


@pytest.fixture(scope="module")
def results():
    from engine import api

    return [api.evaluate_file(str(PROJECT)), api.evaluate_file(str(EXAMPLE_2019))]


def _values(ws, row: int, first: int, last: int) -> list:
    return [ws.cell(row=row, column=c).value for c in range(first, last + 1)]


def test_project_form_in_excel(tmp_path):
    import openpyxl

    target = tmp_path / "project.xlsx"
    code, _, err = run_cli("evaluate", str(PROJECT), "--format", "xlsx", "--output", str(target))
    assert code == 0, err
    ws = openpyxl.load_workbook(target).worksheets[0]
    assert ws.title == "项目支出绩效自评表" and ws["A1"].value == "2019年度项目支出绩效自评表"
    assert _values(ws, 2, 1, 3) == ["项目名称", None, "就业创业资金补助项目"]
    assert _values(ws, 3, 1, 6) == ["主管部门", None, "武汉经济技术开发区（汉南区）人力资源局", None, "实施单位", "武汉市汉南区劳动就业管理局"]
    assert _values(ws, 4, 3, 8) == ["年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"]
    assert ws["B5"].value == "年度资金总额"
    assert [Decimal(str(v)) for v in _values(ws, 5, 3, 8)] == [Decimal("1120"), Decimal("2330.54"), Decimal("2252.13"), Decimal(10), Decimal("0.9664"), Decimal("9.66")]
    assert [ws.cell(row=5, column=c).number_format for c in range(3, 9)] == ["#,##0.00"] * 3 + ["0.00", "0.00%", "0.00"]
    assert [ws.cell(row=r, column=2).value for r in (6, 7, 8)] == ["其中：当年财政拨款", "　　上年结转资金", "　　其他资金"]
    assert ws["A9"].value == "年度总体目标" and ws["C9"].value == "预期目标" and ws["F9"].value == "实际完成情况"
    assert ws["C10"].value.startswith("全年城镇新增就业 15,000 人以上")
    assert _values(ws, 11, 1, 3) == ["一级指标", "二级指标", "三级指标"]
    # the execution rate is in the funds block; the 绩效指标 wrapper gives way to its 一级
    assert [ws.cell(row=r, column=1).value for r in range(12, 17)] == ["产出指标", None, None, "效益指标", "满意度指标"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A12:A14", "B12:B13", "A4:A8", "A9:B10", "C9:E9", "F9:H9"} <= merged
    assert _values(ws, 14, 3, 8)[:5] == ["补贴按时发放率", "≥100%", "95%", 20, 19]
    assert ws["H14"].value == "部分补贴因材料不全延后发放。"
    assert ws["A17"].value == "总分" and Decimal(str(ws["G17"].value)) == Decimal("98.66") and ws["H17"].value == "评价等级：优"


def test_project_report_in_word(results):
    import docx

    from engine.render import docx_out

    doc = docx.Document(io.BytesIO(docx_out.render(results[0])))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "二、项目资金情况" in headings
    form = doc.tables[-1]
    assert [c.text for c in form.rows[2].cells][2:] == ["年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"]
    assert [c.text for c in form.rows[3].cells][1:] == ["年度资金总额", "1,120.00", "2,330.54", "2,252.13", "10", "96.64%", "9.66"]
    assert [c.text for c in form.rows[-1].cells][5:] == ["100", "98.66", "评价等级：优"]


def test_summary_form_sums_and_weights_by_budget(results):
    import openpyxl

    from engine.render import xlsx_out

    ws = openpyxl.load_workbook(io.BytesIO(xlsx_out.render_summary(results))).worksheets[0]
    assert ws.title == "项目支出自评情况汇总表" and ws["A1"].value == "2019年度项目支出自评情况汇总表"
    assert _values(ws, 2, 1, 8) == ["序号", "项目名称", "主管部门", "全年预算数（万元）", "全年执行数（万元）", "执行率", "自评得分", "评价等级"]
    assert _values(ws, 3, 1, 2) == ["1", "就业创业资金补助项目"] and ws["H3"].value == "优"
    total = [Decimal(str(v)) for v in _values(ws, 5, 4, 7)]
    weighted = (Decimal("98.66") * Decimal("2330.54") + Decimal("87.36") * Decimal("4189.79")) / Decimal("6520.33")
    assert total == [Decimal("6520.33"), Decimal("6173.46"), Decimal("0.9468"), weighted.quantize(Decimal("0.01"))]
    assert ws["A5"].value == "合计"


def test_summary_form_in_word_records_every_data_file(results):
    import docx

    from engine.render import docx_out

    doc = docx.Document(io.BytesIO(docx_out.render_summary(results)))
    table = doc.tables[0]
    assert [c.text for c in table.rows[1].cells][3:] == ["2,330.54", "2,252.13", "96.64%", "98.66", "优"]
    footer = doc.sections[0].footer.paragraphs[0].text
    assert results[0].unit.digest in footer and results[1].unit.digest in footer
