"""The command line: exit codes, languages, located messages, never a traceback."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.conftest import EXAMPLE_2019, ROOT, RULESET_2019, run_cli
from tests.core_support import FIXTURES

RULESETS = FIXTURES / "rulesets"
_EXPECT = re.compile(r"^# expect: (\d+):(\d+) (\S+)$", re.M)
_LOCATED = re.compile(r"^(.+?):(\d+):(\d+): (.+)$")


def located(stderr: str) -> list[tuple[str, int, int, str]]:
    """(file, line, col, message) of every `file:line:col: message` line."""
    out = []
    for line in stderr.splitlines():
        m = _LOCATED.match(line)
        if m:
            out.append((m[1], int(m[2]), int(m[3]), m[4]))
    return out


# --- exit codes ---------------------------------------------------------------------


def test_evaluate_the_bundled_example_exits_0():
    code, out, err = run_cli("evaluate")
    assert code == 0, err
    assert "总分" in out and "87.36" in out and "良" in out


def test_evaluate_json_gives_the_seeds_total_and_grade():
    code, out, _ = run_cli("evaluate", "--format", "json")
    data = json.loads(out, parse_float=Decimal)
    assert (code, data["total"], data["grade"]) == (0, Decimal("87.36"), "良")


def test_validate_the_shipped_ruleset_exits_0():
    code, out, err = run_cli("validate", "rulesets/2019/department.yaml")
    assert (code, err) == (0, "")
    assert out == "rulesets/2019/department.yaml：规则集有效（17 项指标，满分 100）\n"


@pytest.mark.parametrize(
    "argv",
    [
        (),  # no command
        ("nonsense",),  # unknown command
        ("evaluate", "--format", "xml"),  # a choice that does not exist
        ("validate",),  # nothing to validate
        ("evaluate", "--lang", "fr"),
    ],
)
def test_wrong_usage_exits_2_without_a_traceback(argv):
    code, out, err = run_cli(*argv)
    assert code == 2
    assert err.startswith("用法：jixiao") and "用法错误：" in err and "Traceback" not in err + out


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [
        ((), "jixiao：用法错误：缺少必填参数：COMMAND", "jixiao: error: the following arguments are required: COMMAND"),
        (("evaluat",), "jixiao：用法错误：COMMAND 不能取 'evaluat'，可选：'evaluate', ", "jixiao: error: argument COMMAND: invalid choice: 'evaluat' (choose from 'evaluate', "),
        (("evaluate", "--format", "pdf"), "jixiao evaluate：用法错误：--format 不能取 'pdf'，可选：'text', 'json'", "jixiao evaluate: error: argument --format: invalid choice: 'pdf' (choose from 'text', 'json'"),
        (("evaluate", "--output"), "jixiao evaluate：用法错误：--output 后面要跟一个值", "jixiao evaluate: error: argument --output: expected one argument"),
        (("evaluate", "--bogus"), "jixiao：用法错误：不认识的参数：--bogus", "jixiao: error: unrecognized arguments: --bogus"),
        (("batch", "x.csv", "--ruleset", "r.yaml", "--jobs", "two"), "jixiao batch：用法错误：--jobs 的值 'two' 不是整数", "jixiao batch: error: argument --jobs: invalid int value: 'two'"),
        (("batch",), "jixiao batch：用法错误：缺少必填参数：INPUT, --ruleset", "jixiao batch: error: the following arguments are required: INPUT, --ruleset"),
    ],
)
def test_usage_errors_speak_the_users_language(argv, zh, en):
    code, _, err = run_cli(*argv)
    assert code == 2 and err.startswith("用法：jixiao") and zh in err.splitlines()[-1]
    code, _, err = run_cli(*argv, "--lang", "en") if argv else run_cli("--lang", "en")
    assert code == 2 and err.startswith("usage: jixiao") and en in err.splitlines()[-1]


def test_help_headings_are_in_the_users_language():
    _, out, _ = run_cli("evaluate", "--help")
    assert out.startswith("用法：jixiao evaluate") and "位置参数" in out and "选项" in out and "显示本帮助并退出" in out
    _, out, _ = run_cli("evaluate", "--help", "--lang", "en")
    assert out.startswith("usage: jixiao evaluate") and "options:" in out and "show this help message and exit" in out


def test_help_exits_0_and_every_option_is_explained():
    code, out, _ = run_cli("evaluate", "--help")
    assert code == 0
    for option in ("--ruleset", "--format", "--output", "--lang", "--debug"):
        assert option in out
    assert "评价" in out


def test_help_in_english():
    code, out, _ = run_cli("--lang", "en", "validate", "--help")
    assert code == 0 and "check rulesets, listing every problem at once" in out


# --- a misspelt name: located, named, exit 1 ------------------------------------------


def test_a_misspelt_name_in_the_shipped_ruleset_is_reported_at_its_line_and_column(tmp_path):
    text = RULESET_2019.read_text(encoding="utf-8")
    formula = "actual: round_half_up(全年执行数 / 全年预算数, 4)"
    assert text.count(formula) == 1
    broken = tmp_path / "department.yaml"
    broken.write_text(text.replace(formula, formula.replace("全年预算数", "全年预算")), encoding="utf-8")
    # where the misspelt name is, counted in characters
    line_no = next(i for i, line in enumerate(text.splitlines(), 1) if formula in line)
    col = text.splitlines()[line_no - 1].index("全年预算数") + 1

    code, out, err = run_cli("validate", str(broken))
    assert code == 1 and out == "" and "Traceback" not in err
    assert located(err) == [(str(broken), line_no, col, "公式中的名称「全年预算」未定义，是否应为「全年预算数」？")]
    assert err.splitlines()[-1] == "发现 1 个问题"


def test_a_misspelt_name_with_its_hand_checked_position():
    code, _, err = run_cli("validate", "tests/fixtures/rulesets/invalid/unknown_name.yaml")
    assert code == 1
    assert [(line, col) for _, line, col, _ in located(err)] == [(13, 16), (19, 27)]


def test_lang_en_reports_in_english():
    code, _, err = run_cli("validate", "--lang", "en", "tests/fixtures/rulesets/invalid/unknown_name.yaml")
    assert code == 1
    assert located(err)[0] == ("tests/fixtures/rulesets/invalid/unknown_name.yaml", 13, 16, "unknown name '全年预算' in the formula; did you mean '全年预算数'?")
    assert err.splitlines()[-1] == "2 problem(s) found"


def test_lang_may_come_before_the_command():
    assert run_cli("--lang", "en", "validate", "tests/fixtures/rulesets/invalid/tree_total.yaml")[2].startswith(
        "tests/fixtures/rulesets/invalid/tree_total.yaml:8:3: the top-level weights sum to 90"
    )


def test_validate_reports_every_file_and_exits_1_if_any_is_wrong():
    code, out, err = run_cli("validate", "rulesets/2019/department.yaml", "tests/fixtures/rulesets/invalid/tree_total.yaml")
    assert code == 1
    assert "规则集有效" in out and "tree_total.yaml:8:3:" in err


# --- bad input: a clear message, exit 1, no traceback ------------------------------------


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"id: [unclosed\n", ":2:1: YAML 格式错误"),
        (b"\x00\x01binary", ":1:1: 这不是文本文件"),
        (b"- just\n- a list\n", ":1:1: 规则集应是一个键值映射"),
        (b"", ":1:1: 规则集应是一个键值映射"),
    ],
)
def test_a_broken_ruleset_file_is_a_located_message(tmp_path, content, expected):
    path = tmp_path / "r.yaml"
    path.write_bytes(content)
    code, out, err = run_cli("validate", str(path))
    assert code == 1 and "Traceback" not in err
    assert expected in err


def test_a_missing_file_is_a_message_not_a_traceback(tmp_path):
    code, _, err = run_cli("evaluate", str(tmp_path / "nowhere.yaml"))
    assert code == 1 and "Traceback" not in err
    assert "找不到文件" in err


def test_a_data_file_naming_no_ruleset_says_how_to_give_one(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("subject: 测试单位\n", encoding="utf-8")
    code, _, err = run_cli("evaluate", str(path))
    assert code == 1
    assert f"{path}:1:1: 数据文件没有指定规则集：请用 --ruleset 指定" in err


def test_a_score_above_its_weight_is_a_located_message(tmp_path):
    # regression: any scoring problem ended in exit 70 ("'tuple' object is not a mapping")
    text = EXAMPLE_2019.read_text(encoding="utf-8")
    assert text.count("    score: 24\n") == 1
    path = tmp_path / "hr-bureau.yaml"
    path.write_text(text.replace("    score: 24\n", "    score: 25\n"), encoding="utf-8")
    line_no = text.splitlines().index("    score: 24") + 1
    code, _, err = run_cli("evaluate", str(path), "--ruleset", str(RULESET_2019))
    assert code == 1 and "Traceback" not in err
    assert located(err) == [(str(path), line_no, 12, "指标「社会效益」的得分 25 超出范围 [0, 24]")]


def test_a_division_by_zero_in_the_data_names_the_formula_and_the_zero(tmp_path):
    ruleset = (RULESETS / "minimal.yaml").read_text(encoding="utf-8")
    (tmp_path / "r.yaml").write_text(ruleset, encoding="utf-8")
    data = tmp_path / "d.yaml"
    data.write_text("ruleset: r.yaml\nsubject: 测试单位\ninputs: {全年预算数: 0, 全年执行数: 10}\nindicators:\n  数量指标: {actual: 5}\n  质量指标: {score: 30}\n", encoding="utf-8")
    code, _, err = run_cli("--lang", "en", "evaluate", str(data))
    assert code == 1 and "Traceback" not in err
    assert located(err) == [(str(tmp_path / "r.yaml"), 10, 10, "cannot compute '预算执行率': 全年执行数 / 全年预算数 divides by zero (全年预算数 is 0)")]


def test_an_unexpected_error_is_exit_70_with_a_hint_and_a_traceback_only_with_debug(monkeypatch):
    from engine import api

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "validate_ruleset", broken)
    code, _, err = run_cli("validate", "x.yaml")
    assert code == 70 and "Traceback" not in err
    assert err == "内部错误：RuntimeError: boom。请加 --debug 重新运行并把输出发给维护者\n"
    code, _, err = run_cli("validate", "x.yaml", "--debug")
    assert code == 70 and "Traceback" in err


def test_output_is_written_only_after_success(tmp_path):
    target = tmp_path / "out.json"
    code, out, err = run_cli("evaluate", "--format", "json", "--output", str(target))
    assert code == 0 and out == "" and f"已写入 {target}" in err
    assert target.read_text(encoding="utf-8") == (ROOT / "tests" / "golden" / "hr-bureau-2019.json").read_text(encoding="utf-8")
    # a failing run leaves no file behind
    failed = tmp_path / "failed.json"
    code, _, _ = run_cli("evaluate", str(tmp_path / "nowhere.yaml"), "--output", str(failed))
    assert code == 1 and not failed.exists()


def test_the_output_suffix_chooses_the_format_when_none_is_given(tmp_path):
    golden = (ROOT / "tests" / "golden" / "hr-bureau-2019.json").read_text(encoding="utf-8")
    for name in ("r.json", "R.JSON"):
        assert run_cli("evaluate", "--output", str(tmp_path / name))[0] == 0
        assert (tmp_path / name).read_text(encoding="utf-8") == golden
    assert run_cli("evaluate", "--output", str(tmp_path / "r.md"))[0] == 0
    assert (tmp_path / "r.md").read_text(encoding="utf-8") == run_cli("evaluate", "--format", "markdown")[1]
    assert run_cli("evaluate", "--output", str(tmp_path / "r.docx"))[0] == 0
    assert (tmp_path / "r.docx").read_bytes()[:2] == b"PK"
    for name in ("r.txt", "r.log", "r"):  # .txt, or a suffix that names no format: the default, text
        assert run_cli("evaluate", "--output", str(tmp_path / name))[0] == 0
        assert (tmp_path / name).read_text(encoding="utf-8") == run_cli("evaluate")[1]
    assert run_cli("evaluate", "--format", "json", "--output", str(tmp_path / "r.out"))[0] == 0  # a suffix that names no format
    assert (tmp_path / "r.out").read_text(encoding="utf-8") == golden


@pytest.mark.parametrize("argv, zh, en", [
    (["evaluate", "--format", "docx", "--output", "{tmp}/OUT.JSON"],
     "--format docx 与输出文件 {tmp}/OUT.JSON 不符：扩展名 .json 是 json 格式；去掉 --format 即写出 json，或换一个与 docx 相符的文件名",
     "--format docx does not match the output file {tmp}/OUT.JSON: the suffix .json means json; leave --format out to write json, or name a file that suits docx"),
    (["evaluate", str(ROOT / "examples" / "2019" / "projects"), "--format", "xlsx", "--output", "{tmp}/汇总.md"],
     "--format xlsx 与输出文件 {tmp}/汇总.md 不符：扩展名 .md 是 markdown 格式；去掉 --format 即写出 markdown，或换一个与 xlsx 相符的文件名",
     "--format xlsx does not match the output file {tmp}/汇总.md: the suffix .md means markdown; leave --format out to write markdown, or name a file that suits xlsx"),
    (["template", "2019/department", "--output", "{tmp}/unit.yaml"],
     "填报表的输出应为 .xlsx（Excel）或 .docx（Word）文件", "the form is written to an .xlsx (Excel) or .docx (Word) file"),
    (["template", "2019/project", "--output", "{tmp}/form.xls"],
     "填报表的输出应为 .xlsx（Excel）或 .docx（Word）文件", "the form is written to an .xlsx (Excel) or .docx (Word) file"),
    (["init", "2021", "--from", "2019/department", "--output", "{tmp}/2021.xlsx"],
     "规则集文件应以 .yaml 或 .yml 结尾：{tmp}/2021.xlsx", "a ruleset file ends in .yaml or .yml: {tmp}/2021.xlsx"),
])
def test_an_output_named_for_another_format_is_a_usage_error(tmp_path, argv, zh, en):
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert run_cli(*argv) == (2, "", zh.format(tmp=tmp_path) + "\n")
    assert run_cli("--lang", "en", *argv) == (2, "", en.format(tmp=tmp_path) + "\n")
    assert list(tmp_path.iterdir()) == []


# --- hostile formulas through `python cli.py validate`, in a real process ----------------


def test_hostile_formulas_are_refused_by_validate_each_where_it_is():
    path = RULESETS / "hostile.yaml"
    text = path.read_text(encoding="utf-8")
    expected = [(int(line), int(col)) for line, col, _ in _EXPECT.findall(text)]
    # timeout: a guard against a hang, not a speed measurement (see benchmarks/)
    proc = subprocess.run(
        [sys.executable, "cli.py", "validate", "tests/fixtures/rulesets/hostile.yaml"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "pwned" not in proc.stdout + proc.stderr
    assert [(line, col) for _, line, col, _ in located(proc.stderr)] == expected
    assert proc.stderr.splitlines()[-1] == f"发现 {len(expected)} 个问题"


def test_a_formula_too_long_to_parse_is_refused_before_parsing(tmp_path):
    # a million-element list costs ~1 GB in Python's parser: the length cap comes
    # first; "[" + "0," × 100,000 + "0]" is 200,003 characters
    text = (RULESETS / "minimal.yaml").read_text(encoding="utf-8")
    path = tmp_path / "r.yaml"
    path.write_text(text.replace("全年执行数 / 全年预算数", '"[' + "0," * 100_000 + '0]"'), encoding="utf-8")
    code, _, err = run_cli("validate", str(path))
    assert code == 1
    assert located(err) == [(str(path), 10, 11, "公式过长（200003 个字符，上限 1000）")]


def test_a_result_too_large_to_compute_is_refused_at_evaluation(tmp_path):
    # every exponent is allowed, the result would have ~2,000,000 digits: Decimal traps Overflow
    text = (RULESETS / "minimal.yaml").read_text(encoding="utf-8")
    (tmp_path / "r.yaml").write_text(
        text.replace("全年执行数 / 全年预算数", "(((((((全年执行数 ** 8) ** 8) ** 8) ** 8) ** 8) ** 8) ** 8)"), encoding="utf-8"
    )
    data = tmp_path / "d.yaml"
    data.write_text("ruleset: r.yaml\nsubject: 测试单位\ninputs: {全年预算数: 1, 全年执行数: 9}\nindicators:\n  数量指标: {actual: 5}\n  质量指标: {score: 30}\n", encoding="utf-8")
    code, _, err = run_cli("evaluate", str(data))
    assert code == 1 and "Traceback" not in err
    assert [(line, col) for _, line, col, _ in located(err)] == [(10, 10)]
    assert "结果过大" in err
