"""docs/api.md and examples/api_example.py: what they show is what `engine.api`
does (the example's output, every code block, every public name), and a dict
from a budget system is evaluated as exactly as a data file."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest

from engine import api
from tests.conftest import EXAMPLE_2019, ROOT

DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "examples" / "api_example.py"


def test_the_example_prints_what_the_doc_shows(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    env.pop("JIXIAO_RULESETS", None)
    # from an empty folder: the rulesets and the example data are found from the package
    proc = subprocess.run([sys.executable, str(EXAMPLE)], cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert (proc.returncode, proc.stderr) == (0, "")
    shown = re.search(r"python examples/api_example.py\n```\n\n```text\n(.*?)```", DOC, re.S).group(1)
    assert proc.stdout == shown
    assert "文件: 总分 87.36  等级 良\n" in proc.stdout and "字典: 武汉经济技术开发区（汉南区）人力资源局  总分 87.36  等级 良\n" in proc.stdout


BLOCKS = re.findall(r"```python\n(.*?)```", DOC, re.S)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_every_python_block_runs_and_prints_what_its_comments_say(block):
    """Run from the project folder; each `print(…)  # shown` line prints the start of its comment."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "docs/api.md", "exec"), {})
    said = [line.split("  # ", 1)[1].strip() for line in block.splitlines() if line.lstrip().startswith("print(")]
    printed = out.getvalue().splitlines()
    assert len(printed) == len(said)
    for line, comment in zip(printed, said):
        assert comment.startswith(line), (line, comment)


def test_the_blocks_cover_the_golden_case():
    assert len(BLOCKS) >= 4 and "print(result.total, result.grade)                  # 87.36 良" in BLOCKS[0]


@pytest.mark.parametrize("name", api.__all__)
def test_every_public_name_is_documented(name):
    assert f"`{name}" in DOC


def test_the_doc_is_linked_from_the_readme():
    assert "[docs/api.md](docs/api.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def _unit(**loads) -> dict:
    return json.loads(EXAMPLE_2019.with_suffix(".json").read_text(encoding="utf-8"), **loads)


def test_a_dict_with_floats_evaluates_as_exactly_as_the_file():
    """json.load without parse_float gives floats (3193.13 is really 3193.1300000000001091…):
    each is read as the decimal it was written as, never as the binary fraction."""
    floats, decimals = _unit(), _unit(parse_float=Decimal)
    assert isinstance(floats["inputs"]["文中年初预算数"], float)
    a, b = api.evaluate(floats), api.evaluate(decimals, "2019/department")
    assert (a.total, a.grade) == (Decimal("87.36"), "良")
    unhashed = lambda result: re.sub(r'"sha256:[0-9a-f]+"', "", api.result_json(result))  # noqa: E731
    assert unhashed(a) == unhashed(b)  # the input's digest differs: 1836.5 was written 1836.50
    file = api.evaluate(str(EXAMPLE_2019))
    assert [r.score for r in a.indicators] == [r.score for r in file.indicators]
    assert a.find("预算执行率").actual == Decimal("0.9359")


def test_a_dict_with_whole_numbers_and_strings_as_forms_print_them():
    unit = _unit(parse_float=Decimal)
    unit["inputs"] = {k: (int(v) if isinstance(v, Decimal) and v == v.to_integral() else f"{v:,}万元" if isinstance(v, Decimal) else v) for k, v in unit["inputs"].items()}
    assert api.evaluate(unit).total == Decimal("87.36")


def test_a_dicts_problems_are_all_reported_with_their_field():
    with pytest.raises(api.DiagnosticError) as e:
        api.evaluate({"ruleset": "2019/department", "inputs": {"文中实际支出": "三千九百万"}})
    messages = [d.render() for d in e.value.diagnostics]
    assert "<data>:1:1: 「正文·实际共支出」（文中实际支出）应填数字，这里是「三千九百万」" in messages
    assert "<data>:1:1: 缺少必填数据「正文·年初预算安排批复数」：请在 inputs 下填写 文中年初预算数" in messages


@pytest.mark.parametrize(("given", "shown"), [
    ({"x": Decimal("1"), "y": [Decimal("2.5"), True, None]}, '{"x": 1, "y": [2.5, true, null]}'),
    (["一", "二"], '["一", "二"]'),
    (True, "true"),
    ({"长": "很" * 60}, '{"长": "' + "很" * 30 + "…"),
    # numbers no float holds, inside a list or mapping: NaN and ±Infinity as json writes a float's, one beyond the bounds as text
    ([Decimal("Infinity")], "[Infinity]"),
    ([Decimal("sNaN")], "[NaN]"),
    ({"a": [Decimal("-Infinity"), Decimal("NaN")]}, '{"a": [-Infinity, NaN]}'),
    ([Decimal("1e99999")], '["1E+99999"]'),
    ([Decimal("1e99999"), 10 ** 5000], '["1E+99999", "1' + "0" * 22 + "…"),
    ([float("inf")], "[Infinity]"),
    ([1] * 1_000_000, "[" + "1, " * 12 + "…"),
])
def test_a_value_that_is_no_figure_is_quoted_as_the_data_writes_it(given, shown):
    with pytest.raises(api.DiagnosticError) as e:
        api.evaluate({"ruleset": "2019/department", "inputs": {"文中实际支出": given}})
    messages = [d.render() for d in e.value.diagnostics]
    assert f"<data>:1:1: 「正文·实际共支出」（文中实际支出）应填数字，这里是「{shown}」" in messages


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "sNaN", "1e99999"])
def test_a_number_no_float_holds_is_refused_alone_or_in_a_list(number):
    """Alone, a number out of range is said to be one; inside a list, the
    list is no figure: either way a located DiagnosticError, never the
    OverflowError or InvalidOperation of converting it for the message."""
    shown = str(Decimal(number))
    # in a list, as json writes a float that is no number (a signalling NaN is a NaN); one beyond the bounds as text
    listed = {"Infinity": "[Infinity]", "-Infinity": "[-Infinity]", "NaN": "[NaN]", "sNaN": "[NaN]", "1e99999": '["1E+99999"]'}[number]
    for given, said in [(Decimal(number), f"的数字「{shown}」超出可处理的范围"), ([Decimal(number)], f"应填数字，这里是「{listed}」")]:
        with pytest.raises(api.DiagnosticError) as e:
            api.evaluate({"ruleset": "2019/department", "inputs": {"文中实际支出": given}})
        assert any(m.startswith(f"<data>:1:1: 「正文·实际共支出」（文中实际支出）{said}") for m in (d.render() for d in e.value.diagnostics))


@pytest.mark.parametrize(("given", "shown"), [
    ({"x": Decimal("1")}, '{"x": 1}'),
    ([Decimal("87.36"), None], "[87.36, null]"),
    (False, "false"),
])
def test_a_stated_figure_that_is_no_figure_is_quoted_as_the_data_writes_it(given, shown):
    """The same quoting for the figures a form printed (`stated:`), which had
    a copy of its own that still printed Python's repr."""
    with pytest.raises(api.DiagnosticError) as e:
        api.evaluate({"ruleset": "2019/department", "inputs": {"文中实际支出": "x"}, "stated": {"total": given}})
    stated = [d for d in e.value.diagnostics if d.args.get("label") == "总分"]
    assert len(stated) == 1 and stated[0].args["value"] == shown


def test_data_nested_past_the_bound_is_refused_as_a_data_file_is():
    """A dict nested far past what a data file may hold (here 100,000 levels)
    is `load.too_deep` at the data, not a RecursionError from reading it."""
    deep: dict = {}
    inner = deep
    for _ in range(100_000):
        inner["a"] = {}
        inner = inner["a"]
    with pytest.raises(api.DiagnosticError) as e:
        api.evaluate({"ruleset": "2019/department", "inputs": {"文中实际支出": deep}})
    assert [d.render() for d in e.value.diagnostics] == ["<data>:1:1: 嵌套层级超过 64 层，拒绝读取"]


def test_keys_that_are_no_text_are_read_as_json_writes_them():
    """Keys of mixed kinds (which `json.dumps(sort_keys=True)` cannot order)
    are read as the text JSON writes for them: unknown inputs, each named."""
    with pytest.raises(api.DiagnosticError) as e:
        api.evaluate({"ruleset": "2019/department", "inputs": {Decimal(2): 2, 1.5: 2, True: 3, None: 1, "文中实际支出": "x"}})
    messages = [d.render() for d in e.value.diagnostics]
    for key in ("2", "1.5", "true", "null"):
        assert f"<data>:1:1: 规则集中没有「{key}」这项数据" in messages
