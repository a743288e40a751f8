"""Fuzzing (hypothesis): formulas, mutated rulesets, mutated data files.

Whatever comes in, jixiao answers with a result or with located problems:
never a traceback (exit 70), each case within `JIXIAO_FUZZ_CASE_SECONDS`, and
the process never grows by more than `JIXIAO_FUZZ_MEMORY_MB` (see
tests/limits.py). A long run by hand:

    JIXIAO_FUZZ_EXAMPLES=20000 JIXIAO_FUZZ_CASE_SECONDS=1 python -m pytest tests/test_fuzz.py
"""
from __future__ import annotations

import decimal
import json
import os
import shutil
import tempfile
from decimal import Decimal

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from engine.base.diagnostics import SourceSpan
from engine.ruleset.formula import compile_formula
from engine.base.numeric import CONTEXT
from engine.load.yaml_loader import load_file
from tests.conftest import EXAMPLE_2019, RULESET_2019, run_cli
from tests.gen import HOSTILE_FORMULAS, formulas, mutated, pick, restructured
from tests.limits import assert_cli_located, assert_located, bounded, budget, memory_cap

# Huge generated files make hypothesis warn about the size of their repr: intended.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

KNOWN = {"甲": "number", "乙": "number", "全年执行数": "number", "预算表.合计": "number", "说明": "text"}
ENVS = (
    {"甲": Decimal("93.59"), "乙": Decimal("100"), "全年执行数": Decimal("3921.33"), "预算表.合计": Decimal("4189.79")},
    {"甲": Decimal("0"), "乙": Decimal("-1"), "全年执行数": Decimal("1e30"), "预算表.合计": Decimal("1e-30")},
)


@pytest.fixture(scope="module", autouse=True)
def _bounded_memory():
    with memory_cap():
        yield


@pytest.fixture(scope="module")
def workdir():
    path = tempfile.mkdtemp(prefix="jixiao-fuzz-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _outcome(fn, env):
    try:
        with decimal.localcontext(CONTEXT):
            value = fn(env)
        return "value", value
    except (ArithmeticError, TypeError) as e:  # what evaluation maps to located problems
        return "error", type(e)


def _same(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "error":
        return True  # both refuse; simpleeval may name the exception differently
    x, y = a[1], b[1]
    if isinstance(x, Decimal) and isinstance(y, Decimal) and x.is_nan() and y.is_nan():
        return True
    return type(x) is type(y) and x == y


@budget(400)
@given(st.one_of(formulas(), pick(HOSTILE_FORMULAS)))
def test_formulas_compile_or_fail_located_and_both_evaluators_agree(text):
    """Any text as a formula: refused with located problems, or compiled to
    something whose every evaluation gives a number or a truth value, or an
    arithmetic/type error that evaluation reports — and the fast evaluator
    agrees with the simpleeval reference."""
    with bounded("fuzz: formulas (compile)"):
        formula, problems = compile_formula(text, KNOWN, lambda offset: SourceSpan("f.yaml", 1, 1 + offset))
        event("refused" if formula is None else "compiled")
        if formula is None:
            assert_located(problems, {"f.yaml": text})
            return
        assert not problems
        for env in ENVS:
            fast = _outcome(formula.evaluate, env)
            if fast[0] == "value":
                assert isinstance(fast[1], (Decimal, bool)), f"{text!r} gave {fast[1]!r}"
            reference = _outcome(formula.evaluate_reference, env)
            assert _same(fast, reference), f"{text!r}: fast {fast} but reference {reference}"


RULESET_TEMPLATE = """\
id: fuzz
title: 公式模糊测试
year: 2024
kind: 部门整体支出
inputs:
  甲: {{type: number}}
  乙: {{type: number}}
  说明: {{type: text, required: false}}
metrics:
  指标值: {formula}
indicators:
  - {{id: A, name: 公式实际值, weight: 40, target: 1, operator: ≥, actual: 指标值, scoring: proportional}}
  - {{id: B, name: 公式计分, weight: 30, target: 1, operator: ≥, scoring: {{method: formula, expr: {formula}}}}}
  - {{id: C, name: 说明条件, weight: 30, target: 1, operator: ≥, explain_if: {formula}, scoring: threshold}}
grades:
  - {{label: 合格, min: 60}}
  - {{label: 不合格, min: 0}}
checks:
  - {{id: 核对, kind: equal, stated: 甲, computed: {formula}}}
"""
DATA_TEMPLATE = """\
subject: 某单位
inputs: {{甲: {a}, 乙: {b}}}
indicators:
  B: {{actual: {b}}}
  C: {{actual: {a}}}
"""


@budget(120)
@given(
    st.one_of(formulas(), pick(HOSTILE_FORMULAS)),
    st.sampled_from(["0", "1", "-1", "93.59", "1e30", "0.000001"]),
    st.sampled_from(["0", "1", "100", "-5", "1e-30"]),
)
@example("round_half_up(1 > 0)", "1", "1")
@example("0\n0", "0", "0")  # a message quoting it spanned two lines
@example("(((((甲 ** 8) ** 8) ** 8) ** 8) ** 8) ** 8", "1e30", "1")
def test_formulas_in_every_place_never_crash_the_cli(workdir, text, a, b):
    """A formula as a metric, a scoring expression, an explain condition and a
    check, evaluated over extreme figures: exit 0 or 1, never 70."""
    ruleset = os.path.join(workdir, "formula.yaml")
    data = os.path.join(workdir, "formula-data.yaml")
    quoted = json.dumps(text, ensure_ascii=False)
    with open(ruleset, "w", encoding="utf-8") as fh:
        fh.write(RULESET_TEMPLATE.format(formula=quoted))
    with open(data, "w", encoding="utf-8") as fh:
        fh.write(DATA_TEMPLATE.format(a=a, b=b))
    with bounded("fuzz: formulas (cli)"):
        code, out, err = run_cli("evaluate", data, "--ruleset", ruleset, "--format", "json")
    event(f"exit {code}")
    assert code in (0, 1), err
    if code == 1:
        assert_cli_located(err, [ruleset, data])
    else:
        json.loads(out)


def _ruleset_text() -> str:
    return RULESET_2019.read_text(encoding="utf-8")


def _data_text() -> str:
    return EXAMPLE_2019.read_text(encoding="utf-8").replace("ruleset: 2019/department", f"ruleset: {RULESET_2019}")


@budget(150)
@given(mutated(_ruleset_text()))
def test_mutated_rulesets_are_valid_or_refused_located(workdir, raw):
    """The 2019 ruleset truncated, cut, spliced with hostile YAML (anchors,
    tags, deep nesting, huge scalars, YAML 1.1 values), re-encoded or replaced
    by random bytes: `validate` exits 0 or 1 with located problems."""
    path = os.path.join(workdir, "ruleset.yaml")
    with open(path, "wb") as fh:
        fh.write(raw)
    with bounded("fuzz: mutated rulesets"):
        code, out, err = run_cli("validate", path)
    event(f"exit {code}")
    assert code in (0, 1), err
    if code == 1:
        assert_cli_located(err, [path])


@budget(150)
@given(mutated(_data_text()))
def test_mutated_data_files_evaluate_or_are_refused_located(workdir, raw):
    """The 2019 example data mutated the same way: `evaluate` exits 0 or 1."""
    path = os.path.join(workdir, "data.yaml")
    with open(path, "wb") as fh:
        fh.write(raw)
    with bounded("fuzz: mutated data"):
        code, out, err = run_cli("evaluate", path, "--ruleset", str(RULESET_2019), "--format", "json")
    event(f"exit {code}")
    assert code in (0, 1), err
    if code == 1:
        assert_cli_located(err, [path, os.path.relpath(RULESET_2019)])


@budget(150)
@given(st.data())
def test_restructured_data_files_evaluate_or_are_refused_located(workdir, data):
    """Values of the example replaced by hostile ones (lists for numbers, huge
    or tiny numbers, text, nested mappings), keys dropped or invented."""
    loaded, _ = load_file(str(EXAMPLE_2019))
    loaded["ruleset"] = str(RULESET_2019)
    text = data.draw(restructured(loaded))
    path = os.path.join(workdir, "restructured.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    with bounded("fuzz: restructured data"):
        code, out, err = run_cli("evaluate", path, "--format", "json")
    event(f"exit {code}")
    assert code in (0, 1), err
    if code == 1:
        assert_cli_located(err, [path, os.path.relpath(RULESET_2019)])
