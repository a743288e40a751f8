"""Fill-in forms: `jixiao template` → a unit fills the workbook → `evaluate` /
`batch` read it back to exactly the YAML example's result, and every broken
form is reported at its cell."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from conftest import ROOT, run_cli
from engine import api
from engine.base.diagnostics import DiagnosticError
from engine.load.yaml_loader import load_text, read_file
from forms_support import fill, xls_bytes, xls_from_workbook

DEPARTMENT = "rulesets/2019/department.yaml"
PROJECT = "rulesets/2019/project.yaml"
DEPT_DATA = "examples/2019/hr-bureau.yaml"
PROJ_DATA = "examples/2019/projects/employment-subsidy.yaml"


def _raw(path: str) -> dict:
    raw, _ = load_text(read_file(path, path), path)
    return raw


@pytest.fixture(scope="module")
def dept_template() -> bytes:
    return api.form_template(str(ROOT / DEPARTMENT))


@pytest.fixture(scope="module")
def proj_template() -> bytes:
    return api.form_template(str(ROOT / PROJECT))


@pytest.fixture(scope="module")
def dept_filled(dept_template) -> bytes:
    return fill(dept_template, _raw(str(ROOT / DEPT_DATA)))


@pytest.fixture(scope="module")
def proj_filled(proj_template) -> bytes:
    return fill(proj_template, _raw(str(ROOT / PROJ_DATA)))


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def _scores(result) -> dict:
    out = {}
    stack = list(result.indicators)
    while stack:
        r = stack.pop()
        out[r.node.name] = r.score
        stack.extend(r.children)
    return out


def _same_result(a, b) -> None:
    assert (a.total, a.grade) == (b.total, b.grade)
    assert _scores(a) == _scores(b)
    assert sorted((f.code, f.message("zh")) for f in a.findings) == sorted((f.code, f.message("zh")) for f in b.findings)
    assert [d.key for d in a.deviations] == [d.key for d in b.deviations]


# --- round trip ------------------------------------------------------------------

def test_department_form_round_trip_gives_the_yaml_result(tmp_path, dept_filled):
    form = api.evaluate_file(_write(tmp_path, "人力资源局.xlsx", dept_filled))
    yaml = api.evaluate_file(str(ROOT / DEPT_DATA))
    assert (form.total, form.grade) == (Decimal("87.36"), "良")
    _same_result(form, yaml)
    assert len(form.findings) == len(yaml.findings) == 10
    # findings point at the cells of the form
    assert all(str(f.span).startswith(str(tmp_path / "人力资源局.xlsx") + ":") for f in form.findings if f.span)


def test_project_form_round_trip_gives_the_yaml_result(tmp_path, proj_template):
    data = _raw(str(ROOT / PROJ_DATA))
    path = _write(tmp_path, "p.xlsx", fill(proj_template, data))
    form = api.evaluate_file(path)
    yaml = api.evaluate_file(str(ROOT / PROJ_DATA))
    assert (form.total, form.grade) == (Decimal("97.66"), "优")
    _same_result(form, yaml)


def test_cli_template_then_evaluate(tmp_path):
    out = tmp_path / "自评表.xlsx"
    code, _, err = run_cli("template", "2019/department", "--output", str(out))
    assert code == 0, err
    filled = _write(tmp_path, "filled.xlsx", fill(out.read_bytes(), _raw(str(ROOT / DEPT_DATA))))
    code, stdout, err = run_cli("evaluate", filled)
    assert code == 0, err
    assert "总分: 87.36    等级: 良" in stdout


def test_printed_scores_are_read_as_stated(tmp_path, proj_template):
    from engine.forms.xlsx_form import open_form
    from engine.ruleset.loading import load_plan

    data = _raw(str(ROOT / PROJ_DATA))
    data["indicator_rows"] = [dict(r) for r in data["indicator_rows"]]
    data["indicator_rows"][0]["score"] = Decimal(15)  # a computed row's printed 得分
    stated = {"total": Decimal("97.66"), "grade": "优", "indicators": {"预算执行率": {"score": Decimal("9.66")}}}
    path = _write(tmp_path, "p.xlsx", fill(proj_template, data, stated=stated))
    plan = load_plan(str(ROOT / PROJECT), PROJECT)
    raw, smap, notes = open_form(path, "p.xlsx").read(plan)
    assert raw["stated"] == {"total": Decimal("97.66"), "grade": "优",
                             "indicators": {"预算执行率": {"score": Decimal("9.66")}, "城镇新增就业人数": {"score": Decimal(15)}}}
    assert str(smap.value(("stated", "total"))) == "p.xlsx:项目支出绩效自评表!J23"
    assert notes == []
    assert api.evaluate_file(path).total == Decimal("97.66")  # stated figures never change the result


def test_flat_header_reads_back_through_the_column_mapping(tmp_path):
    code, out, err = run_cli("template", "2019/department", "--flat")
    assert code == 0, err
    header = out.strip().split(",")
    assert header[:3] == ["单位名称", "文中年初预算数", "文中年初基本支出"]
    assert "预算调整表.基本支出.年初预算数" in header and "时效指标.档次" in header and "社会效益.得分" in header
    from engine.ruleset.loading import load_plan
    from engine.unit.columns import resolve

    cmap, problems = resolve(load_plan(str(ROOT / DEPARTMENT), "d"), header, None, "flat.csv")
    assert problems == [] and cmap is not None
    code, _, err = run_cli("template", "2019/department", "--flat", "--output", str(tmp_path / "h.xlsx"))
    assert code == 0 and openpyxl.load_workbook(tmp_path / "h.xlsx").active["A1"].value == "单位名称"


# --- the workbook ------------------------------------------------------------------

def test_template_is_protected_validated_and_stamped(dept_template):
    wb = openpyxl.load_workbook(io.BytesIO(dept_template))
    assert wb.sheetnames == ["整体支出绩效自评表", "预算调整表", "支出表", "其他数据", "填报说明", "jixiao"]
    assert wb["jixiao"].sheet_state == "veryHidden"
    stamp = {r[0]: r[1] for r in wb["jixiao"].iter_rows(values_only=True) if r[0] in ("layout", "ruleset_id", "ruleset_digest")}
    assert stamp["layout"] == "jixiao-form/1" and stamp["ruleset_id"] == "wuhan-edz-department-2019"
    assert stamp["ruleset_digest"] == api.validate_ruleset(str(ROOT / DEPARTMENT)).digest
    assert wb.security.lockStructure
    form = wb["整体支出绩效自评表"]
    for ws in wb.worksheets[:5]:
        assert ws.protection.sheet and not ws.protection.password
    assert int(form.page_setup.paperSize) == 9 and form.page_setup.orientation == "landscape"
    unlocked = {c.coordinate for row in form.iter_rows() for c in row if not c.protection.locked and not isinstance(c, MergedCell)}
    inputs = {r[2] for r in wb["jixiao"].iter_rows(values_only=True) if r[0] == "input" and r[1] == "整体支出绩效自评表"}
    assert unlocked == inputs
    assert form["E8"].coordinate in unlocked and form["C8"].value == "参与干部培训人数" and form["C8"].protection.locked
    kinds = {}
    for dv in form.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in form[rng.coord] if ":" in rng.coord else ((form[rng.coord],),):
                for c in row:
                    kinds[c.coordinate] = (dv.type, dv.formula1, dv.formula2, dv.prompt)
    assert kinds["F18"][:2] == ("list", '"达成,部分达成,未达成"')  # 时效指标's levels
    assert kinds["H18"][:3] == ("decimal", "0", "9")  # its score, within its weight
    assert kinds["I23"][:2] == ("list", '"优,良,中,差"')  # the grade
    assert kinds["E9"][0] == "decimal" and "百分比" in kinds["E9"][3]
    assert set(kinds) >= unlocked  # every input has its label and hint (the validation's input message)
    inputs_sheet = wb["其他数据"]
    money = [dv for dv in inputs_sheet.data_validations.dataValidation if "金额" in (dv.prompt or "")]
    assert money and all(dv.type == "decimal" for dv in money)
    names = [n.lower() for n in zipfile.ZipFile(io.BytesIO(dept_template)).namelist()]
    assert not any("vba" in n or n.endswith(".bin") for n in names)  # no macros


def test_project_template_has_the_rows_asked_for_and_frame_dropdowns():
    wb = openpyxl.load_workbook(io.BytesIO(api.form_template(str(ROOT / PROJECT), rows=25)))
    regions = [json.loads(r[2]) for r in wb["jixiao"].iter_rows(values_only=True) if r[0] == "region"]
    assert regions[0]["last"] - regions[0]["first"] + 1 == 25
    ws = wb["项目支出绩效自评表"]
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert '"产出指标,效益指标,满意度指标"' in lists
    assert '"≥,≤,=,定性"' in lists


@pytest.mark.parametrize("renamed", [
    {"数量指标": "数量,指标", "质量指标": '质量"指标'},  # a comma or a quote cannot stand in an inline list
    {name: name + "（" + "长" * 60 + "）" for name in ("数量指标", "质量指标", "时效指标", "进度指标", "成本指标")},  # over 240 characters
])
def test_dropdown_options_that_cannot_be_inline_are_listed_on_the_hidden_sheet(tmp_path, renamed):
    text = (ROOT / "rulesets" / "examples" / "hubei-2020-project.yaml").read_text(encoding="utf-8")
    line = "产出指标: [数量指标, 质量指标, 时效指标, 进度指标, 成本指标]"
    assert line in text
    options = [renamed.get(n, n) for n in ("数量指标", "质量指标", "时效指标", "进度指标", "成本指标")]
    ruleset = tmp_path / "rs.yaml"
    ruleset.write_text(text.replace(line, "产出指标: " + json.dumps(options, ensure_ascii=False)), encoding="utf-8")
    out = tmp_path / "t.xlsx"
    code, stdout, err = run_cli("template", str(ruleset), "--output", str(out))
    assert code == 0 and err == f"已写入 {out}\n", err
    wb = openpyxl.load_workbook(out)
    ws = wb["项目支出绩效自评表"]
    second = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and "B13" in str(dv.sqref)]
    assert [dv.formula1 for dv in second] == ["jixiao!$K$1:$K$10"]
    listed = [row[0] for row in wb["jixiao"].iter_rows(min_col=11, max_col=11, values_only=True) if row[0] is not None]
    assert listed == options + ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_template_converts_to_pdf_with_libreoffice(tmp_path, dept_template, proj_template):
    for name, data, pages in (("dept.xlsx", dept_template, (3, 12)), ("proj.xlsx", proj_template, (2, 8))):
        src = _write(tmp_path, name, data)
        profile = tmp_path / f"profile-{name}"
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), src],
                       check=True, capture_output=True, timeout=180)
        pdf = (tmp_path / name.replace(".xlsx", ".pdf")).read_bytes()
        count = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pages[0] <= count <= pages[1], count


# --- broken forms -------------------------------------------------------------------

def _problems(path: str, ruleset: str | None = None) -> list[str]:
    with pytest.raises(DiagnosticError) as e:
        api.evaluate_file(path, ruleset)
    return [d.render() for d in e.value.diagnostics]


def _edit(data: bytes, change) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_text_in_a_number_cell_is_located_with_its_label(tmp_path, dept_filled):
    bad = _edit(dept_filled, lambda wb: wb["其他数据"].__setitem__("D3", "三千一百万"))
    lines = _problems(_write(tmp_path, "a.xlsx", bad))
    assert len(lines) == 1 and lines[0].startswith(f"{tmp_path}/a.xlsx:其他数据!D3: ")
    assert "正文·年初预算安排批复数" in lines[0] and "三千一百万" in lines[0]


def test_a_deleted_row_is_reported_where_the_layout_moved(tmp_path, dept_filled):
    def delete(wb):
        ws = wb["整体支出绩效自评表"]
        ws.protection.sheet = False
        ws.delete_rows(9)

    lines = _problems(_write(tmp_path, "a.xlsx", _edit(dept_filled, delete)))
    assert lines[0].startswith(f"{tmp_path}/a.xlsx:整体支出绩效自评表!C9: 这里应为「干部档案整理覆盖率」，现在是「专项招聘工作完成率」")


def test_merged_input_cells_are_refused(tmp_path, dept_filled):
    bad = _edit(dept_filled, lambda wb: wb["整体支出绩效自评表"].merge_cells("E11:E12"))
    lines = _problems(_write(tmp_path, "a.xlsx", bad))
    assert lines == [f"{tmp_path}/a.xlsx:整体支出绩效自评表!E12: 「组织公益性招聘会场数·实际完成值」的单元格被合并（E11:E12）：填写数据的单元格不能合并"]


def test_an_extra_sheet_is_refused(tmp_path, dept_filled):
    bad = _edit(dept_filled, lambda wb: wb.create_sheet("草稿"))
    assert _problems(_write(tmp_path, "a.xlsx", bad)) == [f"{tmp_path}/a.xlsx:草稿!A1: 工作簿多出工作表「草稿」：填报表不能增加工作表，请删除它后再提交"]


def _with_cached_value(data: bytes, sheet_file: str, formula: str, value: str) -> bytes:
    """Give a formula a saved result, as Excel does when it saves."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == sheet_file:
                body = body.replace(f"<f>{formula}</f><v></v>".encode(), f"<f>{formula}</f><v>{value}</v>".encode())
            z.writestr(info, body)
    return out.getvalue()


def test_a_formula_in_an_input_cell_uses_its_saved_value_and_is_reported(tmp_path, dept_filled):
    bad = _edit(dept_filled, lambda wb: wb["其他数据"].__setitem__("D3", "=3000+193.13"))
    path = _write(tmp_path, "a.xlsx", _with_cached_value(bad, "xl/worksheets/sheet4.xml", "3000+193.13", "3193.13"))
    code, out, err = run_cli("evaluate", path)
    assert code == 0 and "总分: 87.36    等级: 良" in out
    assert f"{path}:其他数据!D3: 「正文·年初预算安排批复数」填的是公式 =3000+193.13：按其保存的计算结果 3193.13 评价" in err
    lines = _problems(_write(tmp_path, "b.xlsx", bad))  # no saved result at all
    assert lines == [f"{tmp_path}/b.xlsx:其他数据!D3: 「正文·年初预算安排批复数」填的是公式 =3000+193.13，文件中没有保存其计算结果：请直接填写数值"]


def test_a_form_for_another_ruleset_says_which(tmp_path, proj_template):
    lines = _problems(_write(tmp_path, "a.xlsx", proj_template), DEPARTMENT)
    assert len(lines) == 1 and lines[0].startswith(f"{tmp_path}/a.xlsx: 此表是按规则集「项目支出绩效自评表（2019年度）」（wuhan-edz-project-2019，版本 ")


def test_not_a_form_names_the_layout_and_the_missing_mark(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "部门名称"
    out = io.BytesIO()
    wb.save(out)
    lines = _problems(_write(tmp_path, "a.xlsx", out.getvalue()), "rulesets/examples/hubei-2020-project.yaml")  # declares no layout
    assert lines == [f"{tmp_path}/a.xlsx: 不是 jixiao 填报表：应为「jixiao 填报表 jixiao-form/1」版式，找不到其标记「jixiao（隐藏工作表）」（请用 jixiao template 生成的表格填报）"]


def test_a_password_protected_form_is_said_right_for_its_format(tmp_path):
    """An .xlsx or .docx that is an OLE2 file is password-protected or the older
    binary format renamed; an .xls calamine finds encrypted is only the former."""
    from engine.base.messages import format_message
    from engine.forms.xls_form import _answer

    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    said = {}
    for name in ("e.xlsx", "e.docx"):
        path = _write(tmp_path, name, ole2)
        with pytest.raises(DiagnosticError) as caught:
            api.evaluate_file(path, str(ROOT / DEPARTMENT))
        said[name] = caught.value.diagnostics
    with pytest.raises(DiagnosticError) as caught:
        _answer(("error", "XlsError: Workbook is encrypted"), "e.xls")
    said["e.xls"] = caught.value.diagnostics
    assert {name: [(d.code, format_message(d.code, d.args, "zh"), format_message(d.code, d.args, "en")) for d in ds] for name, ds in said.items()} == {
        "e.xlsx": [("forms.encrypted", "文件设了打开密码，或是旧版的 Excel 97-2003 (.xls) 文件：请去掉密码并另存为 Excel (.xlsx) 后再提交",
                    "the file is password-protected, or an older Excel 97-2003 (.xls) file: remove the password, save it as Excel (.xlsx) and send it again")],
        "e.docx": [("forms.encrypted", "文件设了打开密码，或是旧版的 Word 97-2003 (.doc) 文件：请去掉密码并另存为 Word (.docx) 后再提交",
                    "the file is password-protected, or an older Word 97-2003 (.doc) file: remove the password, save it as Word (.docx) and send it again")],
        "e.xls": [("forms.encrypted", "文件设了打开密码：请去掉密码后再提交", "the file is password-protected: remove the password and send it again")],
    }


def test_encrypted_corrupt_and_bomb_files_are_refused(tmp_path, dept_filled):
    enc = _problems(_write(tmp_path, "e.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), DEPARTMENT)
    assert enc == [f"{tmp_path}/e.xlsx: 文件设了打开密码，或是旧版的 Excel 97-2003 (.xls) 文件：请去掉密码并另存为 Excel (.xlsx) 后再提交"]
    cut = _problems(_write(tmp_path, "c.xlsx", dept_filled[: len(dept_filled) // 2]), DEPARTMENT)
    assert len(cut) == 1 and cut[0].startswith(f"{tmp_path}/c.xlsx: 无法打开：文件已损坏，或不是有效的 Excel (.xlsx) 文件")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 << 20))
    lines = _problems(_write(tmp_path, "b.xlsx", bomb.getvalue()), DEPARTMENT)
    assert len(lines) == 1 and "解压后过大或压缩比异常" in lines[0]


def _repacked(data: bytes, method: int, *names: str) -> bytes:
    """The package with the members `names` packed by `method` (bzip2, LZMA)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for i in src.infolist():
            dst.writestr(i.filename, src.read(i.filename), compress_type=method if i.filename in names else zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_a_form_with_a_bzip2_or_lzma_part_is_refused_before_any_part_is_unpacked(tmp_path, dept_filled, method, opened):
    # zipfile unpacks a bzip2 or LZMA member without a bound (512 bytes took 1 GB at the first read):
    # such a part, which Excel and Word never write, is refused from the archive's records alone.
    name = "bzip2" if method == zipfile.ZIP_BZIP2 else "lzma"
    xlsx = _write(tmp_path, "m.xlsx", _repacked(dept_filled, method, "xl/worksheets/sheet1.xml"))
    opened.clear()  # (what making it read)
    assert _problems(xlsx, DEPARTMENT) == [f"{xlsx}: 无法打开：文件已损坏，或不是有效的 Excel (.xlsx) 文件（其中的「xl/worksheets/sheet1.xml」用 {name} 方式压缩，"
                                           "Excel 和 Word 从不这样压缩：文件可能被改动过，解压它可能耗尽内存）"]
    assert opened == []
    docx = _write(tmp_path, "m.docx", _repacked(_word(DEPARTMENT, DEPT_DATA), method, "word/document.xml"))
    opened.clear()
    assert _problems(docx, DEPARTMENT) == [f"{docx}: 无法打开：文件已损坏，或不是有效的 Word (.docx) 文件（其中的「word/document.xml」用 {name} 方式压缩，"
                                           "Excel 和 Word 从不这样压缩：文件可能被改动过，解压它可能耗尽内存）"]
    assert opened == []
    code, out, err = run_cli("--lang", "en", "evaluate", xlsx, "--ruleset", DEPARTMENT)
    assert (code, out) == (1, "") and err.startswith(f"{xlsx}: cannot open: the file is damaged or not a valid Excel (.xlsx) file (its part 'xl/worksheets/sheet1.xml' is packed by {name}, "
                                                     "which Excel and Word never use: the file may have been tampered with, and unpacking it could exhaust memory)\n")


def test_a_form_part_encrypted_the_zip_way_is_refused(tmp_path, dept_filled):
    data = bytearray(dept_filled)
    for at in (0, data.find(b"PK\x01\x02")):  # the first member's local and central records
        data[at + (6 if at == 0 else 8)] |= 1
    first = zipfile.ZipFile(io.BytesIO(dept_filled)).infolist()[0].filename
    xlsx = _write(tmp_path, "e.xlsx", bytes(data))
    assert _problems(xlsx, DEPARTMENT) == [f"{xlsx}: 无法打开：文件已损坏，或不是有效的 Excel (.xlsx) 文件（其中的「{first}」按 zip 的方式设了密码，Excel 和 Word 从不这样加密：文件可能被改动过）"]


def _version_needed(data: bytes, version: int) -> bytes:
    """The package with every central-directory entry's "version needed to
    extract" set to `version` (255 reads as 25.5: no zip tool has it)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        out[at + 6:at + 8] = version.to_bytes(2, "little")
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def test_a_package_needing_an_unknown_zip_version_is_refused_as_damaged(tmp_path, dept_filled):
    xlsx = _write(tmp_path, "v.xlsx", _version_needed(dept_filled, 255))
    docx = _write(tmp_path, "v.docx", _version_needed(_word(DEPARTMENT, DEPT_DATA), 255))
    assert _problems(xlsx, DEPARTMENT) == [f"{xlsx}: 无法打开：文件已损坏，或不是有效的 Excel (.xlsx) 文件（zip file version 25.5）"]
    assert _problems(docx, DEPARTMENT) == [f"{docx}: 无法打开：文件已损坏，或不是有效的 Word (.docx) 文件（zip file version 25.5）"]
    code, out, err = run_cli("--lang", "en", "evaluate", xlsx)
    assert (code, out) == (1, "") and err.startswith(f"{xlsx}: cannot open: the file is damaged or not a valid Excel (.xlsx) file (zip file version 25.5)\n")
    # in a batch folder each is its unit's error; given alone, the workbook is no filled form, and the table reader refuses it
    folder = tmp_path / "units"
    folder.mkdir()
    for name in ("v.xlsx", "v.docx"):
        shutil.copy(tmp_path / name, folder / name)
    (folder / "good.xlsx").write_bytes(dept_filled)
    code, out, err = run_cli("batch", str(folder), "--ruleset", DEPARTMENT, "--output", str(tmp_path / "r.jsonl"), "--jobs", "1")
    assert code == 1 and "共 3 个单位，评价 1 个，失败 2 个" in out + err
    assert f"{folder}/v.xlsx: 无法打开：文件已损坏，或不是有效的 Excel (.xlsx) 文件（zip file version 25.5）\n" in err
    assert f"{folder}/v.docx: 无法打开：文件已损坏，或不是有效的 Word (.docx) 文件（zip file version 25.5）\n" in err
    assert [json.loads(x)["total"] for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()] == [87.36]
    code, out, err = run_cli("batch", xlsx, "--ruleset", DEPARTMENT)
    assert (code, out) == (1, "") and err.startswith(f"{xlsx}:1:1: 无法打开 Excel 工作簿：工作簿已损坏或不是 Excel 工作簿")


@pytest.mark.parametrize("damage", ["deflate", "method", "encrypted"])
def test_a_damaged_workbook_part_is_no_filled_form_rather_than_a_crash(tmp_path, damage):
    from engine.forms import is_jixiao_workbook

    text = b'<workbook><sheets><sheet name="jixiao" sheetId="1"/></sheets></workbook>' * 20
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", text)
    data = bytearray(buf.getvalue())
    good = _write(tmp_path, "good.xlsx", bytes(data))
    assert is_jixiao_workbook(good)
    if damage == "deflate":  # zlib.error
        data[30 + len("xl/workbook.xml"):30 + len("xl/workbook.xml") + 8] = b"\xff" * 8
    for at in (0, data.find(b"PK\x01\x02")):
        if damage == "method":  # NotImplementedError: compression method 99
            data[at + (8 if at == 0 else 10)] = 99
        elif damage == "encrypted":  # RuntimeError: password required
            data[at + (6 if at == 0 else 8)] |= 1
    assert is_jixiao_workbook(_write(tmp_path, "bad.xlsx", bytes(data))) is False


def test_table_levels_are_checked(tmp_path, dept_filled):
    def jump(wb):
        wb["预算调整表"]["A5"] = 3

    lines = _problems(_write(tmp_path, "a.xlsx", _edit(dept_filled, jump)))
    assert lines == [f"{tmp_path}/a.xlsx:预算调整表!A5: 「预算调整表·武汉经济技术开发区（汉南区）人力资源局」的级次为 3，但上一行是 0 级：每行最多比上一行深一级（第 1 级直接列在合计之下）"]


# --- a batch of forms ----------------------------------------------------------------

def test_batch_of_200_forms_with_5_broken(tmp_path, proj_template):
    good = fill(proj_template, _raw(str(ROOT / PROJ_DATA)))
    folder = tmp_path / "forms"
    folder.mkdir()
    for i in range(195):
        (folder / f"u{i:03}.xlsx").write_bytes(good)

    def unprotect_delete(wb):
        wb["项目支出绩效自评表"].delete_rows(5)

    broken = {
        "b1-text.xlsx": _edit(good, lambda wb: wb["项目支出绩效自评表"].__setitem__("D5", "两千万")),
        "b2-row.xlsx": _edit(good, unprotect_delete),
        "b3-merged.xlsx": _edit(good, lambda wb: wb["项目支出绩效自评表"].merge_cells("G13:G14")),
        "b4-sheet.xlsx": _edit(good, lambda wb: wb.create_sheet("备注")),
        "b5-corrupt.xlsx": good[:4000],
    }
    for name, data in broken.items():
        (folder / name).write_bytes(data)
    code, out, err = run_cli("batch", str(folder), "--ruleset", PROJECT, "--output", str(tmp_path / "r.jsonl"), "--jobs", "1")
    assert code == 1
    lines = (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 195 and all(json.loads(x, parse_float=Decimal)["total"] == Decimal("97.66") for x in lines)
    assert "共 200 个单位，评价 195 个，失败 5 个" in out + err
    f = str(folder)
    assert f"{f}/b1-text.xlsx:项目支出绩效自评表!D5: " in err
    assert f"{f}/b2-row.xlsx:项目支出绩效自评表!B5: 这里应为「年度资金总额」" in err
    assert f"{f}/b3-merged.xlsx:项目支出绩效自评表!G14: " in err
    assert f"{f}/b4-sheet.xlsx:备注!A1: " in err
    assert f"{f}/b5-corrupt.xlsx: 无法打开" in err


# --- Word ------------------------------------------------------------------------------

def _word(ruleset: str, data: str, **kw) -> bytes:
    from engine.render.template import stamp_rows, template, word_names
    from engine.ruleset.loading import load_plan
    from forms_support import fill_docx

    t = template(load_plan(str(ROOT / ruleset), ruleset), ruleset, **kw)
    blank = api.form_template(str(ROOT / ruleset), word=True, **kw)
    return fill_docx(blank, _raw(str(ROOT / data)), stamp_rows(t, word_names(t), word=True))


def test_word_forms_round_trip(tmp_path):
    dept = api.evaluate_file(_write(tmp_path, "d.docx", _word(DEPARTMENT, DEPT_DATA)))
    _same_result(dept, api.evaluate_file(str(ROOT / DEPT_DATA)))
    assert (dept.total, dept.grade) == (Decimal("87.36"), "良")
    assert sorted(str(f.span).split(":", 1)[1] for f in dept.findings if f.span)[:2] == ["表2!第13行第5列", "表2!第2行第5列"]
    proj = api.evaluate_file(_write(tmp_path, "p.docx", _word(PROJECT, PROJ_DATA, rows=12)))
    _same_result(proj, api.evaluate_file(str(ROOT / PROJ_DATA)))


def test_word_problems_are_located_by_table_row_and_column(tmp_path):
    import docx

    doc = docx.Document(io.BytesIO(_word(DEPARTMENT, DEPT_DATA)))
    doc.tables[0].cell(7, 4).text = "约一百人"  # 参与干部培训人数·实际完成值
    doc.tables[0].cell(9, 4).merge(doc.tables[0].cell(10, 4))  # two inputs merged
    out = io.BytesIO()
    doc.save(out)
    lines = _problems(_write(tmp_path, "d.docx", out.getvalue()))
    assert lines == [f"{tmp_path}/d.docx:表1!第11行第5列: 「组织公益性招聘会场数·实际完成值」的单元格被合并（第10行第5列至第11行第5列）：填写数据的单元格不能合并"]
    doc = docx.Document(io.BytesIO(_word(DEPARTMENT, DEPT_DATA)))
    doc.tables[0].cell(7, 4).text = "约一百人"
    doc.save(out := io.BytesIO())
    lines = _problems(_write(tmp_path, "e.docx", out.getvalue()))
    assert len(lines) == 1 and lines[0].startswith(f"{tmp_path}/e.docx:表1!第8行第5列: ") and "约一百人" in lines[0]


def test_a_word_form_jixiao_did_not_make_is_read_with_the_ruleset(tmp_path):
    import docx

    doc = docx.Document(io.BytesIO(_word(PROJECT, PROJ_DATA, rows=14)))
    doc.core_properties.keywords = doc.core_properties.comments = ""  # retyped by a bureau: no jixiao properties
    doc.save(out := io.BytesIO())
    path = _write(tmp_path, "p.docx", out.getvalue())
    assert api.evaluate_file(path, str(ROOT / PROJECT)).total == Decimal("97.66")


def test_a_word_tables_cells_are_read_as_python_docx_places_them():
    """A Word table's grid is built once per table, in one pass (python-docx's
    `table.cell` rebuilds it on every call and `row.cells` climbs each merged
    column to its top: minutes for a long form); the cells are python-docx's."""
    import docx

    from engine.forms.docx_form import DocxForm, _row_cells

    doc = docx.Document()
    table = doc.add_table(rows=6, cols=4)
    for r in range(6):
        for c in range(4):
            table.cell(r, c).text = f"{r}{c}"
    table.cell(1, 0).merge(table.cell(5, 0))  # 一级指标 down five rows
    table.cell(1, 1).merge(table.cell(2, 2))  # two rows, two columns
    table.cell(0, 1).merge(table.cell(0, 3))
    rows = _row_cells(table)
    assert [[cell._tc for cell in row] for row in rows] == [[cell._tc for cell in row.cells] for row in table.rows]
    form = DocxForm("t.docx", "t.docx", doc, None, "")
    assert sorted(form.merges("表1")) == [("第1行第2列至第1行第4列", 1, 2, 1, 4), ("第2行第1列至第6行第1列", 2, 1, 6, 1), ("第2行第2列至第3行第3列", 2, 2, 3, 3)]
    assert [(r, c) for r, c, _ in form.texts("表1")] == [(1, 1), (1, 2), (2, 1), (2, 2), (2, 4), (3, 4), (4, 2), (4, 3), (4, 4), (5, 2), (5, 3), (5, 4), (6, 2), (6, 3), (6, 4)]
    assert [form.cell("表1", coord)[0] for coord in ("A1", "A6", "C3", "D3", "A7")] == ["00", "10\n20\n30\n40\n50", "11\n12\n21\n22", "23", None]


# --- legacy .xls ---------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_form_saved_as_xls_is_read_with_calamine(tmp_path, dept_filled):
    pytest.importorskip("python_calamine")
    src = _write(tmp_path, "人力资源局.xlsx", _edit(dept_filled, lambda wb: wb["其他数据"].__setitem__("D4", "一千三百")))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "old"), src],
                   check=True, capture_output=True, timeout=180)
    xls = str(tmp_path / "old" / "人力资源局.xls")
    lines = _problems(xls)
    assert len(lines) == 1 and lines[0].startswith(f"{xls}:其他数据!D4: ") and "一千三百" in lines[0]
    good = _write(tmp_path, "good.xlsx", dept_filled)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "old"), good],
                   check=True, capture_output=True, timeout=180)
    result = api.evaluate_file(str(tmp_path / "old" / "good.xls"))
    _same_result(result, api.evaluate_file(str(ROOT / DEPT_DATA)))


# A small .xls (two sheets, no stamp) to damage on purpose: forms_support.xls_bytes.
_SMALL_XLS = {"表1": ({(0, 0): "项目名称", (0, 1): "全年预算数", (1, 0): "就业补助", (1, 1): 2000.0}, [(2, 3, 0, 1)]),
              "表2": ({(0, 0): "说明"}, [])}
_XLS_CORRUPT = re.compile(r"(?P<file>.+\.xls): 无法打开：文件已损坏，或不是有效的 Excel 97-2003 \(\.xls\) 文件（(?P<reason>.+)）\Z")


def _batch_with(tmp_path, name: str, data: bytes) -> tuple[int, str, list[str]]:
    """`batch` over a folder of a good unit and the file `name`: (exit code,
    standard error, the totals of the units evaluated)."""
    folder = tmp_path / "units"
    folder.mkdir()
    shutil.copy(ROOT / PROJ_DATA, folder / "good.yaml")
    (folder / name).write_bytes(data)
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli("batch", str(folder), "--ruleset", PROJECT, "--output", str(out), "--jobs", "1")
    totals = [json.loads(x)["total"] for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return code, err, totals


def test_an_xls_that_makes_calamine_panic_is_a_damaged_file(tmp_path):
    calamine = pytest.importorskip("python_calamine")
    good = xls_bytes(_SMALL_XLS)
    cut = good[:-700]  # the stream's last sector now lies past the end of the file
    with pytest.raises(BaseException) as raised:
        calamine.CalamineWorkbook.from_filelike(io.BytesIO(cut))
    if isinstance(raised.value, Exception):
        pytest.skip(f"this calamine no longer panics here: {raised.value!r}")  # the point is a PanicException (a BaseException)
    path = _write(tmp_path, "cut.xls", cut)
    lines = _problems(path, PROJECT)
    assert len(lines) == 1 and _XLS_CORRUPT.match(lines[0])["file"] == path, lines
    code, err, totals = _batch_with(tmp_path, "cut.xls", cut)
    assert code == 1 and totals == [97.66]
    assert _XLS_CORRUPT.match(next(x for x in err.splitlines() if x.startswith(str(tmp_path / "units" / "cut.xls"))))


def test_a_form_saved_as_xls_byte_by_byte_reads_back(tmp_path, proj_filled):
    pytest.importorskip("python_calamine")
    result = api.evaluate_file(_write(tmp_path, "p.xls", xls_from_workbook(proj_filled)))
    assert (result.total, result.grade) == (Decimal("97.66"), "优")
    _same_result(result, api.evaluate_file(str(ROOT / PROJ_DATA)))


def test_an_xls_with_an_impossible_merged_range_is_a_damaged_file(tmp_path, proj_filled):
    pytest.importorskip("python_calamine")
    bad = xls_from_workbook(proj_filled, {"项目支出绩效自评表": [(8, 8, 65280, 1)]})  # columns 65281 to 2, as fuzzing made of a LibreOffice .xls
    path = _write(tmp_path, "m.xls", bad)
    assert _problems(path) == [f"{path}: 无法打开：文件已损坏，或不是有效的 Excel 97-2003 (.xls) 文件（impossible merged range: rows 9 to 9, columns 65281 to 2）"]
    code, out, err = run_cli("--lang", "en", "evaluate", path)
    assert (code, out) == (1, "") and err.startswith(f"{path}: cannot open: the file is damaged or not a valid Excel 97-2003 (.xls) file (impossible merged range")
    code, err, totals = _batch_with(tmp_path, "m.xls", bad)
    assert code == 1 and totals == [97.66]
    assert f"{tmp_path}/units/m.xls: 无法打开：文件已损坏，或不是有效的 Excel 97-2003 (.xls) 文件（impossible merged range: rows 9 to 9, columns 65281 to 2）\n" in err


def _abort_xls(filled: bytes) -> bytes:
    """A form whose first sheet's DIMENSIONS record says it starts at row
    0x9C000001 (one byte changed, as fuzzing found): calamine then asks for
    hundreds of GB and aborts the process (SIGABRT), which no Python code catches."""
    return xls_from_workbook(filled, dimensions={"项目支出绩效自评表": (0x9C000000, 23, 0, 11)})


def _jixiao(*argv: str) -> subprocess.CompletedProcess:
    # A process of its own: were the abort to reach the reading program again, it must not end this test run.
    return subprocess.run([sys.executable, "-m", "engine", *argv], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_an_xls_that_makes_calamine_abort_is_a_damaged_file(tmp_path, proj_filled):
    pytest.importorskip("python_calamine")
    bad = _abort_xls(proj_filled)
    path = _write(tmp_path, "a.xls", bad)
    done = _jixiao("evaluate", path)
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    first, count = done.stderr.splitlines()
    assert _XLS_CORRUPT.match(first)["file"] == path and re.fullmatch(r"memory allocation of \d+ bytes failed \(SIGABRT\)", _XLS_CORRUPT.match(first)["reason"])
    assert count == "发现 1 个问题"
    # a batch goes on, in one process and in several, and leaves only its finished outputs
    folder = tmp_path / "units"
    folder.mkdir()
    for name in ("a.yaml", "c.yaml"):
        shutil.copy(ROOT / PROJ_DATA, folder / name)
    (folder / "b.xls").write_bytes(bad)
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        out.mkdir()
        done = _jixiao("batch", str(folder), "--ruleset", PROJECT, "--output", str(out / "r.jsonl"), "--jobs", jobs)
        assert done.returncode == 1, done.stderr
        assert sorted(p.name for p in out.iterdir()) == ["r.jsonl", "r.jsonl.summary.json"]
        assert [json.loads(x)["total"] for x in (out / "r.jsonl").read_text(encoding="utf-8").splitlines()] == [97.66, 97.66]
        line = next(x for x in done.stderr.splitlines() if x.startswith(f"{folder}/b.xls: "))
        assert "memory allocation of" in _XLS_CORRUPT.match(line)["reason"]
        assert "共 3 个单位，评价 2 个，失败 1 个" in done.stderr + done.stdout


def test_xls_reader_process_limits_and_fallback(tmp_path, proj_filled, monkeypatch):
    pytest.importorskip("python_calamine")
    import pickle

    from engine.forms import xls_form

    # its answer builds nothing but values and dates: a pickled callable is refused
    with pytest.raises(pickle.UnpicklingError):
        xls_form._Reply(io.BytesIO(pickle.dumps(("ok", [(shutil.rmtree, [], [])])))).load()
    good = _write(tmp_path, "p.xls", xls_from_workbook(proj_filled))
    cut = _write(tmp_path, "cut.xls", xls_bytes(_SMALL_XLS)[:-700])
    # a reader that does not answer in time
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(30)\n", encoding="utf-8")
    monkeypatch.setattr(xls_form, "_PROCESS", str(slow))
    monkeypatch.setattr(xls_form, "XLS_SECONDS", 1)
    assert _problems(good) == [f"{good}: 无法打开：文件已损坏，或不是有效的 Excel 97-2003 (.xls) 文件（not read in 1 s）"]
    monkeypatch.undo()
    # where no process can be started, calamine runs in this one: the same answers, its panics still caught
    monkeypatch.setattr(xls_form.sys, "executable", str(tmp_path / "no-such-python"))
    assert api.evaluate_file(good).total == Decimal("97.66")
    lines = _problems(cut)
    assert len(lines) == 1 and _XLS_CORRUPT.match(lines[0])["file"] == cut


def test_cli_writes_the_word_template_and_reads_it_back(tmp_path):
    out = tmp_path / "项目表.docx"
    code, _, err = run_cli("template", PROJECT, "--rows", "12", "--output", str(out))
    assert code == 0, err
    import docx

    doc = docx.Document(str(out))
    assert len(doc.tables) == 1 and len(doc.tables[0].rows) == 24  # the form's fixed rows and 12 blank indicator rows
    assert doc.core_properties.keywords.startswith("jixiao-form/1 sha256:")
    code, _, err = run_cli("evaluate", str(out))
    assert code == 1 and f"{out}:表1!第1行第3列: " in err  # blank: the project's name is missing, at its cell


def test_a_damaged_stamp_is_reported(tmp_path, dept_filled):
    def damage(wb):
        ws = wb["jixiao"]
        for row in ws.iter_rows():
            if row[0].value == "sheets":
                row[1].value = "[not json"

    lines = _problems(_write(tmp_path, "a.xlsx", _edit(dept_filled, damage)))
    assert lines == [f"{tmp_path}/a.xlsx: 填报表的隐藏信息页已损坏（JSONDecodeError）：请用 jixiao template 重新生成表格"]
    lines = _problems(_write(tmp_path, "b.xlsx", _edit(dept_filled, lambda wb: wb["jixiao"].__setitem__("B1", "jixiao-form/9"))))
    assert lines == [f"{tmp_path}/b.xlsx: 此表格的版式「jixiao-form/9」本程序不认识（支持：jixiao-form/1）：请用当前版本的 jixiao template 重新生成"]


def _stamp_edit(kind: str, change):
    """An edit of the hidden sheet: `change(row)` on the first stamp row of `kind`."""
    def edit(wb):
        for row in wb["jixiao"].iter_rows():
            if row[0].value == kind:
                change(row)
                return
        raise AssertionError(kind)
    return edit


def _set_json(cell, **changes):
    cell.value = json.dumps({**json.loads(cell.value), **changes}, ensure_ascii=False)


@pytest.mark.parametrize(("kind", "change", "detail"), [
    # a region of a billion rows (once: a list of a billion row numbers, memory exhausted)
    ("region", lambda row: _set_json(row[2], last=10**9), "region rows"),
    ("region", lambda row: _set_json(row[2], columns={"≥95%": "年初预算数"}), "region columns"),
    ("region", lambda row: setattr(row[1], "value", "没有这张表"), "region"),
    # a coordinate openpyxl refuses (once: ValueError, an internal error), a sheet not listed (KeyError)
    ("input", lambda row: setattr(row[2], "value", "≥95%"), "input"),
    ("input", lambda row: setattr(row[2], "value", "A1:B2"), "input"),
    ("input", lambda row: setattr(row[1], "value", "定性"), "input"),
    # a list index of a billion in a data path (once: a billion empty rows appended)
    ("input", lambda row: setattr(row[3], "value", json.dumps(["tables", "预算调整表", "rows", 10**9, "name"])), "input"),
    ("anchor", lambda row: setattr(row[2], "value", None), "anchor"),
])
def test_a_tampered_stamp_is_refused_before_a_cell_is_read_by_it(tmp_path, dept_filled, kind, change, detail):
    """The hidden sheet travels inside the unit's workbook: whatever it says
    is checked (coordinates, sheets, data paths, region sizes) before the form
    is read by it, so a tampered one is a located refusal, never a crash or a
    machine out of memory."""
    lines = _problems(_write(tmp_path, "t.xlsx", _edit(dept_filled, _stamp_edit(kind, change))))
    assert lines == [f"{tmp_path}/t.xlsx: 填报表的隐藏信息页已损坏（{detail}）：请用 jixiao template 重新生成表格"]


def test_batch_takes_a_filled_form_given_as_a_file_not_as_a_flat_table(tmp_path, dept_filled):
    path = _write(tmp_path, "a.xlsx", dept_filled)
    code, out, err = run_cli("batch", path, "--ruleset", DEPARTMENT, "--output", str(tmp_path / "r.jsonl"))
    assert code == 0, err
    assert json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8"), parse_float=Decimal)["total"] == Decimal("87.36")


@pytest.mark.parametrize("scheme", ["hubei-2020-project", "national-project"])
def test_the_other_schemes_round_trip_through_their_forms(tmp_path, scheme):
    ruleset, data = f"rulesets/examples/{scheme}.yaml", f"examples/schemes/{scheme}.yaml"
    path = _write(tmp_path, "f.xlsx", fill(api.form_template(str(ROOT / ruleset)), _raw(str(ROOT / data))))
    _same_result(api.evaluate_file(path), api.evaluate_file(str(ROOT / data)))
