"""Every message in Chinese mode is Chinese, including what the operating
system and the parsers say; output never fails on an encoding; usage errors
one per line (issue 13)."""
from __future__ import annotations

import errno
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.base.diagnostics import DiagnosticError
from engine.base.messages import format_message, os_error
from engine.load.yaml_loader import load_text
from tests.conftest import ROOT, batch_projects_blanking, run_cli

RULESET = "rulesets/2019/department.yaml"
ENGLISH = re.compile(r"[A-Za-z]{3,}")  # an English word (file names and codes aside)
RECORD = (ROOT / "tests" / "fixtures" / "batch" / "units.jsonl").read_text(encoding="utf-8").splitlines()[0]


TERMS = ("YAML", "JSON", "Tab", "Excel", "xlsx", "zip", "true", "false", "null")  # names, not English sentences


def _words(line: str, path: str = "") -> str:
    """A message line without its location, the paths and the names it uses."""
    text = line.replace(path, "").split(": ", 1)[-1] if path else line
    for term in TERMS:
        text = text.replace(term, "")
    return text


@pytest.mark.parametrize("name", sorted(errno.errorcode.values()))
def test_every_os_error_reads_in_chinese_and_english(name):
    said = os_error(OSError(getattr(errno, name), "English words from the system"))
    zh = format_message("cli.output_failed", {"path": "x", "reason": said}, "zh")
    en = format_message("cli.output_failed", {"path": "x", "reason": said}, "en")
    assert "English words" not in zh + en
    assert re.search(r"[\u4e00-\u9fff]", zh.split("：", 1)[1])


@pytest.mark.parametrize("case, reason", [("missing folder", "文件或文件夹不存在"), ("folder", "这是一个文件夹，不是文件")])
def test_os_errors_writing_an_output_are_chinese(tmp_path, case, reason):
    target = tmp_path / "nodir" / "x.txt" if case == "missing folder" else tmp_path
    code, _, err = run_cli("evaluate", "--output", str(target))
    assert code == 1
    assert err == f"无法写入 {target}：{reason}\n"


@pytest.mark.parametrize("case, zh, en", [
    ("missing folder", "文件或文件夹不存在", "no such file or folder"),
    ("folder not empty", "文件夹已存在且不是空的", "the folder exists and is not empty"),
    ("file as a folder", "路径中有一部分不是文件夹", "a part of the path is not a folder"),
])
def test_os_errors_writing_the_submission_are_said_in_the_users_language(tmp_path, case, zh, en):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "file").write_text("a", encoding="utf-8")
    target = {"missing folder": tmp_path / "nodir" / "x.zip", "folder not empty": tmp_path / "full", "file as a folder": tmp_path / "file" / "x.zip"}[case]
    for lang, reason, prefix in (("zh", zh, "无法写入 {}："), ("en", en, "cannot write {}: ")):
        code, _, err = run_cli("--lang", lang, "submission", str(ROOT / "examples" / "2019" / "hr-bureau.yaml"), "--output", str(target))
        assert (code, err.splitlines()[-1]) == (1, prefix.format(target) + reason)
    assert (tmp_path / "full" / "a.txt").read_text(encoding="utf-8") == "a" and sorted(os.listdir(tmp_path)) == ["file", "full"]


def test_a_report_template_that_cannot_be_read_is_said_in_the_users_language(tmp_path):
    text = tmp_path / "report.md.j2"
    text.write_bytes(b"# \xe6\x8a\xa5\xe5\x91\x8a\n\xff{{ title }}\n")  # 报告, then a byte no UTF-8 text has
    word = tmp_path / "report.docx"
    word.write_bytes(b"PK\x03\x04 not a Word document")
    cases = [
        (("--format", "markdown", "--template", str(text)), text, "文件不是 UTF-8 编码的文字，请另存为 UTF-8（记事本：另存为 → 编码选 UTF-8）", "the file is not UTF-8 text; save it as UTF-8"),
        (("--format", "docx", "--template", str(word), "--output", str(tmp_path / "r.docx")), word,
         "文件已损坏或不是 Word 文档（.docx），请在 Word 中打开后另存为 .docx", "the file is damaged or not a Word document (.docx); open it in Word and save it as .docx"),
    ]
    for args, path, zh, en in cases:
        code, out, err = run_cli("evaluate", str(ROOT / "examples" / "2019" / "hr-bureau.yaml"), *args)
        assert (code, out, err.splitlines()[-2:]) == (1, "", [f"{path}:1:1: 无法读取报告模板：{zh}", "发现 1 个问题"])
        code, out, err = run_cli("--lang", "en", "evaluate", str(ROOT / "examples" / "2019" / "hr-bureau.yaml"), *args)
        assert (code, out, err.splitlines()[-2:]) == (1, "", [f"{path}:1:1: cannot read the report template: {en}", "1 problem(s) found"])
    assert not (tmp_path / "r.docx").exists()


def test_a_form_that_cannot_be_read_is_said_in_the_users_language(tmp_path):
    from engine.forms.xlsx_form import read_form_bytes

    with pytest.raises(DiagnosticError) as caught:
        read_form_bytes(str(tmp_path), "表.xlsx")  # a folder: open() says EISDIR
    (d,) = caught.value.diagnostics
    assert format_message(d.code, d.args, "zh") == "无法读取文件 表.xlsx：这是一个文件夹，不是文件"
    assert format_message(d.code, d.args, "en") == "cannot read 表.xlsx: it is a folder, not a file"


def test_an_unreadable_file_is_said_in_chinese(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "locked.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    path.chmod(0)
    code, _, err = run_cli("validate", str(path))
    assert code == 1
    assert "没有权限" in err and not ENGLISH.search(_words(err.splitlines()[0], str(path)))


BROKEN_YAML = [
    "id: {a: 1\n",
    "id: [1, 2\n",
    "a:\n  b: 1\n c: 2\n",
    "a: b: c\n",
    "- a\nb: 1\n",
    "a: 'open\n",
    'a: "\\q"\n',
    "a:\n\t- b\n",
    "a: @x\n",
    "a: 1\n- b\n",
    "{a: 1} x\n",
    "[1, 2] ]\n",
    "a: &x 1\nb: ]\n",
]


@pytest.mark.parametrize("text", BROKEN_YAML)
def test_yaml_syntax_errors_are_chinese_sentences_with_the_position(text):
    with pytest.raises(DiagnosticError) as e:
        load_text(text, "x.yaml")
    for d in e.value.diagnostics:
        zh, en = d.render("zh"), d.render("en")
        assert re.match(r"x\.yaml:\d+:\d+: ", zh), zh
        assert not ENGLISH.search(_words(zh, "x.yaml")), zh
        assert en != zh


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(list("{}[]:,-'\"\t#&*!|>@`%? \n"))), min_size=1, max_size=4))
def test_any_broken_yaml_is_said_in_chinese(edits):
    text = "id: x\ntitle: 标题\nitems:\n  - {a: 1, b: [2, 3]}\n  - name: 名称\n"
    for at, ch in edits:
        at = min(at, len(text))
        text = text[:at] + ch + text[at:]
    try:
        load_text(text, "x.yaml")
    except DiagnosticError as e:
        for d in e.diagnostics:
            if d.code == "load.syntax":  # what the parser said (other messages quote the data's own words)
                assert not ENGLISH.search(_words(d.render("zh"), "x.yaml")), (text, d.render("zh"))


@pytest.mark.parametrize("line", ["{", "{\"subject\": }", "{'a': 1}", "{\"a\" 1}", "{\"a\": 1} x", "{\"a\": \"open}", "[1, 2", "{\"a\": \"\\q\"}"])
def test_json_line_errors_are_chinese(tmp_path, line):
    path = tmp_path / "units.jsonl"
    path.write_text(RECORD + "\n" + line + "\n", encoding="utf-8")
    code, _, err = run_cli("batch", str(path), "--ruleset", RULESET, "--output", str(tmp_path / "r.jsonl"))
    assert code == 1
    mine = [x for x in err.splitlines() if x.startswith(f"{path}:2:")]
    assert mine and all(not ENGLISH.search(_words(x, str(path))) for x in mine), mine


def test_a_file_that_is_not_a_workbook_is_said_in_chinese(tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_text("名称,实际\n", encoding="utf-8")
    code, _, err = run_cli("batch", str(path), "--ruleset", RULESET)
    assert code == 1
    assert "这不是 Excel 工作簿" in err and "BadZipFile" not in err and "zip file" not in err


@pytest.mark.parametrize("encoding", ["gbk", "ascii", "latin-1"])
def test_output_never_fails_on_an_encoding_that_cannot_show_a_character(encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    proc = subprocess.run([sys.executable, "cli.py", "evaluate"], cwd=ROOT, capture_output=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(encoding, "replace")
    out = proc.stdout.decode(encoding)
    assert "87.36" in out
    if encoding == "gbk":
        assert "总分: 87.36    等级: 良" in out and "预算调整表 > " in out


# --- usage ----------------------------------------------------------------------

def test_batch_usage_errors_each_on_its_own_line(tmp_path):
    code, out, err = run_cli("batch", "x.jsonl", "--ruleset", RULESET, "--format", "xlsx", "--jobs", "-1")
    assert code == 2 and out == ""
    assert err.splitlines() == ["用法错误：--format xlsx 需要用 --output 指定文件", "用法错误：--jobs 不能为负数（0 表示每个 CPU 一个进程）"]


def test_batch_rows_that_nothing_uses_is_a_usage_error(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b\n1,2\n", encoding="utf-8")
    code, out, err = run_cli("batch", "tests/fixtures/batch/units.csv", "--ruleset", RULESET, "--rows", str(rows), "--output", str(tmp_path / "r.jsonl"))
    assert code == 2 and out == ""
    assert err.startswith(f"用法错误：规则集（及 --columns）中没有需要明细行的指标，--rows {rows} 不会被使用")
    assert list(tmp_path.iterdir()) == [rows]


# --- table units speak of columns, not YAML sections ------------------------------

def test_a_table_row_missing_figures_names_the_column_to_add_and_the_row(tmp_path):
    table = tmp_path / "few.csv"
    table.write_text("名称,文中实际支出\n某局,100\n,200\n", encoding="utf-8")
    code, _, err = run_cli("batch", str(table), "--ruleset", RULESET)
    assert code == 1
    lines = err.splitlines()
    assert f"{table}:2:1: 这一行缺少必填数据「正文·年初预算安排批复数」：表格中没有这一列，请加一列，表头写「正文·年初预算安排批复数」" in lines
    assert any(x.startswith(f"{table}:3:") and "这一行没有单位名称：请在「名称」列填写" in x for x in lines)
    assert any("这一行缺少数据表「" in x and "表格中没有它的列，请加表头如「预算调整表.年初预算数」的列" in x for x in lines)
    assert not [x for x in lines if "下填写" in x or "subject:" in x], [x for x in lines if "下填写" in x]


def test_the_same_unit_as_a_yaml_file_keeps_the_yaml_words(tmp_path):
    data = tmp_path / "u.yaml"
    data.write_text("subject: 某局\ninputs:\n  文中实际支出: 100\n", encoding="utf-8")
    code, _, err = run_cli("evaluate", str(data), "--ruleset", RULESET)
    assert code == 1 and "请在 inputs 下填写" in err


def test_a_category_the_sheet_leaves_out_is_missing_not_zero(tmp_path):
    """units.csv has no 支出表.就业创业资金补助项目.* columns: with the note's own
    figure given, the check 注释与支出表一致 used to compare it with 0."""
    import csv
    import io
    import json

    rows = list(csv.reader(io.StringIO((ROOT / "tests/fixtures/batch/units.csv").read_text(encoding="utf-8-sig"))))
    rows[0].append("注中项目实际支出")
    for r in rows[1:]:
        r.append("2,817.20")
    table = tmp_path / "units.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli("batch", str(table), "--ruleset", RULESET, "--output", str(out))
    assert code == 1  # the fixture's one broken unit
    assert err.splitlines()[0] == f"{table}:1:1: 表格中没有数据表「支出表」类别「就业创业资金补助项目」的列（如「支出表.就业创业资金补助项目.经开」）：这些数据按缺失处理（不当作 0），用到它们的核对不进行"
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(results) == 3
    for r in results:
        assert not [f for f in r["findings"] if "注中" in f["message"] or "注2" in f["message"]], r["findings"]


def test_a_blank_cell_in_a_column_the_sheet_has_is_that_cell_not_a_column_to_add(tmp_path):
    """A sheet with an indicator's column and the cell left blank: the cell
    is named (row and column), not a column to add. The same for a project's
    own indicator rows, joined from a second sheet."""
    import csv

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sheet = os.path.join(root, "tests", "fixtures", "batch", "units.csv")
    with open(sheet, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("参与干部培训人数")
    rows[1][col] = ""
    table = tmp_path / "units.csv"
    with open(table, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows[:2])
    for lang, words in (("zh", "这一格是空的：请填写指标「参与干部培训人数」的实际完成值"), ("en", "this cell is empty: fill in the actual of '参与干部培训人数'")):
        code, _, err = run_cli("batch", str(table), "--ruleset", RULESET, "--jobs", "1", "--lang", lang, "--output", str(tmp_path / "o.jsonl"))
        assert code == 1
        assert f"{table}:2:{col + 1}: {words}" in err.splitlines(), err
        assert "请加一列" not in err and "add a column" not in err

    code, err, indicators, name, col = batch_projects_blanking(tmp_path, "实际完成值")
    assert code == 1
    assert f"{indicators}:2:{col}: 这一格是空的：请填写指标「{name}」的实际完成值" in err, err
