"""A bureau's own layout as data (the ruleset's `form:`, docs/forms.md): the
three shipped layouts round-trip through `template`, and a workbook laid out
by hand as a province published its form — no jixiao hidden sheet, rows and
columns shifted, a blank row, 一级/二级 merged — is read by its layout."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, run_cli
from engine import api
from engine.base.diagnostics import DiagnosticError
from engine.load.yaml_loader import load_text, read_file
from forms_support import fill, typed

LAYOUTS = [  # (ruleset, the YAML example typed into its form, total, grade)
    ("rulesets/2019/department.yaml", "examples/2019/hr-bureau.yaml", "87.36", "良"),
    ("rulesets/2019/project.yaml", "examples/2019/projects/employment-subsidy.yaml", "97.66", "优"),
    ("rulesets/examples/national-project.yaml", "examples/schemes/national-project.yaml", "94.58", "优"),
]
NATIONAL = "rulesets/examples/national-project.yaml"
YUNNAN = "云南省项目支出绩效自评表（永德县 2022 年决算公开14表样式）"


def _raw(path: str) -> dict:
    raw, _ = load_text(read_file(path, path), path)
    return raw


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def _without_stamp(data: bytes) -> bytes:
    """The workbook as a bureau's own copy: jixiao's hidden sheet gone."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    del wb["jixiao"]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _findings(result) -> list:
    return sorted((f.code, f.message("zh")) for f in result.findings)


def _problems(path: str, ruleset: str | None = None) -> list[str]:
    with pytest.raises(DiagnosticError) as e:
        api.evaluate_file(path, ruleset)
    return [d.render() for d in e.value.diagnostics]


# --- the three layouts round-trip -----------------------------------------------------

@pytest.mark.parametrize("ruleset, data, total, grade", LAYOUTS)
def test_template_fill_read_round_trips_by_the_declared_layout(tmp_path, ruleset, data, total, grade):
    filled = fill(api.form_template(str(ROOT / ruleset)), _raw(str(ROOT / data)))
    yaml = api.evaluate_file(str(ROOT / data))
    stamped = api.evaluate_file(_write(tmp_path, "stamped.xlsx", filled))
    # the same copy without the hidden sheet: found by the layout alone
    own = api.evaluate_file(_write(tmp_path, "own.xlsx", _without_stamp(filled)), str(ROOT / ruleset))
    for result in (stamped, own):
        assert (result.total, result.grade) == (Decimal(total), grade)
        assert _findings(result) == _findings(yaml)


def test_department_layout_gives_the_seed_result_and_cells(tmp_path):
    filled = fill(api.form_template(str(ROOT / LAYOUTS[0][0])), _raw(str(ROOT / LAYOUTS[0][1])))
    path = _write(tmp_path, "人力资源局.xlsx", _without_stamp(filled))
    code, out, err = run_cli("evaluate", path, "--ruleset", "rulesets/2019/department.yaml")
    assert code == 0, err
    assert "总分: 87.36    等级: 良" in out
    # a problem is still located at its cell, found by the layout
    wb = openpyxl.load_workbook(path)
    wb["其他数据"]["D3"] = "三千一百万"
    wb.save(path)
    lines = _problems(path, str(ROOT / "rulesets/2019/department.yaml"))
    assert lines == [f"{path}:其他数据!D3: 「正文·年初预算安排批复数」（文中年初预算数）应填数字，这里是「三千一百万」"]


def _shifted(data: bytes, down: int = 2, right: int = 1, blank_before: int = 5) -> bytes:
    """Every sheet moved `down` rows and `right` columns, with a blank row
    inserted above worksheet row `blank_before` (values and merges; as a unit
    retyping the form in its own workbook would lay it out)."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import get_column_letter

    src = openpyxl.load_workbook(io.BytesIO(data))
    out = openpyxl.Workbook()
    out.remove(out.active)

    def row_of(r: int) -> int:
        return r + down + (1 if r >= blank_before else 0)

    for ws in src.worksheets:
        new = out.create_sheet(ws.title)
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and not isinstance(c, MergedCell):
                    new.cell(row_of(c.row), c.column + right, c.value)
        for m in ws.merged_cells.ranges:
            new.merge_cells(f"{get_column_letter(m.min_col + right)}{row_of(m.min_row)}:{get_column_letter(m.max_col + right)}{row_of(m.max_row)}")
    out.move_sheet(out.worksheets[-1], offset=-(len(out.worksheets) - 1))  # the instruction sheet (it names the form too) first
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("ruleset, data, total, grade", LAYOUTS)
def test_a_retyped_copy_with_rows_and_columns_moved_still_reads(tmp_path, ruleset, data, total, grade):
    filled = _shifted(_without_stamp(fill(api.form_template(str(ROOT / ruleset)), _raw(str(ROOT / data)))))
    result = api.evaluate_file(_write(tmp_path, "moved.xlsx", filled), str(ROOT / ruleset))
    assert (result.total, result.grade) == (Decimal(total), grade)
    assert _findings(result) == _findings(api.evaluate_file(str(ROOT / data)))


def test_a_place_by_cell_address(tmp_path):
    text = (ROOT / NATIONAL).read_text(encoding="utf-8").replace("subject.name: {label: 项目名称}", "subject.name: {cell: C4}")
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text(text, encoding="utf-8")
    wb = yunnan_workbook()
    wb.active["B4"] = "项目"  # the label no longer matters
    result = api.evaluate_file(_save(wb, tmp_path, "永德.xlsx"), str(ruleset))
    assert result.total == Decimal("94.58") and result.unit.subject.get("name") == "职业技能提升培训补贴项目（示意）"


def test_the_layout_is_found_on_the_search_path_without_ruleset(tmp_path):
    filled = fill(api.form_template(str(ROOT / LAYOUTS[0][0])), _raw(str(ROOT / LAYOUTS[0][1])))
    path = _write(tmp_path, "own.xlsx", _without_stamp(filled))
    result = api.evaluate_file(path)  # 2019 and 2020 department layouts both match: the year printed decides
    assert (result.total, result.grade) == (Decimal("87.36"), "良")
    assert result.plan.ruleset.id == "wuhan-edz-department-2019"


# --- Yunnan's published form, laid out by hand ---------------------------------------------

# The printed texts of 永德县明朗中学's 2022 project form (决算公开14表,
# https://www.yongde.gov.cn/info/3003/116104.htm, transcribed in /work/research/forms/
# yunnan-yongde-2022-nutrition.md), in its order, filled with the national example's figures.
ROWS = [  # 一级, 二级, 三级, 指标性质, 指标值, 度量单位, 实际完成值, 分值, 得分, 偏差原因
    ("产出指标", "数量指标", "补贴培训人次", "≧", "5000", "人次", "5200", "20", "20", None),
    (None, None, "开展培训项目数", "≧", "30", "个", "24", "10", "8", "部分工种报名人数不足，未开班。"),
    (None, "质量指标", "培训合格率", "≧", "85%", "%", "88%", "10", "10", None),
    (None, "时效指标", "补贴发放及时率", "≧", "95%", "%", "97%", "5", "5", None),
    (None, "成本指标", "人均培训补贴", "≦", "1500", "元", "1480", "5", "5", None),
    "blank",
    ("效益指标", "社会效益指标", "培训后就业率", "≧", "60%", "%", "78%", "15", "15", "与企业订单式培训合作，就业率高于预期。"),
    (None, "可持续影响指标", "培训机构规范管理", "定性", "规范管理", None, "个别机构台账不全", "10", "7", "已责令限期整改。"),
    (None, "经济效益指标", "学员人均增收", "≧", "2000", "元", "2100", "5", "5", None),
    (None, "生态效益指标", None, None, None, None, None, None, None, None),  # printed, left empty
    ("满意度指标", "服务对象满意度指标", "学员满意度", "≧", "90%", "%", "92%", "10", "10", None),
]


def yunnan_workbook(drop_header: str | None = None, sheet: str = "公开14表") -> openpyxl.Workbook:
    """The published layout, one column to the right and two rows down of where
    jixiao's template would put it, with a blank row inside the indicator table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws["B1"] = "2022年度项目支出绩效自评表"
    ws.merge_cells("B1:K1")
    ws["B2"], ws["K2"] = "（公开14表）", "单位：元"
    # row 3 left blank
    ws["B4"], ws["C4"] = "项目名称", "职业技能提升培训补贴项目（示意）"
    ws.merge_cells("C4:K4")
    ws["B5"], ws["C5"], ws["F5"], ws["G5"] = "主管部门", "某市人力资源和社会保障局（示意）", "实施单位", "某市职业能力建设指导中心（示意）"
    ws.merge_cells("C5:E5")
    ws.merge_cells("G5:K5")
    for col, text in zip("BCDEFGH", ("项目资金 (元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        ws[f"{col}6"] = text
    funds = [("年度资金总额", "1000", "1200", "1150", "10", "95.83%", "9.58"), ("其中:当年财政 拨款", "1000", "1000", "980"),
             ("上年结转 资金", "0", "200", "170"), ("其他资金", "0", "0", "0")]
    for r, line in enumerate(funds, start=7):
        for col, v in zip("BCDEFGH", line):
            ws[f"{col}{r}"] = typed(v)
    ws["B11"], ws["C11"], ws["G11"] = "年度总体目标", "预期目标", "实际完成情况"
    ws["C12"] = "补贴职业技能培训 5,000 人次，培训合格率 85% 以上，培训后就业率 60% 以上。"
    ws["G12"] = "补贴培训 5,200 人次，培训合格率 88%，培训后就业率 78%。"
    ws.merge_cells("B11:B12")
    ws.merge_cells("C11:F11")
    ws.merge_cells("C12:F12")
    ws.merge_cells("G11:K11")
    ws.merge_cells("G12:K12")
    heads = ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    for col, text in zip("BCDEFGHIJK", heads):
        ws[f"{col}13"] = None if text == drop_header else text
    r = 14
    for line in ROWS:
        if line != "blank":
            for col, v in zip("BCDEFGHIJK", line):
                keep_text = col in "FH" and v is not None and not v.endswith("%")
                ws[f"{col}{r}"] = v if keep_text else typed(v)
        r += 1
    ws.merge_cells("B14:B18")  # 产出指标 down its rows
    ws.merge_cells("C14:C15")  # 数量指标 down its two rows
    ws.merge_cells("B20:B23")  # 效益指标
    ws[f"B{r}"], ws[f"C{r}"] = "其他需要说明事项", "年末部分培训补贴尚在审核，次年初拨付。"
    ws.merge_cells(f"C{r}:G{r}")
    ws[f"H{r}"], ws[f"I{r}"], ws[f"J{r}"], ws[f"K{r}"] = "总分", 100, Decimal("94.58"), "优"
    return wb


def _save(wb, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    wb.save(path)
    return str(path)


def test_a_published_yunnan_form_is_read_by_its_layout(tmp_path):
    path = _save(yunnan_workbook(), tmp_path, "永德.xlsx")
    result = api.evaluate_file(path, str(ROOT / NATIONAL))
    yaml = api.evaluate_file(str(ROOT / "examples/schemes/national-project.yaml"))
    assert (result.total, result.grade) == (Decimal("94.58"), "优")
    assert _findings(result) == _findings(yaml)
    rows = result.unit.rows if hasattr(result.unit, "rows") else None
    assert rows is None or len(rows) == 9
    # 一级/二级 merged down are carried to each row, the stated figures are read
    from engine.forms.xlsx_form import open_form
    from engine.ruleset.loading import load_plan

    raw, smap, notes = open_form(path, "永德.xlsx").read(load_plan(str(ROOT / NATIONAL), NATIONAL))
    assert [(r["group"], r["category"], r["name"]) for r in raw["indicator_rows"]][:3] == [
        ("产出指标", "数量指标", "补贴培训人次"), ("产出指标", "数量指标", "开展培训项目数"), ("产出指标", "质量指标", "培训合格率")]
    assert len(raw["indicator_rows"]) == 9
    assert raw["stated"]["total"] == Decimal("94.58") and raw["stated"]["grade"] == "优"
    assert raw["stated"]["indicators"]["预算执行率"] == {"score": Decimal("9.58")}
    assert raw["tables"]["资金表"]["rows"][1] == {"name": "上年结转资金", "年初预算数": Decimal(0), "全年预算数": Decimal(200), "全年执行数": Decimal(170)}
    assert str(smap.value(("stated", "total"))) == "永德.xlsx:公开14表!J25"
    assert str(smap.value(("indicator_rows", 1, "group"))) == "永德.xlsx:公开14表!B14"  # carried from the merged cell
    assert notes == []


def test_a_published_form_finds_its_ruleset_on_the_search_path(tmp_path):
    path = _save(yunnan_workbook(), tmp_path, "永德.xlsx")
    code, out, err = run_cli("evaluate", path)
    assert code == 0, err
    assert "总分: 94.58    等级: 优" in out


def test_a_missing_header_names_the_layout_and_the_text(tmp_path):
    path = _save(yunnan_workbook(drop_header="实际完成值"), tmp_path, "缺表头.xlsx")
    assert _problems(path, str(ROOT / NATIONAL)) == [
        f"{path}:公开14表: 应为「{YUNNAN}」版式，找不到表头「实际完成值」（此表没有 jixiao 的隐藏工作表，按规则集声明的版式查找）"]


def test_without_ruleset_the_closest_layout_says_what_is_missing(tmp_path):
    path = _save(yunnan_workbook(drop_header="得分"), tmp_path, "缺表头.xlsx")
    assert _problems(path) == [
        f"{path}:公开14表: 应为「{YUNNAN}」版式，找不到表头「得分」（此表没有 jixiao 的隐藏工作表，按规则集声明的版式查找）"]


def test_a_bad_cell_on_a_published_form_is_located(tmp_path):
    wb = yunnan_workbook()
    wb.active["I15"] = "十分"
    path = _save(wb, tmp_path, "永德.xlsx")
    assert _problems(path, str(ROOT / NATIONAL)) == [
        f"{path}:公开14表!I14: 「产出指标」下 4 项三级指标分值合计为 40，应为 50",  # the row's weight is missing from its 一级's sum
        f"{path}:公开14表!I15: 「开展培训项目数（分值）」应填数字，这里是「十分」",
    ]


def test_a_form_of_no_known_layout_says_so(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "某某情况统计表"
    path = _save(wb, tmp_path, "a.xlsx")
    assert _problems(path) == [f"{path}: 不是 jixiao 填报表：应为「jixiao 填报表 jixiao-form/1」版式，找不到其标记「jixiao（隐藏工作表）」（请用 jixiao template 生成的表格填报）"]


def test_a_folder_of_published_forms_through_batch(tmp_path):
    folder = tmp_path / "收回"
    folder.mkdir()
    _save(yunnan_workbook(), folder, "a.xlsx")
    _save(yunnan_workbook(drop_header="分值"), folder, "b.xlsx")
    code, out, err = run_cli("batch", str(folder), "--ruleset", NATIONAL, "--errors", str(tmp_path / "问题.txt"))
    problems = (tmp_path / "问题.txt").read_text(encoding="utf-8")
    assert "94.58" in out
    assert f"{folder}/b.xlsx:公开14表: 应为「{YUNNAN}」版式，找不到表头「分值」" in problems
    assert "a.xlsx" not in problems


def test_one_published_form_given_to_batch_is_a_form_not_a_flat_table(tmp_path):
    path = _save(yunnan_workbook(), tmp_path, "永德.xlsx")
    code, out, err = run_cli("batch", path, "--ruleset", NATIONAL)
    assert code == 0, err
    assert json.loads(out.splitlines()[0])["total"] == 94.58
    broken = _save(yunnan_workbook(drop_header="实际完成值"), tmp_path, "缺表头.xlsx")
    code, out, err = run_cli("batch", broken, "--ruleset", NATIONAL)
    assert code == 1 and f"{broken}:公开14表: 应为「{YUNNAN}」版式，找不到表头「实际完成值」" in err
    flat = tmp_path / "flat.xlsx"  # a flat table for the same ruleset is still read as one
    wb = openpyxl.Workbook()
    wb.active.append(["项目名称", "全年预算数"])
    wb.save(flat)
    code, out, err = run_cli("batch", str(flat), "--ruleset", NATIONAL)
    assert "flat.xlsx[" in err and "公开14表" not in err


# --- Word ---------------------------------------------------------------------------

def test_a_published_form_as_a_word_table_is_read_by_its_layout(tmp_path):
    docx = pytest.importorskip("docx")
    ws = yunnan_workbook().active
    doc = docx.Document()
    doc.add_paragraph("2022年度项目支出绩效自评表")
    rows, cols = ws.max_row - 3, 10  # from row 4, columns B..K
    table = doc.add_table(rows=rows, cols=cols)
    for merged in ws.merged_cells.ranges:
        if merged.min_row >= 4:
            table.cell(merged.min_row - 4, merged.min_col - 2).merge(table.cell(merged.max_row - 4, merged.max_col - 2))
    for r in range(4, ws.max_row + 1):
        for c in range(2, 12):
            v = ws.cell(r, c).value
            if v is not None:
                text = format(v * 100, "f").rstrip("0").rstrip(".") + "%" if isinstance(v, Decimal) and ws.cell(r, c).number_format.endswith("%") else str(v)
                table.cell(r - 4, c - 2).text = text
    out = io.BytesIO()
    doc.save(out)
    path = _write(tmp_path, "永德.docx", out.getvalue())
    result = api.evaluate_file(path, str(ROOT / NATIONAL))
    assert (result.total, result.grade) == (Decimal("94.58"), "优")
    assert (api.evaluate_file(path).total) == Decimal("94.58")  # its ruleset found by the layout
    table.cell(11, 7).text = "十分"  # 开展培训项目数·分值 (the second indicator row, worksheet I15)
    doc.save(out := io.BytesIO())
    assert _problems(_write(tmp_path, "错.docx", out.getvalue()), str(ROOT / NATIONAL))[-1] == f"{tmp_path}/错.docx:表1!第12行第8列: 「开展培训项目数（分值）」应填数字，这里是「十分」"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_published_form_saved_as_xls_is_read_by_its_layout(tmp_path):
    pytest.importorskip("python_calamine")
    src = _save(yunnan_workbook(), tmp_path, "永德.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "old"), src],
                   check=True, capture_output=True, timeout=180)
    result = api.evaluate_file(str(tmp_path / "old" / "永德.xls"), str(ROOT / NATIONAL))
    assert (result.total, result.grade) == (Decimal("94.58"), "优")


# --- the layout in a ruleset is checked -------------------------------------------------------

BROKEN = """
form:
  name: 某省项目表
  constants:
    tables.资金表.名字: 年度资金总额
  sheets:
    - title: 项目支出绩效自评表
      cells:
        subject.name: {label: 项目名称, cell: C2}
        inputs.没有这项: {label: 备注}
        stated.total: {row: 总分}
      indicators:
        columns: {三级指标: nam, 得分: score}
      table:
        table: 没有这张表
        columns: {名称: name}
"""


def test_mistakes_in_a_declared_layout_are_located(tmp_path):
    text = (ROOT / NATIONAL).read_text(encoding="utf-8")
    text = text[: text.index("\nform:")] + BROKEN
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("validate", str(path))
    assert code == 1

    def line(snippet: str) -> int:
        return text[: text.index(snippet)].count("\n") + 1

    assert [x for x in (out + err).splitlines() if x.startswith(str(path))] == [
        f"{path}:{line('tables.资金表.名字')}:5: 版式中的「tables.资金表.名字」不是单位数据中的位置：应为 tables.资金表.[rows.<序号>.]<年初预算数、全年预算数、全年执行数>",
        f"{path}:{line('subject.name')}:23: 版式中「subject.name」的位置应且只应用一种方式给出：label（标签），row 与 column（行与列的表头），或 cell（单元格地址）",
        f"{path}:{line('inputs.没有这项')}:9: 版式中的「inputs.没有这项」不是单位数据中的位置：应为 inputs.<已声明的输入项>",
        f"{path}:{line('stated.total')}:23: 版式中「stated.total」的位置应且只应用一种方式给出：label（标签），row 与 column（行与列的表头），或 cell（单元格地址）",
        f"{path}:{line('三级指标: nam')}:25: 「三级指标」的值「nam」不在可选范围内：group / category / name / operator / target / unit / actual / level / weight / score / explanation",
        f"{path}:{line('没有这张表')}:16: 版式中的数据表「没有这张表」没有在 tables 中声明（已声明：资金表）",
    ]


# --- LibreOffice opens the written layout -------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_yunnan_template_converts_to_pdf_with_libreoffice(tmp_path):
    src = _write(tmp_path, "yunnan.xlsx", api.form_template(str(ROOT / NATIONAL)))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), src],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "yunnan.pdf").read_bytes()
    assert 2 <= len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) <= 8
    wb = openpyxl.load_workbook(src)
    form = wb.worksheets[0]
    assert form.protection.sheet and form.data_validations.dataValidation
    assert [c.value for c in form[12]] == ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
