"""Faults and signals (issue 13): Ctrl-C and SIGTERM during a parallel batch,
a closed pipe, a full disk or a too-long name while writing the summary,
odd years for `init`, YAML written by the YAML library."""
from __future__ import annotations

import contextlib
import errno
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.load.yaml_loader import load_text
from engine.load.yaml_scalar import scalar
from tests.conftest import ROOT, RULESET_2019, run_cli

RULESET = "rulesets/2019/department.yaml"
UNITS = (ROOT / "tests" / "fixtures" / "batch" / "units.jsonl").read_text(encoding="utf-8").splitlines()[:3]


def _many(tmp: Path, count: int) -> Path:
    path = tmp / "many.jsonl"
    path.write_text("".join(UNITS[i % 3] + "\n" for i in range(count)), encoding="utf-8")
    return path


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".jixiao-"))


def _start_batch(tmp: Path, count: int = 12000) -> subprocess.Popen:
    """A real `cli.py batch --jobs 2` on `count` units in its own process group
    (as a terminal runs it); returns once it is writing results. (3,000 units
    once took a few seconds; a quiet machine now ends them within the second
    this waits.)"""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "batch", str(_many(tmp, count)), "--ruleset", str(ROOT / RULESET), "--jobs", "2", "--output", str(tmp / "r.jsonl")],
        cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not _temporaries(tmp):  # the results' temporary file: the pool is at work
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the batch did not start"
        time.sleep(0.05)
    time.sleep(0.3)
    return proc


def _interrupted(tmp: Path, interrupt, count: int = 12000, attempts: int = 3):
    """`_start_batch`, interrupted by `interrupt(proc)`: (proc, stdout, stderr)
    once the signal came while the batch was at work. A busy machine can
    hold this process back until the batch has ended on its own (every unit
    written, exit 0): that run tells nothing, and is tried again. An exit 0
    with units missing is no such run and fails the test."""
    for _ in range(attempts):
        proc = _start_batch(tmp, count)
        with contextlib.suppress(ProcessLookupError):  # it has ended already
            interrupt(proc)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the batch hung after the signal")
        if proc.returncode != 0:
            return proc, out, err
        with open(tmp / "r.jsonl", "rb") as fh:
            assert sum(1 for _ in fh) == count, "the batch ignored the signal and left units out"
        (tmp / "r.jsonl").unlink()
        (tmp / "r.jsonl.summary.json").unlink(missing_ok=True)
    pytest.fail(f"the batch ended before the signal {attempts} times")


def _gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_ctrl_c_during_a_parallel_batch_stops_everything_with_one_line(tmp_path):
    # Ctrl-C: the whole foreground group, workers included
    proc, out, err = _interrupted(tmp_path, lambda p: os.killpg(p.pid, signal.SIGINT))
    assert proc.returncode == 130
    assert err.decode() == "已中断\n" and out == b""
    assert _temporaries(tmp_path) == [] and not (tmp_path / "r.jsonl").exists()
    deadline = time.monotonic() + 10
    while not _gone(proc.pid) and time.monotonic() < deadline:  # no worker left behind
        time.sleep(0.1)
    assert _gone(proc.pid)


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_sigterm_during_a_batch_leaves_no_temporary_file_and_no_worker(tmp_path):
    # the main process only (`kill PID`)
    proc, _, err = _interrupted(tmp_path, lambda p: p.send_signal(signal.SIGTERM))
    assert proc.returncode == 143
    assert err.decode() == "已中断\n"
    assert _temporaries(tmp_path) == [] and not (tmp_path / "r.jsonl").exists()
    deadline = time.monotonic() + 10
    while not _gone(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(proc.pid)


def test_a_batch_piped_into_head_exits_141_quietly(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "cli.py", "batch", str(_many(tmp_path, 400)), "--ruleset", RULESET, "--jobs", "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    assert json.loads(first)["total"]
    assert proc.wait(timeout=120) == 141
    assert proc.stderr.read() == b""


# --- a worker that dies ----------------------------------------------------------

FORK = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods() or not hasattr(signal, "SIGALRM"), reason="the patched evaluation reaches the workers through fork")
DIED = {
    "zh": "评价这个单位的工作进程意外停止（信号 SIGKILL），可能是内存不足或被系统结束：此单位和同一批交给该进程的单位未评价，其余单位不受影响；可用较小的 --jobs 重新评价这些单位",
    "en": "the worker process evaluating this unit stopped unexpectedly (signal SIGKILL), perhaps out of memory or ended by the system: this unit and the others handed to that process with it were not evaluated, the rest are unaffected; evaluate these units again with a smaller --jobs",
}


class Hung(Exception):
    pass


@pytest.fixture
def no_hang():
    """A batch in this process that hangs fails the test instead (a guard, not a time limit: it takes seconds)."""
    def hung(signum, frame):
        raise Hung("the batch hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(600)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _with_killer(tmp: Path, count: int, at: int) -> Path:
    """`count` units; the one on line `at` is named 致命单位 (its worker kills itself)."""
    path = tmp / "many.jsonl"
    lines = [UNITS[i % 3] for i in range(count)]
    lines[at - 1] = lines[at - 1].replace('"name": "第000002号预算单位"', '"name": "致命单位"', 1)
    assert "致命单位" in lines[at - 1]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _killing(monkeypatch) -> None:
    """Evaluating 致命单位 ends its process with SIGKILL (as the out-of-memory killer would)."""
    from engine.batch import units

    def killer(real):
        def evaluate(plan, unit):
            if unit.name == "致命单位":
                os.kill(os.getpid(), signal.SIGKILL)
            return real(plan, unit)

        return evaluate

    monkeypatch.setattr(units, "evaluate", killer(units.evaluate))
    monkeypatch.setattr(units, "evaluate_fast", killer(units.evaluate_fast))


@FORK
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_worker_killed_mid_batch_costs_only_the_chunk_it_held(tmp_path, monkeypatch, no_hang, lang):
    many = _with_killer(tmp_path, 400, at=299)  # chunks of 128: the third holds lines 257-384
    one = tmp_path / "one.jsonl"
    assert run_cli("batch", str(many), "--ruleset", RULESET, "--jobs", "1", "--output", str(one), "--lang", lang)[0] == 0
    expected = one.read_bytes().splitlines(keepends=True)
    _killing(monkeypatch)
    out, errors = tmp_path / "r.jsonl", tmp_path / "errors.txt"
    code, stdout, err = run_cli("batch", str(many), "--ruleset", RULESET, "--jobs", "2", "--output", str(out), "--errors", str(errors), "--lang", lang)
    assert code == 70
    assert errors.read_text(encoding="utf-8").splitlines() == [f"{many}:{n}: {DIED[lang]}" for n in range(257, 385)]
    assert out.read_bytes().splitlines(keepends=True) == expected[:256] + expected[384:]  # every other unit, in order
    summary = json.loads((tmp_path / "r.jsonl.summary.json").read_text(encoding="utf-8"))
    assert (summary["units"], summary["evaluated"], summary["failed"]) == (400, 272, 128)
    assert summary["first_failures"][0] == f"{many}:257"
    assert ("共 400 个单位，评价 272 个，失败 128 个" if lang == "zh" else "400 units, 272 evaluated, 128 failed") in stdout
    assert "Traceback" not in err and _temporaries(tmp_path) == []


@FORK
def test_every_worker_killed_ends_the_batch_all_the_same(tmp_path, monkeypatch, no_hang):
    # every third unit kills its worker: every chunk is lost, each to a new worker; the batch still ends
    many = tmp_path / "many.jsonl"
    many.write_text("".join(UNITS[1].replace("第000002号预算单位", "致命单位", 1) + "\n" for _ in range(300)), encoding="utf-8")
    _killing(monkeypatch)
    out = tmp_path / "r.jsonl"
    code, stdout, err = run_cli("batch", str(many), "--ruleset", RULESET, "--jobs", "3", "--output", str(out))
    assert code == 70
    assert err.splitlines()[:-1] == [f"{many}:{n}: {DIED['zh']}" for n in range(1, 301)]
    assert out.read_bytes() == b"" and "共 300 个单位，评价 0 个，失败 300 个" in stdout


@FORK
def test_a_worker_that_cannot_start_reports_its_units_without_a_traceback(tmp_path, monkeypatch, no_hang):
    from engine.batch import units

    def broken(*args, **kwargs):
        raise RuntimeError("no plan")

    monkeypatch.setattr(units, "load_plan", broken)  # the workers' own loading only
    out = tmp_path / "r.jsonl"
    code, stdout, err = run_cli("batch", str(_many(tmp_path, 200)), "--ruleset", RULESET, "--jobs", "2", "--output", str(out))
    assert code == 70
    lines = err.splitlines()
    assert lines[0] == f"{tmp_path / 'many.jsonl'}:1: 内部错误：RuntimeError: no plan。此单位未评价，其余单位不受影响；请加 --debug 重新运行（会列出出错的调用栈）并报告"
    assert len(lines) == 201 and "Traceback" not in err and "共 200 个单位，评价 0 个，失败 200 个" in stdout


def test_the_units_of_a_lost_chunk_fail_and_what_needs_no_evaluation_is_said_as_ever():
    from engine.batch.units import unevaluated

    chunk = [
        ("line", "u.jsonl", 7, b"{}"),
        ("row", "u.csv", 3, "a\x1fb", None),
        ("file", "/abs/units/a.yaml", "units/a.yaml"),
        ("bad_name", "units/b\\x1b.yaml", "U+001B"),
        ("orphan", "rows.csv", 4, "B99"),
    ]
    out = unevaluated(chunk, "en", "batch.worker_died", {"code": "1"})
    assert [(o.ok, o.where, o.internal) for o in out] == [
        (False, "u.jsonl:7", True), (False, "u.csv:3", True), (False, "units/a.yaml", True),
        (False, "units/b\\x1b.yaml", False), (None, "rows.csv:4", False),
    ]
    assert out[0].errors == ("u.jsonl:7: the worker process evaluating this unit stopped unexpectedly (exit code 1), perhaps out of memory or ended by the system: this unit and the others handed to that process with it were not evaluated, the rest are unaffected; evaluate these units again with a smaller --jobs",)
    assert out[3].errors == ("units/b\\x1b.yaml:1:1: the file name holds an invisible control character U+001B: rename the file",)
    assert out[4].errors == ("rows.csv:4:1: this line row's key 'B99' belongs to no unit",)


def _workers_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through Linux /proc")
def test_a_worker_killed_from_outside_does_not_hang_the_batch(tmp_path):
    count = 12000
    for _ in range(3):
        proc = _start_batch(tmp_path, count)
        workers = _workers_of(proc.pid)
        assert workers, "no worker processes"
        os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer does
        try:
            out, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the batch hung after its worker was killed")
        failed = err.decode().splitlines()[:-1]  # then 已写入 …
        if proc.returncode == 0:  # killed between two chunks: nothing was lost; tells nothing
            assert failed == []
            (tmp_path / "r.jsonl").unlink()
            continue
        assert proc.returncode == 70
        assert failed and all(line.endswith(": " + DIED["zh"]) for line in failed)
        numbers = [int(line.split(":")[1]) for line in failed]
        assert numbers == list(range(numbers[0], numbers[0] + 128)) and numbers[0] % 128 == 1  # one whole chunk
        with open(tmp_path / "r.jsonl", "rb") as fh:
            assert sum(1 for _ in fh) == count - 128
        assert f"共 {count} 个单位，评价 {count - 128} 个，失败 128 个".encode() in out
        assert _temporaries(tmp_path) == [] and "Traceback" not in err.decode()
        return
    pytest.fail("the worker was never killed holding a chunk")


# --- writing the summary ----------------------------------------------------------

FOUR = str(ROOT / "tests" / "fixtures" / "batch" / "units.jsonl")  # the fourth unit fails: the errors file has lines


class _FullDisk:
    """A stream on a full disk: its writes wait in the buffer, flushing fails as the OS says it (naming no file)."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, data):
        return len(data)

    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _outputs(tmp: Path) -> dict[str, Path]:
    out = tmp / "r.jsonl"
    return {"results": out, "errors": tmp / "errors.txt", "summary": tmp / "r.jsonl.summary.json"}


@pytest.mark.parametrize("failing", ["results", "errors", "summary"])
def test_a_full_disk_writes_no_output_and_names_the_file_that_failed(tmp_path, monkeypatch, failing):
    from engine.base import fileio

    files = _outputs(tmp_path)
    for path in files.values():  # a previous run's outputs: left exactly as they were
        path.write_text(f"old {path.name}\n", encoding="utf-8")
    real = fileio.AtomicFile.__init__

    def opened(self, path, *args, **kwargs):
        real(self, path, *args, **kwargs)
        if path == str(files[failing]):
            self.file = _FullDisk(self.file)

    monkeypatch.setattr(fileio.AtomicFile, "__init__", opened)
    code, stdout, err = run_cli("batch", FOUR, "--ruleset", RULESET, "--output", str(files["results"]), "--errors", str(files["errors"]))
    assert (code, stdout, err) == (1, "", f"无法写入 {files[failing]}：磁盘已满\n")
    assert {path.read_text(encoding="utf-8") for path in files.values()} == {f"old {path.name}\n" for path in files.values()}
    assert _temporaries(tmp_path) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_errors_to_dev_full_names_it_and_writes_no_results(tmp_path, lang):
    files = _outputs(tmp_path)
    code, stdout, err = run_cli("batch", FOUR, "--ruleset", RULESET, "--output", str(files["results"]), "--errors", "/dev/full", "--lang", lang)
    assert (code, stdout) == (1, "")
    assert err == {"zh": "无法写入 /dev/full：磁盘已满\n", "en": "cannot write /dev/full: the disk is full\n"}[lang]
    assert not files["results"].exists() and not files["summary"].exists() and _temporaries(tmp_path) == []
    # the same run with an errors file that can be written: all three outputs
    code, _, err = run_cli("batch", FOUR, "--ruleset", RULESET, "--output", str(files["results"]), "--errors", str(files["errors"]))
    assert code == 1 and len(files["results"].read_text(encoding="utf-8").splitlines()) == 3
    assert json.loads(files["summary"].read_text(encoding="utf-8"))["failed"] == 1
    assert files["errors"].read_text(encoding="utf-8").splitlines()[0] == "tests/fixtures/batch/units.jsonl:4:294: 「正文·实际共支出」（文中实际支出）应填数字，这里是「三千」"


def test_a_failed_rename_puts_back_the_outputs_already_renamed(tmp_path, monkeypatch):
    from engine.base import fileio

    files = _outputs(tmp_path)
    files["results"].write_text("old results\n", encoding="utf-8")  # the errors file is new
    real = os.replace

    def refused(src, dst):
        if str(dst).endswith(".summary.json") and os.path.basename(src).startswith(".jixiao-"):
            raise PermissionError(errno.EACCES, "Permission denied", src, None, dst)
        return real(src, dst)

    monkeypatch.setattr(fileio.os, "replace", refused)
    code, stdout, err = run_cli("batch", FOUR, "--ruleset", RULESET, "--output", str(files["results"]), "--errors", str(files["errors"]))
    assert (code, stdout, err) == (1, "", f"无法写入 {files['summary']}：没有权限（请检查文件或文件夹的权限）\n")
    assert files["results"].read_text(encoding="utf-8") == "old results\n"  # renamed, then put back
    assert not files["errors"].exists() and not files["summary"].exists()
    assert _temporaries(tmp_path) == []


def test_a_summary_name_too_long_is_a_located_error(tmp_path):
    out = tmp_path / ("结" * 80 + ".jsonl")  # 246 bytes: fine; with .summary.json: too long
    code, _, err = run_cli("batch", str(_many(tmp_path, 2)), "--ruleset", RULESET, "--output", str(out))
    assert code == 1
    assert err == f"无法写入 {out}.summary.json：文件名太长\n"
    assert _temporaries(tmp_path) == [] and not out.exists()  # the results are not left without their summary


def test_batch_output_into_a_missing_folder_names_the_users_path(tmp_path):
    out = tmp_path / "nodir" / "b.csv"
    code, _, err = run_cli("batch", str(_many(tmp_path, 2)), "--ruleset", RULESET, "--output", str(out))
    assert code == 1
    assert err == f"无法写入 {out}：文件或文件夹不存在\n"


# --- init and show write YAML through the library ---------------------------------

@pytest.mark.parametrize("year", ["²⁰²¹", "２０２１", "20211", "二〇二一", "-2021"])
def test_init_with_a_year_that_is_not_four_digits_is_a_usage_error(tmp_path, year):
    code, out, err = run_cli("init", year, "--from", RULESET, "--output", str(tmp_path / "x.yaml"))
    assert code == 2 and out == ""
    assert err == "年度应为四位数字，如 2021\n"
    assert list(tmp_path.iterdir()) == []


def test_init_into_a_missing_folder_is_refused_like_every_output(tmp_path):
    target = tmp_path / "nodir" / "x.yaml"
    code, _, err = run_cli("init", "2021", "--from", RULESET, "--output", str(target))
    assert code == 1
    assert err == f"无法写入 {target}：文件或文件夹不存在\n"
    assert not (tmp_path / "nodir").exists()


def test_a_parents_kind_with_a_newline_cannot_add_a_line_to_the_new_ruleset(tmp_path):
    parent = tmp_path / "department.yaml"
    text = RULESET_2019.read_text(encoding="utf-8")
    text = text.replace("kind: 部门整体支出", 'kind: "部门整体支出\\nextends: /etc/shadow\\n#"', 1)
    parent.write_text(text, encoding="utf-8")
    target = tmp_path / "next.yaml"
    code, _, err = run_cli("init", "2020", "--from", str(parent), "--output", str(target))
    assert code == 0, err
    written = target.read_text(encoding="utf-8")
    raw, _ = load_text(written, "next.yaml")
    assert list(raw) == ["extends", "id", "title", "year"]
    assert raw["extends"] == "department.yaml"
    assert not any(line.startswith("extends: /etc") for line in written.splitlines())
    assert "部门整体支出\\nextends: /etc/shadow\\n#" in written  # shown, escaped, inside its comment


def test_show_resolved_round_trips_a_tab_before_a_hash(tmp_path):
    ruleset = tmp_path / "department.yaml"
    text = RULESET_2019.read_text(encoding="utf-8")
    ruleset.write_text(text.replace("kind: 部门整体支出", 'kind: "a\\t#b"', 1), encoding="utf-8")
    code, out, err = run_cli("show", str(ruleset), "--resolved")
    assert code == 0, err
    raw, _ = load_text(out, "resolved.yaml")
    assert raw["kind"] == "a\t#b"


# What the loader accepts in a value: no C0/C1 controls but tab and newline.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in (9, 10))))


@settings(max_examples=400, deadline=None)
@given(key=TEXT.filter(lambda t: t.strip() != "" and t not in ("a", "z")), value=TEXT)
def test_any_text_scalar_reads_back_as_itself_on_one_line(key, value):
    line = f"{scalar(key)}: {scalar(value)}\n"
    assert line.count("\n") == 1 and "\r" not in line and "\u2028" not in line and "\x85" not in line
    raw, _ = load_text("a: 1\n" + line + "z: 2\n", "x.yaml")
    assert raw[key] == value and raw["z"] == 2 and len(raw) == 3


# `show --resolved` is written by the YAML library: any data reads back as itself,
# every value with its comment, whatever the texts hold.
_LEAF = st.one_of(TEXT, st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6), st.booleans(), st.none())
_KEY = TEXT.filter(lambda t: t.strip() != "")
_DATA = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEY, inner, max_size=3), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(_KEY, _DATA, min_size=1, max_size=4))
def test_resolved_yaml_reads_back_as_the_data_with_every_comment(data):
    from engine.render.resolved import yaml_text

    seen = []
    text = yaml_text(data, lambda path: seen.append(path) or f"src.yaml:{len(seen)}")
    raw, _ = load_text(text, "resolved.yaml")
    assert raw == data
    assert all(f"# src.yaml:{n}" in text for n in range(1, len(seen) + 1))
