"""The project form (项目支出绩效自评表) and the summary across projects
(项目支出自评情况汇总表), generated from the seed's 2019 projects
(examples/2019/projects, rulesets/2019/project.yaml)."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest

from tests.conftest import ROOT, run_cli

PROJECTS = ROOT / "examples" / "2019" / "projects"
EMPLOYMENT = PROJECTS / "employment-subsidy.yaml"


def _values(ws, row: int, first: int, last: int) -> list:
    return [ws.cell(row=row, column=c).value for c in range(first, last + 1)]


@pytest.fixture(scope="module")
def project_sheet(tmp_path_factory):
    import openpyxl

    target = tmp_path_factory.mktemp("xlsx") / "project.xlsx"
    code, _, err = run_cli("evaluate", str(EMPLOYMENT), "--format", "xlsx", "--output", str(target))
    assert code == 0, err
    return openpyxl.load_workbook(target).worksheets[0]


def test_project_form_header_and_funds_block(project_sheet):
    ws = project_sheet
    assert ws.title == "项目支出绩效自评表" and ws["A1"].value == "2019年度项目支出绩效自评表"
    assert _values(ws, 2, 1, 3) == ["项目名称", None, "就业创业资金补助项目"]
    assert _values(ws, 3, 1, 6) == ["主管部门", None, "武汉经济技术开发区（汉南区）人力资源局", None, "实施单位", "武汉经济技术开发区（汉南区）人力资源局、武汉市汉南区劳动就业管理局"]
    assert _values(ws, 4, 3, 8) == ["年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"]
    assert ws["B5"].value == "年度资金总额"
    assert [Decimal(str(v)) for v in _values(ws, 5, 3, 8)] == [Decimal("1120"), Decimal("2330.54"), Decimal("2252.13"), Decimal(10), Decimal("0.9664"), Decimal("9.66")]
    assert [ws.cell(row=5, column=c).number_format for c in range(3, 9)] == ["#,##0.00"] * 3 + ["0.00", "0.00%", "0.00"]
    assert [ws.cell(row=r, column=2).value for r in (6, 7, 8)] == ["其中：当年财政拨款", "　　上年结转资金", "　　其他资金"]
    assert ws["A9"].value == "年度总体目标" and ws["C9"].value == "预期目标" and ws["F9"].value == "实际完成情况"
    assert ws["C10"].value.startswith("（示意）落实就业创业扶持政策")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A4:A8", "A9:B10", "C9:E9", "F9:H9", "C10:E10", "F10:H10"} <= merged


def test_project_form_indicator_rows(project_sheet):
    ws = project_sheet
    assert _values(ws, 11, 1, 8) == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    # 预算执行率 is in the funds block; the 绩效指标 frame gives way to its 一级
    assert [ws.cell(row=r, column=1).value for r in range(12, 23)] == ["产出指标"] + [None] * 6 + ["效益指标", None, "满意度指标", "总分"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A12:A18", "B12:B15", "A19:A20"} <= merged
    # Rated 达成 (8 of 10, inside the top band): not a deviation, so no 偏差原因 (docs/checks.md §4).
    assert _values(ws, 20, 2, 8) == ["可持续影响指标", "就业服务体系长效运行", "机构、人员、制度满足工作需要", "基本满足", 10, 8, None]
    assert Decimal(str(ws["G22"].value)) == Decimal("97.66") and ws["H22"].value == "评价等级：优"
    assert ws.print_area == "'项目支出绩效自评表'!$A$1:$H$22" and ws.page_setup.orientation == "landscape"


def test_project_report_in_word():
    import docx

    from engine import api
    from engine.render import docx_out

    doc = docx.Document(io.BytesIO(docx_out.render(api.evaluate_file(str(EMPLOYMENT)))))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["一、绩效得分情况", "二、项目资金情况"]
    assert any("绩效评价综合得分为97.66分，评价等级为优。其中预算执行率得分9.66分，产出指标得分55分，效益指标得分23分，满意度指标得分10分。" in p.text for p in doc.paragraphs)
    form = doc.tables[-1]
    assert [c.text for c in form.rows[2].cells][2:] == ["年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"]
    assert [c.text for c in form.rows[3].cells][1:] == ["年度资金总额", "1,120.00", "2,330.54", "2,252.13", "10", "96.64%", "9.66"]
    assert [c.text for c in form.rows[-1].cells][5:] == ["100", "97.66", "评价等级：优"]


@pytest.fixture(scope="module")
def summary():
    from engine.tools.project_summary import summarize

    return summarize([str(PROJECTS)])


def test_summary_form_in_excel_matches_the_summary(summary, tmp_path):
    import openpyxl

    target = tmp_path / "summary.xlsx"
    code, _, err = run_cli("evaluate", str(PROJECTS), "--format", "xlsx", "--output", str(target))
    assert code == 0, err
    wb = openpyxl.load_workbook(target)
    ws = wb.worksheets[0]
    assert ws.title == "项目支出自评情况汇总表" and ws["A1"].value == "项目支出自评情况汇总表"
    assert _values(ws, 3, 1, 8) == ["序号", "项目名称", "全年预算数", "全年执行数", "执行率", "自评得分", "评价等级", "问题数"]
    assert _values(ws, 6, 1, 2) == ["3", "就业创业资金补助项目"]
    assert [Decimal(str(v)) for v in _values(ws, 6, 3, 6)] == [Decimal("2330.54"), Decimal("2252.13"), Decimal("0.9664"), Decimal("97.66")]
    total = [Decimal(str(v)) for v in _values(ws, 10, 3, 6)]
    assert total == [summary.budget, summary.spent, summary.rate, summary.weighted_score] == [Decimal("2874.32"), Decimal("2736.38"), Decimal("0.952"), Decimal("96.54")]
    assert ws["A10"].value == "合计" and ws["H10"].value == "4"
    info = dict(wb["生成信息"].iter_rows(values_only=True))
    assert info["examples/2019/projects/employment-subsidy.yaml"] == summary.rows[2].digest and summary.rows[2].digest.startswith("sha256:")


def test_summary_form_in_word(summary, tmp_path):
    import docx

    target = tmp_path / "summary.docx"
    code, _, err = run_cli("evaluate", str(PROJECTS), "--format", "docx", "--output", str(target))
    assert code == 0, err
    doc = docx.Document(str(target))
    table = doc.tables[0]
    assert [c.text for c in table.rows[3].cells] == ["3", "就业创业资金补助项目", "2,330.54", "2,252.13", "96.64%", "97.66", "优", "0"]
    assert [c.text for c in table.rows[-1].cells] == ["合计", "合计", "2,874.32", "2,736.38", "95.20%", "96.54", "", "4"]
    footer = doc.sections[0].footer.paragraphs[0].text
    assert all(r.digest in footer for r in summary.rows)


def test_summary_with_a_failed_project_withholds_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EMPLOYMENT.read_text(encoding="utf-8").replace("ruleset: 2019/project", f"ruleset: {ROOT / 'rulesets' / '2019' / 'project.yaml'}").replace("actual: 15500", "actual: 很多"), encoding="utf-8")
    target = tmp_path / "summary.xlsx"
    code, out, err = run_cli("evaluate", str(EMPLOYMENT), str(bad), "--format", "xlsx", "--output", str(target))
    assert code == 1 and not target.exists()
    assert "项目支出自评情况汇总表" in out and "很多" in err  # the text summary is shown instead, the error located
