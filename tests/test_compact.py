"""Compact results (`batch --result compact`, `show-result`, `api.expand_compact`).

The one property: a compact line plus its header (and the ruleset) gives back
the full line, byte for byte, for department and project units, in both
languages — on the seed, on generated units (benchmarks/batch.py's generator
and the varied, hostile ones of tests/test_jsonl_fast.py), on every shipped
example and through the whole CLI. Then: reading errors are located and said
in both languages, and the compact form is really smaller.
"""
from __future__ import annotations

import json
import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import api
from engine.api import evaluate_file
from engine.base.diagnostics import DiagnosticError, SourceSpan
from engine.base.digest import digest_of
from engine.base.sourcemap import SourceMap
from engine.evaluation.evaluate import evaluate
from engine.load.json_line import loads_json_line
from engine.ruleset.loading import load_plan
from engine.render import compact, json_shape, jsonl
from engine.unit.inputs import read_unit
from tests.conftest import ROOT, run_cli
from tests.test_jsonl_fast import NA, SHIPPED, _knobs, _unit, hostile_results

sys.path.insert(0, str(ROOT / "benchmarks"))
import batch as bench  # noqa: E402 - the benchmark's generator of realistic department and project units

LANGS = ("zh", "en")
DEPARTMENT = "rulesets/2019/department.yaml"
PROJECTS = ROOT / "examples" / "2019" / "projects-batch"


def round_trip(result, lang: str = "zh") -> str:
    """The compact line of `result` after the header written for its plan,
    read back as a reader does (the header from its text) → the full line; it
    must be the batch's full line."""
    shared = compact.shared_for(result.plan, lang)
    head = compact.header_line(result.plan, lang)
    small = compact.line(result, shared)
    full = jsonl.line(result, lang)
    back = compact.expand(small, compact.read_header(head, result.plan))
    if back != full:
        i = next((k for k, (a, b) in enumerate(zip(back, full)) if a != b), min(len(back), len(full)))
        pytest.fail(f"{lang}: differs at {i}:\n back …{back[max(i - 150, 0):i + 80]}\n full …{full[max(i - 150, 0):i + 80]}\n compact: {small[:400]}")
    return small


def test_the_seed_round_trips_and_says_each_constant_once():
    result = evaluate_file("examples/2019/hr-bureau.yaml")
    for lang in LANGS:
        small = round_trip(result, lang)
        assert '"name"' not in small.split('"indicators"')[1].split('"findings"')[0]  # every indicator's name is the header's
        assert '"message"' not in small and '"code":"check.rounding","args":{' in small
        assert '"ruleset"' not in small and '"engine"' not in small
        assert len(small) < 0.75 * len(jsonl.line(result, lang))
    head = json.loads(compact.header_line(result.plan))
    assert head["jixiao-compact"] == 1 and head["lang"] == "zh"
    assert head["ruleset"]["id"] == "wuhan-edz-department-2019" and head["stamp"]["ruleset_digest"] == result.plan.digest
    assert head["indicators"]["预算执行率"] == {"name": "预算执行率", "weight": 10, "operator": "≥", "unit": "%", "method": "proportional"}
    assert list(head["indicators"])[:3] == ["预算管理", "预算执行率", "预算调整率"]  # in the tree's order


def test_a_compact_line_holds_the_units_own_facts():
    result = evaluate_file("examples/2019/hr-bureau.yaml")
    line = json.loads(compact.line(result, compact.shared_for(result.plan)), parse_float=Decimal)
    assert list(line) == ["subject", "total", "grade", "indicators", "findings", "deviations", "stamp"]
    leaf = line["indicators"][0]["children"][0]
    head = json.loads(compact.header_line(result.plan))
    # the header's indicator by its number there; the target is the plan's
    assert leaf == {"id": 1, "score": Decimal("9.36"), "actual": Decimal("0.9359"), "branch": "partial"}
    assert list(head["indicators"])[1] == "预算执行率"
    deviation = line["deviations"][0]  # its name, target and texts are its indicator's
    assert deviation == {"id": 1, "kind": "未完成", "actual": Decimal("0.9359"), "ratio": Decimal("0.9359"), "explanation": "主要由于就业创业资金补助项目和基本支出预算金额偏高。", "location": "examples/2019/hr-bureau.yaml:100:5"}
    assert line["stamp"] == {"input_digest": result.unit.digest}
    finding = line["findings"][0]
    assert set(finding) == {"kind", "severity", "code", "args", "as", "location", "stated", "computed", "difference"}
    # the arguments that are the finding's own figures, as the forms show them: the figures and their type
    assert finding["as"] == "money" and set(finding["args"]) == {"check", "where"}
    # a finding's kind and severity left out when the finding before it had them alike; its code always stays
    assert [{k: f[k] for k in ("kind", "severity", "code") if k in f} for f in line["findings"][1:4]] == [
        {"code": "check.mismatch"}, {"severity": "info", "code": "check.rounding"}, {"code": "check.rounding"}]
    check = finding["args"]["check"]  # the check's name is one of the ruleset's words
    assert isinstance(check, int) and head["words"][int(check)] == "预算表小计、合计 = 明细之和"


def test_a_location_the_same_as_the_one_before_is_left_out(tmp_path):
    """A JSONL record's findings and deviations all stand at the record."""
    units = tmp_path / "units.jsonl"
    bench.write_jsonl(str(units), 3)
    small = _cli_batch(tmp_path, "compact", str(units), extra=("--jobs", "1"))
    line = json.loads(small.read_text(encoding="utf-8").splitlines()[1])
    located = [o for o in line["findings"] + line["deviations"] if "location" in o]
    assert [o["location"] for o in located] == [f"{units}:1:1"]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6))
def test_generated_department_units_round_trip(seed):
    """benchmarks/batch.py's realistic units (varied shapes, mistyped figures,
    explanations given or not) and the varied ones with hostile names."""
    plan = load_plan(DEPARTMENT, DEPARTMENT)
    rnd = random.Random(seed)
    raw = bench.make_unit(bench._example(), seed, rnd) if seed % 2 else _unit(_department_raw(), seed, rnd)
    text = json.dumps(raw, ensure_ascii=False, default=str)
    try:
        unit = read_unit(plan, loads_json_line(text), SourceMap(values={(): SourceSpan("u.jsonl", 1, 1)}), "u.jsonl", digest_of(text))
        result = evaluate(plan, unit)
    except DiagnosticError:
        return  # a broken unit has no result line
    for lang in LANGS:
        round_trip(result, lang)


_RAW: list = []


def _department_raw() -> dict:
    if not _RAW:
        from engine.load.yaml_loader import load_file

        raw, _ = load_file("examples/2019/hr-bureau.yaml")
        raw.pop("ruleset", None)
        _RAW.append(raw)
    return _RAW[0]


@settings(max_examples=150, deadline=None)
@given(hostile_results())
def test_hostile_results_round_trip(result):
    """Nodes renamed and re-keyed (no longer the header's), odd figures and
    texts, arguments of every kind, not-applicable leaves, rescaled totals."""
    for lang in LANGS:
        round_trip(result, lang)


@pytest.mark.parametrize("data,ruleset", SHIPPED)
def test_shipped_examples_round_trip(data, ruleset):
    for lang in LANGS:
        round_trip(evaluate_file(data, ruleset), lang)


def test_not_applicable_and_rescaled_round_trip():
    zero = _knobs(data_edits=[NA])
    rescaled = _knobs([("not_applicable: zero", "not_applicable: rescale")], [NA])
    for result in (zero, rescaled):
        small = round_trip(result)
        assert '"not_applicable":true' in small  # a per-unit fact the header cannot say
    assert '"rescaled":{"points":57.83,"applicable_weight":80}' in round_trip(rescaled)


def _cli_batch(tmp_path: Path, result: str, *inputs: str, extra: tuple = (), ruleset: str = DEPARTMENT, lang: str = "zh") -> Path:
    out = tmp_path / f"{result}-{lang}-{len(extra)}.jsonl"
    code, _, err = run_cli("batch", *inputs, "--ruleset", ruleset, "--output", str(out), "--errors", str(tmp_path / "e.txt"), "--result", result, "--lang", lang, *extra)
    assert code in (0, 1), err
    return out


def test_generated_project_units_through_the_cli(tmp_path):
    """Project units bring their own indicator rows (a plan per unit): their
    constants stay in the line, and the file still reads back byte for byte."""
    main, rows = bench.write_projects(str(tmp_path), 40)
    for lang in LANGS:
        common = (main, "--columns", str(PROJECTS / "columns.yaml"), "--rows", rows, "--jobs", "1")
        full = _cli_batch(tmp_path, "full", *common, ruleset="rulesets/2019/project.yaml", lang=lang)
        small = _cli_batch(tmp_path, "compact", *common, ruleset="rulesets/2019/project.yaml", lang=lang)
        back = tmp_path / f"back-{lang}.jsonl"
        code, _, err = run_cli("show-result", str(small), "--output", str(back))
        assert code == 0 and full.read_bytes().count(b"\n") >= 35, err  # a few rows are broken on purpose
        assert back.read_bytes() == full.read_bytes()
        assert small.stat().st_size < full.stat().st_size


def test_department_batch_compact_reads_back_byte_for_byte(tmp_path):
    units = tmp_path / "units.jsonl"
    bench.write_jsonl(str(units), 60)
    full = _cli_batch(tmp_path, "full", str(units), extra=("--jobs", "1"))
    small = _cli_batch(tmp_path, "compact", str(units), extra=("--jobs", "1"))
    two = _cli_batch(tmp_path, "compact", str(units), extra=("--jobs", "2", "--lang", "zh"))
    assert two.read_bytes() == small.read_bytes()  # workers write the same compact lines
    code, out, err = run_cli("show-result", str(small))
    assert code == 0, err
    assert out.encode("utf-8") == full.read_bytes()
    lines = small.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["jixiao-compact"] == 1 and len(lines) == full.read_text(encoding="utf-8").count("\n") + 1
    # the same unit lines as the API writes them
    plan = api.load_ruleset(DEPARTMENT)
    assert lines[0] == api.compact_header(plan)
    assert api.expand_compact(lines[1], plan, lines[0]) == full.read_text(encoding="utf-8").splitlines()[0]
    assert api.expand_compact(lines[1], plan) == full.read_text(encoding="utf-8").splitlines()[0]


def test_api_result_compact_and_expand():
    plan = api.load_ruleset("2019/department")
    result = api.evaluate(api.DEFAULT_DATA, plan)
    line = api.result_compact(result)
    assert api.expand_compact(line, plan) == jsonl.line(result)
    en = api.result_compact(result, "en")
    assert api.expand_compact(en, plan, api.compact_header(plan, "en")) == jsonl.line(result, "en")


def test_compact_output_is_written_atomically(tmp_path):
    """Nothing appears at --output until the batch is done; a batch refused
    (its output is an input) writes nothing at all."""
    out = tmp_path / "r.jsonl"
    code, _, _ = run_cli("batch", "examples/2019/hr-bureau.yaml", "--ruleset", DEPARTMENT, "--output", str(out), "--result", "compact", "--jobs", "1")
    assert code == 0 and out.read_text(encoding="utf-8").count("\n") == 2
    assert [p.name for p in tmp_path.iterdir()] == ["r.jsonl", "r.jsonl.summary.json"] or sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl", "r.jsonl.summary.json"]
    code, _, err = run_cli("batch", str(out), "--ruleset", DEPARTMENT, "--output", str(out), "--result", "compact")
    assert code == 2 and out.read_text(encoding="utf-8").count("\n") == 2


def test_show_result_text_in_the_users_language(tmp_path):
    small = _cli_batch(tmp_path, "compact", "examples/2019/hr-bureau.yaml")
    code, out, err = run_cli("show-result", str(small), "--format", "text", "--lang", "en")
    assert code == 0, err
    assert f"{small}:2  武汉经济技术开发区（汉南区）人力资源局: total 87.36, grade 良\n  10 finding(s):\n" in out
    assert "    预算执行率: below target (target 100%, actual 93.59%) reason: 主要由于就业创业资金补助项目和基本支出预算金额偏高。\n" in out
    assert "stated 996.66, computed 996.65, a difference of 0.01 (within rounding)" in out
    assert out.endswith("1 unit(s)\n")
    code, out, _ = run_cli("show-result", str(small), "--format", "text")
    assert "人力资源局：总分 87.36，等级 良\n  发现的问题 10 条：\n" in out and "    预算执行率：未完成（目标 100%，实际 93.59%）原因：" in out
    assert out.endswith("共 1 个单位\n")


# --- reading errors: located, in both languages, exit codes as the README says ---

def _small(tmp_path) -> Path:
    return _cli_batch(tmp_path, "compact", "examples/2019/hr-bureau.yaml")


ERRORS = {
    "zh": {
        "wrong": "{f}:1:1: 规则集不符：这个文件是按摘要为 {d} 的规则集写出的，而「rulesets/2019/project.yaml」的摘要是 ",
        "damaged": "{f}:3:1: 这一行无法还原为完整结果（",
        "json": "{f}:4:12: 这一行无法还原为完整结果（Expecting",
        "not": "{f}:1:1: 这不是 jixiao 紧凑结果文件",
        "again": "{f}:6:1: 这一行又是一个头记录",
    },
    "en": {
        "wrong": "{f}:1:1: wrong ruleset: this file was written with the ruleset whose digest is {d}, but 'rulesets/2019/project.yaml' has digest ",
        "damaged": "{f}:3:1: this line cannot be expanded into a full result (",
        "json": "{f}:4:12: this line cannot be expanded into a full result (Expecting",
        "not": "{f}:1:1: this is not a jixiao compact result file",
        "again": "{f}:6:1: this line is a second header record",
    },
}


@pytest.mark.parametrize("lang", LANGS)
def test_reading_errors_are_located(tmp_path, lang):
    small = _small(tmp_path)
    head, line = small.read_text(encoding="utf-8").splitlines()
    digest = json.loads(head)["stamp"]["ruleset_digest"]
    said = {k: v.format(f=small, d=digest) for k, v in ERRORS[lang].items()}

    code, out, err = run_cli("show-result", str(small), "--ruleset", "rulesets/2019/project.yaml", "--lang", lang)
    assert (code, out) == (1, "") and err.startswith(said["wrong"])

    damaged = tmp_path / "damaged.jsonl"
    broken = line.replace('"indicators":[', '"indicators":[5,', 1)  # JSON, but not a result's
    damaged.write_text("\n".join([head, line, broken, line[:11] + "}", line, head, line]) + "\n", encoding="utf-8")
    said = {k: v.format(f=damaged, d=digest) for k, v in ERRORS[lang].items()}
    code, out, err = run_cli("show-result", str(damaged), "--lang", lang)
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(said["damaged"]) and lines[1].startswith(said["json"]) and lines[2].startswith(said["again"]), err
    full = jsonl.line(evaluate_file("examples/2019/hr-bureau.yaml"))
    assert out == (full + "\n") * 3  # every readable line is still given back

    for name, text in [("full.jsonl", full + "\n"), ("empty.jsonl", ""), ("text.jsonl", "不是 JSON\n")]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        code, out, err = run_cli("show-result", str(path), "--lang", lang)
        assert (code, out) == (1, "") and err.startswith(ERRORS[lang]["not"].format(f=path)), err


DAMAGED_SUBJECT = {
    "zh": "{f}:2:1: 这一行无法还原为完整结果（subject）：文件可能被截断或改动过\n",
    "en": "{f}:2:1: this line cannot be expanded into a full result (subject): the file may have been cut short or edited\n",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_subject_that_is_not_an_object_is_a_damaged_line(tmp_path, lang):
    """A unit's subject is always an object: a line whose subject is text is
    reported at its line, in either format, and the next line still read."""
    small = _small(tmp_path)
    head, line = small.read_text(encoding="utf-8").splitlines()
    assert line.startswith('{"subject":{"name":"武汉')
    damaged = tmp_path / "subject.jsonl"
    damaged.write_text("\n".join([head, '{"subject":"x"' + line[line.index(',"total"'):], line]) + "\n", encoding="utf-8")
    said = DAMAGED_SUBJECT[lang].format(f=damaged)
    code, out, err = run_cli("show-result", str(damaged), "--format", "text", "--lang", lang)
    assert (code, err) == (1, said)
    assert out.startswith(f"{damaged}:3  武汉经济技术开发区（汉南区）人力资源局") and out.endswith(("共 1 个单位\n", "1 unit(s)\n")[LANGS.index(lang)])
    code, out, err = run_cli("show-result", str(damaged), "--lang", lang)
    assert (code, err, out) == (1, said, jsonl.line(evaluate_file("examples/2019/hr-bureau.yaml")) + "\n")


BOUNDS = {
    "zh": ("{f}:{n}:{c}: 嵌套层级超过 64 层，拒绝读取", "{f}:{n}:{c}: 数字 {v} 超出可处理的范围（整数部分最多 30 位，小数最多 30 位）"),
    "en": ("{f}:{n}:{c}: nesting deeper than 64 levels; refused", "{f}:{n}:{c}: the number {v} is out of range (at most 30 digits before and after the point)"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_lines_beyond_the_jsonl_bounds_are_refused_as_the_batch_refuses_them(tmp_path, lang):
    """Nesting deeper than 64 levels (far deeper: json's own recursion gives
    up) and NaN/Infinity are refused at their line and column, in the batch
    JSONL reader's words; the other lines are still read, and no NaN is ever
    written back (it is not JSON)."""
    small = _small(tmp_path)
    head, line = small.read_text(encoding="utf-8").splitlines()
    total = '"total":87.36'
    at = line.index(total) + len('"total":')  # 0-based: where the total's value starts
    lines = [
        head,
        line.replace(total, '"total":' + "[" * 100 + "1" + "]" * 100),
        "[" * 100_000 + "]" * 100_000,
        line.replace(total, '"total":NaN'),
        line.replace(total, '"total":-Infinity'),
        line.replace(total, '"total":1e99999999'),  # would be written out as 10⁸ digits
        line,
    ]
    bad = tmp_path / "bounds.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    deep, number = BOUNDS[lang]
    said = [deep.format(f=bad, n=2, c=at + 64), deep.format(f=bad, n=3, c=1),
            number.format(f=bad, n=4, c=at + 1, v="NaN"), number.format(f=bad, n=5, c=at + 1, v="-Infinity"),
            number.format(f=bad, n=6, c=at + 1, v="1e99999999")]
    full = jsonl.line(evaluate_file("examples/2019/hr-bureau.yaml"))
    code, out, err = run_cli("show-result", str(bad), "--lang", lang)
    assert (code, err.splitlines(), out) == (1, said, full + "\n")
    code, out, err = run_cli("show-result", str(bad), "--format", "text", "--lang", lang)
    assert (code, err.splitlines()) == (1, said) and out.startswith(f"{bad}:7  武汉") and out.count("\n") > 10

    # a header beyond the bounds: nothing can be read by it (its year is one level down, in `ruleset`)
    for name, header, c in [("deep.jsonl", head.replace('"year":2019', '"year":' + "[" * 70 + "]" * 70), head.index('"year":') + len('"year":') + 63),
                            ("nan.jsonl", head.replace('"year":2019', '"year":NaN'), head.index('"year":') + len('"year":') + 1)]:
        path = tmp_path / name
        path.write_text(header + "\n" + line + "\n", encoding="utf-8")
        code, out, err = run_cli("show-result", str(path), "--lang", lang)
        expected = (deep if name == "deep.jsonl" else number).format(f=path, n=1, c=c, v="NaN")
        assert (code, out, err.splitlines()) == (1, "", [expected])


def test_a_ratio_no_data_file_may_hold_is_read_back(tmp_path):
    """A result may hold what the JSONL reader refuses in data: an actual its
    ruleset does not round has 34 places. Only depth and NaN/Infinity bound a
    compact line."""
    ruleset = tmp_path / "department.yaml"
    text = (ROOT / DEPARTMENT).read_text(encoding="utf-8")
    assert text.count("actual: round_half_up(全年执行数 / 全年预算数, 4)") == 1
    ruleset.write_text(text.replace("actual: round_half_up(全年执行数 / 全年预算数, 4)", "actual: 全年执行数 / 全年预算数"), encoding="utf-8")
    full = _cli_batch(tmp_path, "full", "examples/2019/hr-bureau.yaml", ruleset=str(ruleset))
    assert '"actual":0.9359251895679735738545368622293719,' in full.read_text(encoding="utf-8")
    small = _cli_batch(tmp_path, "compact", "examples/2019/hr-bureau.yaml", ruleset=str(ruleset))
    code, out, err = run_cli("show-result", str(small))
    assert (code, err) == (0, "") and out.encode("utf-8") == full.read_bytes()


def test_api_expand_compact_refuses_lines_beyond_the_bounds():
    plan = api.load_ruleset("2019/department")
    line = api.result_compact(api.evaluate(api.DEFAULT_DATA, plan))
    for text, code, col in [("[" * 100_000, "load.too_deep", 1), (line.replace('"total":', '"total":Infinity,"x":', 1), "load.number_range", line.index('"total":') + 9)]:
        with pytest.raises(DiagnosticError) as e:
            api.expand_compact(text, plan)
        assert [(d.code, d.span) for d in e.value.diagnostics] == [(code, SourceSpan("<line>", 1, col))]
    with pytest.raises(DiagnosticError) as e:
        api.expand_compact(line, plan, api.compact_header(plan).replace('"year":2019', '"year":Infinity'))
    assert e.value.diagnostics[0].code == "load.number_range" and e.value.diagnostics[0].span.line == 1


NOT_UTF8 = {
    "zh": "{f}:{n}:{c}: 这一行从这里起不是有效的 UTF-8：文件其余部分是 UTF-8 编码，这里可能粘贴了 GBK 编码的内容；请把整个文件另存为 UTF-8",
    "en": "{f}:{n}:{c}: this line is not valid UTF-8 from here: the rest of the file is UTF-8, so this is perhaps text pasted from a GBK file; save the whole file as UTF-8",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_line_that_is_not_utf8_is_reported_alone(tmp_path, lang):
    """A line that is not UTF-8 is reported at its line and the character it
    breaks at, as the batch JSONL reader reports one; the other lines are
    still read. A header that is not UTF-8: nothing to read the lines by."""
    small = _small(tmp_path)
    head, line = small.read_bytes().splitlines()
    name = b'{"subject":{"name":"'
    assert line.startswith(name + "武汉".encode("utf-8"))
    gbk = line.replace(name, name + "测试".encode("gb18030"), 1)
    bad = tmp_path / "bytes.jsonl"
    bad.write_bytes(b"\n".join([head, line, b"\xff\xfe garbage", gbk, line]) + b"\n")
    said = [NOT_UTF8[lang].format(f=bad, n=3, c=1), NOT_UTF8[lang].format(f=bad, n=4, c=len(name) + 1)]
    full = jsonl.line(evaluate_file("examples/2019/hr-bureau.yaml"))
    code, out, err = run_cli("show-result", str(bad), "--lang", lang)
    assert (code, err.splitlines(), out) == (1, said, (full + "\n") * 2)
    code, out, err = run_cli("show-result", str(bad), "--format", "text", "--lang", lang)
    assert (code, err.splitlines()) == (1, said) and f"{bad}:2  武汉" in out and f"{bad}:5  武汉" in out

    header = tmp_path / "header.jsonl"
    header.write_bytes(head.replace(b'"lang":"zh",', b'"lang":"\xb2\xe2",') + b"\n" + line + b"\n")
    out_file = tmp_path / "out.jsonl"
    code, out, err = run_cli("show-result", str(header), "--output", str(out_file), "--lang", lang)
    assert (code, out, err.splitlines()) == (1, "", [NOT_UTF8[lang].format(f=header, n=1, c=len('{"jixiao-compact":1,"lang":"') + 1)])
    assert not out_file.exists()


def test_a_compact_file_may_start_with_a_bom(tmp_path):
    """A compact file saved by an editor that adds a BOM (Notepad) reads back
    as any UTF-8 file does elsewhere: the BOM is passed over, with CRLF line ends too."""
    small = _small(tmp_path)
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + small.read_bytes().replace(b"\n", b"\r\n"))
    code, out, err = run_cli("show-result", str(bom))
    assert (code, err, out) == (0, "", jsonl.line(evaluate_file("examples/2019/hr-bureau.yaml")) + "\n")
    code, out, err = run_cli("show-result", str(bom), "--format", "text")
    assert (code, err) == (0, "") and out.startswith(f"{bom}:2  武汉经济技术开发区（汉南区）人力资源局：总分 87.36，等级 良\n") and out.endswith("共 1 个单位\n")


def test_reading_without_the_ruleset_named_finds_it_by_id(tmp_path, monkeypatch):
    small = _small(tmp_path)
    head, line = small.read_text(encoding="utf-8").splitlines()
    moved = tmp_path / "moved.jsonl"
    moved.write_text(head.replace('"file":"rulesets/2019/department.yaml"', '"file":"elsewhere/department.yaml"') + "\n" + line + "\n", encoding="utf-8")
    code, out, err = run_cli("show-result", str(moved))
    assert code == 0, err
    assert json.loads(out)["ruleset"]["file"] == "elsewhere/department.yaml"  # the header's words, as the batch wrote them
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text(head.replace('"file":"rulesets/2019/department.yaml"', '"file":"x.yaml"').replace("wuhan-edz-department-2019", "no-such-ruleset") + "\n" + line + "\n", encoding="utf-8")
    code, out, err = run_cli("show-result", str(unknown))
    assert (code, out) == (1, "") and err.startswith(f"{unknown}:1:1: 找不到写出这个文件时所用的规则集「no-such-ruleset」（x.yaml）：请用 --ruleset 指定")


def test_api_errors_are_diagnostics():
    plan = api.load_ruleset("2019/department")
    with pytest.raises(DiagnosticError) as e:
        api.expand_compact('{"indicators":5}', plan)
    assert e.value.diagnostics[0].code == "compact.damaged_line"
    other = api.load_ruleset("2019/project")
    with pytest.raises(DiagnosticError) as e:
        api.expand_compact("{}", other, api.compact_header(plan))
    assert e.value.diagnostics[0].code == "compact.wrong_ruleset"


def test_the_compact_form_follows_the_shape():
    """What the header holds is exactly the shape's fixed fields of the result
    and of the indicators: a field added to json_shape.SHAPE reaches it."""
    fixed_result = {f.key for f in json_shape.RESULT if f.fixed} | {g.key for f in json_shape.RESULT if f.enc == "object" for g in f.fields if g.fixed}
    head = json.loads(compact.header_line(load_plan(DEPARTMENT, DEPARTMENT)))
    got = set(head["ruleset"]) | set(head["stamp"])
    assert got == fixed_result
    fixed_indicator = {f.key for f in json_shape.INDICATOR if f.fixed} - {"id", "not_applicable", "in_total"}
    assert set(head["indicators"]["预算执行率"]) == fixed_indicator


def test_show_result_never_writes_over_its_inputs(tmp_path):
    """Neither the file read nor the ruleset its header names (found only
    once the header is read) may be the output: exit 2, nothing written."""
    small = _small(tmp_path)
    before = small.read_bytes()
    code, _, err = run_cli("show-result", str(small), "--output", str(small))
    assert code == 2 and small.read_bytes() == before, err
    ruleset = tmp_path / "department.yaml"
    ruleset.write_bytes((ROOT / DEPARTMENT).read_bytes())
    head, line = small.read_text(encoding="utf-8").splitlines()
    named = tmp_path / "named.jsonl"
    named.write_text(head.replace('"file":"rulesets/2019/department.yaml"', f'"file":{json.dumps(str(ruleset))}') + "\n" + line + "\n", encoding="utf-8")
    code, _, err = run_cli("show-result", str(named), "--output", str(ruleset))
    assert code == 2 and ruleset.read_bytes() == (ROOT / DEPARTMENT).read_bytes(), err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".jixiao-")) == []
    # a file that is not compact: nothing is written at all
    out = tmp_path / "out.jsonl"
    code, _, _ = run_cli("show-result", str(ruleset), "--output", str(out))
    assert code == 1 and not out.exists()


def test_compact_to_stdout_starts_with_its_header():
    code, out, _ = run_cli("batch", "examples/2019/hr-bureau.yaml", "--ruleset", DEPARTMENT, "--result", "compact", "--jobs", "1")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0] == api.compact_header(api.load_ruleset(DEPARTMENT))
    assert api.expand_compact(lines[1], api.load_ruleset(DEPARTMENT), lines[0]) == jsonl.line(evaluate_file("examples/2019/hr-bureau.yaml"))
