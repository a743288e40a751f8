"""Batch tables that cannot be read to their end, or hold more than their
header says: a workbook damaged in a later row, a workbook whose parts are
packed by a method zipfile unpacks without a bound, a column without a header,
a CSV cell that never ends. Each is a located problem in words; nothing ends
as an internal error, and what could be read is still evaluated.

Every broken file is made here: a sound one written by openpyxl or csv, then
its XML edited inside the zip (or its text).
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

openpyxl = pytest.importorskip("openpyxl")

UNITS = ROOT / "tests" / "fixtures" / "batch" / "units.csv"
LINES = ROOT / "tests" / "fixtures" / "batch" / "units.jsonl"  # the same four units
DEPARTMENT = str(ROOT / "rulesets" / "2019" / "department.yaml")
PROJECTS = ROOT / "examples" / "2019" / "projects-batch"
SHEET = "xl/worksheets/sheet1.xml"
# units.csv: three units evaluated (87.36, 73.1, 66.36); its fourth row fails (三千 as a figure)
CSV_TOTALS = [87.36, 73.1, 66.36]


def _rows(path: Path = UNITS) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _xlsx(path: Path, rows: list[list], patch=None, methods: dict | None = None) -> Path:
    """A workbook of `rows`; `patch(xml) -> xml` rewrites its sheet, `methods`
    packs the named members by another zip method."""
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    buf = io.BytesIO()
    book.save(buf)
    with zipfile.ZipFile(buf) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            if patch is not None and name == SHEET:
                data = patch(data)
            z.writestr(name, data, compress_type=(methods or {}).get(name, zipfile.ZIP_DEFLATED))
    return path


def _cell(ref: str, element: bytes):
    """A patch putting `element` in place of the cell `ref`."""
    def patch(xml: bytes) -> bytes:
        out, n = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', element, xml, count=1)
        assert n == 1
        return out
    return patch


def _batch(tmp_path: Path, *inputs, ruleset: str = DEPARTMENT, extra=()) -> tuple[int, str, list[str], list]:
    out, errors = tmp_path / "r.jsonl", tmp_path / "errors.txt"
    out.unlink(missing_ok=True)
    errors.unlink(missing_ok=True)
    code, stdout, stderr = run_cli("batch", *map(str, inputs), "--ruleset", ruleset, "--output", str(out), "--errors", str(errors), "--jobs", "1", *extra)
    assert "内部错误" not in stdout + stderr and "Traceback" not in stdout + stderr
    lines = errors.read_text(encoding="utf-8").splitlines() if errors.exists() else []
    results = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return code, stdout + stderr, lines, results


def _no_form_ruleset(tmp_path: Path) -> str:
    """The department ruleset without its declared form: a workbook given to
    `batch` is then read as a table straight away (no look for the form)."""
    path = tmp_path / "noform.yaml"
    path.write_text(f"extends: {DEPARTMENT}\nid: noform\ntitle: t\nyear: 2019\nform: ~\n", encoding="utf-8")
    return str(path)


# --- 1. a workbook damaged in a later row ----------------------------------------------

DAMAGE = {
    # what openpyxl meets in row 4, and raises only when the row is asked for
    "number-cell-abc": _cell("B4", b'<c r="B4" t="n"><v>abc</v></c>'),  # ValueError
    "shared-string-past-the-end": _cell("B4", b'<c r="B4" t="s"><v>999</v></c>'),  # IndexError
    "broken-xml": lambda xml: xml.replace(b'<row r="4"', b'<row r="4"><<', 1),  # ParseError
    "bad-cell-reference": lambda xml: xml.replace(b'r="B4"', b'r="$B$4"', 1),  # ValueError: '$B$'
}


@pytest.mark.parametrize("ruleset", ["declares-a-form", "no-form"])
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_workbook_damaged_in_a_later_row_ends_there_and_the_batch_goes_on(tmp_path, damage, ruleset):
    # Was: exit 70 (ValueError, IndexError, ParseError from openpyxl), every result lost.
    bad = _xlsx(tmp_path / "bad.xlsx", _rows(), DAMAGE[damage])
    rs = DEPARTMENT if ruleset == "declares-a-form" else _no_form_ruleset(tmp_path)
    code, output, errors, results = _batch(tmp_path, UNITS, bad, LINES, ruleset=rs)
    assert code == 1
    assert f"{bad}[Sheet]:4:1: 从这一行起无法读取：工作簿中的数据已损坏，请在 Excel 中打开后另存为 .xlsx 再试；这一行及其后各行都没有读入" in errors
    # the CSV before it, the workbook's rows 2 and 3, and the JSONL after it are evaluated
    assert [r["total"] for r in results] == CSV_TOTALS + [87.36, 73.1] + CSV_TOTALS
    assert "共 11 个单位，评价 8 个，失败 3 个" in output  # each file's fourth unit; the rest of the workbook counts as one


def test_a_damaged_rest_is_said_in_english_and_with_workers(tmp_path):
    bad = _xlsx(tmp_path / "bad.xlsx", _rows(), DAMAGE["number-cell-abc"])
    code, output, errors, results = _batch(tmp_path, bad, extra=("--jobs", "2"))
    assert code == 1 and [r["total"] for r in results] == [87.36, 73.1]
    code, output, errors, _ = _batch(tmp_path, bad, extra=("--lang", "en"))
    assert errors == [f"{bad}[Sheet]:4:1: cannot be read from this row on: the workbook's data is damaged; open it in Excel, save it as .xlsx and try again; this row and the rows after it were not read"]


def test_a_workbook_damaged_in_its_header_or_its_sheet_part_is_refused_before_any_unit(tmp_path):
    header = _xlsx(tmp_path / "header.xlsx", _rows(), _cell("B1", b'<c r="B1" t="s"><v>7</v></c>'))
    code, output, errors, results = _batch(tmp_path, UNITS, header, ruleset=_no_form_ruleset(tmp_path))
    assert (code, results) == (1, [])
    assert output.startswith(f"{header}[Sheet]:1:1: 从这一行起无法读取：工作簿中的数据已损坏")
    # A sheet part whose bytes do not match its CRC (stored, one byte changed): found when the sheet is first read through
    good = _xlsx(tmp_path / "crc.xlsx", _rows(), methods={name: zipfile.ZIP_STORED for name in (SHEET,)})
    crc = bytearray(good.read_bytes())
    at = crc.find(b'<row r="4"')
    crc[at + 1] = ord("R")
    (tmp_path / "crc.xlsx").write_bytes(bytes(crc))
    for rs in (DEPARTMENT, _no_form_ruleset(tmp_path)):
        code, output, errors, results = _batch(tmp_path, UNITS, tmp_path / "crc.xlsx", ruleset=rs)
        assert (code, results) == (1, [])
        assert output.startswith(f"{tmp_path / 'crc.xlsx'}:1:1: 无法打开 Excel 工作簿：工作簿中的数据已损坏，请在 Excel 中打开后另存为 .xlsx 再试\n")


def test_damaged_line_rows_leave_their_table_unevaluated_and_say_so(tmp_path):
    rows = _xlsx(tmp_path / "indicators.xlsx", _rows(PROJECTS / "indicators.csv"), DAMAGE["number-cell-abc"])
    code, output, errors, results = _batch(tmp_path, PROJECTS / "projects.csv", ruleset=str(ROOT / "rulesets" / "2019" / "project.yaml"),
                                           extra=("--columns", str(PROJECTS / "columns.yaml"), "--rows", str(rows)))
    assert (code, results) == (1, [])
    assert errors == [
        f"{rows}[Sheet]:4:1: 从这一行起无法读取：工作簿中的数据已损坏，请在 Excel 中打开后另存为 .xlsx 再试；这一行及其后各行都没有读入",
        f"examples/2019/projects-batch/projects.csv:1:1: 明细行表「{rows}」没有读完，这张表的单位都没有评价（明细行不全的单位得不到正确的结果）",
    ]


# --- 2. a workbook part packed by a method unpacked without a bound -----------------

@pytest.mark.parametrize("ruleset", ["declares-a-form", "no-form"])
@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml"])
@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_a_batch_workbook_with_a_bzip2_or_lzma_part_is_refused_before_it_is_unpacked(tmp_path, method, part, ruleset, opened):
    # Was: read by openpyxl (the form look, then the table reader): zipfile unpacks such a
    # member without a bound, so a 785-byte bzip2 sheet declaring 100 bytes took 2 GB and 10 s.
    name = "bzip2" if method == zipfile.ZIP_BZIP2 else "lzma"
    path = _xlsx(tmp_path / "m.xlsx", _rows(), methods={part: method})
    rs = DEPARTMENT if ruleset == "declares-a-form" else _no_form_ruleset(tmp_path)
    opened.clear()  # (what making the workbook read)
    code, output, errors, results = _batch(tmp_path, path, ruleset=rs)
    assert (code, results) == (1, [])
    assert output.startswith(f"{path}:1:1: 无法打开 Excel 工作簿：其中的「{part}」用 {name} 方式压缩，Excel 和 Word 从不这样压缩：文件可能被改动过，解压它可能耗尽内存\n")
    assert part not in opened


def test_a_batch_workbook_part_encrypted_the_zip_way_or_too_large_is_refused(tmp_path, monkeypatch):
    path = _xlsx(tmp_path / "e.xlsx", _rows())
    data = bytearray(path.read_bytes())
    first = zipfile.ZipFile(path).infolist()[0].filename
    for at in (0, data.find(b"PK\x01\x02")):  # the first member's local and central records
        data[at + (6 if at == 0 else 8)] |= 1
    path.write_bytes(bytes(data))
    code, output, _, _ = _batch(tmp_path, path, ruleset=_no_form_ruleset(tmp_path), extra=("--lang", "en"))
    assert code == 1 and output.startswith(f"{path}:1:1: cannot open the Excel workbook: its part '{first}' is password-protected the zip way, which Excel and Word never do: the file may have been tampered with\n")
    from engine.load import tables

    monkeypatch.setattr(tables, "MAX_XLSX_BYTES", 1000)  # the total is still checked first
    code, output, _, _ = _batch(tmp_path, path, ruleset=_no_form_ruleset(tmp_path))
    assert code == 1 and output.startswith(f"{path}:1:1: 这个 Excel 工作簿解压后有 0 MB，超过上限 0 MB，不读取\n")


def test_the_zip_checks_are_one_function_in_the_order_each_caller_had():
    from engine.base.archive import zip_problem

    def info(name, size, packed, method=zipfile.ZIP_DEFLATED, flags=0):
        i = zipfile.ZipInfo(name)
        i.file_size, i.compress_size, i.compress_type, i.flag_bits = size, packed, method, flags
        return i

    sound = [info("a", 10, 5), info("b", 2 << 20, 1 << 20)]
    assert zip_problem(sound, members=2, unpacked=(2 << 20) + 10, ratio=2) is None
    assert zip_problem(sound, members=1) == ("members", {"count": 2, "limit": 1})
    assert zip_problem(sound, unpacked=1 << 20) == ("unpacked", {"total": (2 << 20) + 10, "limit": 1 << 20})
    assert zip_problem([info("a", 10, 5, flags=0x40)]) == ("encrypted", {"entry": "a"})
    assert zip_problem([info("a", 10, 5, zipfile.ZIP_BZIP2)]) == ("method", {"entry": "a", "method": "bzip2"})
    assert zip_problem([info("a", 10, 5, 99)]) == ("method", {"entry": "a", "method": "99"})
    assert zip_problem([info("a", 3 << 20, 1000)], ratio=200) == ("ratio", {"entry": "a", "size": 3 << 20, "packed": 1000})
    assert zip_problem([info("a", 3 << 20, 1000)]) is None  # no ratio asked (a batch table's shared strings)
    # member by member: an encrypted first member is said before a later bomb
    assert zip_problem([info("a", 10, 5, flags=1), info("b", 3 << 20, 1000)], ratio=200)[0] == "encrypted"


# --- 4. a CSV cell that never ends ------------------------------------------------------

def test_a_csv_cell_past_the_field_limit_ends_its_table_there_and_the_batch_goes_on(tmp_path):
    # Was: exit 70 (csv.Error: field larger than field limit (67108864)), every result lost.
    path = tmp_path / "u.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(_rows())
        fh.write('"' + "a" * (64 * 1024 * 1024 + 1) + '",1\r\n')
    code, output, errors, results = _batch(tmp_path, path, LINES)
    assert code == 1
    assert f"{path}:6:1: 这一格以英文双引号 \" 开头，却没有配对的结尾引号，其后超过 67108864 个字符都被读成了这一格：" \
           "请补上结尾的引号，或删去多余的开头引号；这一行及其后各行都没有读入" in errors
    assert [r["total"] for r in results] == CSV_TOTALS + CSV_TOTALS  # the rows before it, and the JSONL after it


@pytest.fixture
def field_limit(monkeypatch):
    """The csv field limit lowered to 100,000 characters (process-wide, put back after)."""
    from engine.load import tables

    monkeypatch.setattr(tables, "_CSV_FIELD_LIMIT", 100_000)
    old = csv.field_size_limit(100_000)
    yield 100_000
    csv.field_size_limit(old)


def test_a_stray_opening_quote_in_an_export_is_said_at_its_cell(tmp_path, field_limit):
    rows = [[c.replace(",", "") for c in r] for r in _rows()[:2]]  # no cell needs quoting: no other quote follows
    stray = list(rows[1])
    col = rows[0].index("预算执行率.explanation")
    stray[col] = '"' + stray[col]
    path = tmp_path / "u.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_NONE, escapechar="\\").writerows(rows)
        fh.write(",".join(stray) + "\r\n")
        csv.writer(fh).writerows([rows[1]] * 3000)
    assert path.read_text(encoding="utf-8").count('"') == 1
    code, output, errors, results = _batch(tmp_path, path, LINES, extra=("--lang", "en"))
    assert code == 1
    assert f"{path}:3:{col + 1}: this cell starts with a double quote (\") that is never closed, so more than 100000 characters after it read as this one cell: " \
           "add the closing quote, or remove the stray opening one; this row and the rows after it were not read" in errors
    assert [r["total"] for r in results] == [87.36] + CSV_TOTALS
    # in the header: said when the table is opened, nothing evaluated
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write('名称,"文中实际支出\r\n' + "甲,1\r\n" * 20_000)
    code, output, errors, results = _batch(tmp_path, path, LINES)
    assert (code, results) == (1, []) and output.startswith(f"{path}:1:2: 这一格以英文双引号 \" 开头，却没有配对的结尾引号")


@pytest.mark.parametrize("record, cell", [
    ('a,"b', 2), ('"a', 1), ('"a""b', 1), ('"a"x,"b', 2), ('"a\nb",c,"d', 3), ('a,b\n"c', None), ('a,"b"\r\n"c', None), ("a,b", None), ('a,b"c', None),
])
def test_the_unclosed_cell_is_found_as_the_csv_module_reads_quotes(record, cell):
    from engine.load.tables import _unclosed_cell

    assert _unclosed_cell(record) == cell


# --- 3. a column without a header ---------------------------------------------------------

EXPLANATION = "预算执行率.explanation"


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_a_blank_header_over_a_column_with_data_is_a_problem_at_the_header_cell(tmp_path):
    # Was: exit 0, the explanation column dropped without a word.
    rows = _rows()
    col = rows[0].index(EXPLANATION)
    rows[0][col] = ""
    path = _write_csv(tmp_path / "u.csv", rows)
    code, output, errors, results = _batch(tmp_path, path)
    assert (code, results) == (1, [])
    assert output.splitlines()[0] == f"{path}:1:{col + 1}: 第 AI 列没有表头，但其中有内容（如第 2 行）：无法知道这是什么数据；请填写表头，或删去这一列"
    code, output, errors, results = _batch(tmp_path, path, extra=("--lang", "en"))
    assert output.splitlines()[0] == f"{path}:1:{col + 1}: column AI has no header, yet it holds data (row 2, for one): what it is cannot be known; write its header, or delete the column"


def test_a_header_merged_across_two_columns_leaves_the_second_without_one(tmp_path):
    rows = _rows()
    col = rows[0].index(EXPLANATION)
    rows[0][col] = None

    def merged(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="AH1:AI1"/></mergeCells>', 1)

    path = _xlsx(tmp_path / "u.xlsx", rows, merged)
    code, output, errors, results = _batch(tmp_path, path, ruleset=_no_form_ruleset(tmp_path))
    assert (code, results) == (1, [])
    assert output.splitlines()[0] == f"{path}[Sheet]:1:{col + 1}: 第 AI 列没有表头，但其中有内容（如第 2 行）：无法知道这是什么数据；请填写表头，或删去这一列"


def test_blank_columns_under_blank_headers_are_nothing_to_read(tmp_path):
    # trailing empty columns (a CSV export's trailing commas), and one with only spaces, stay ignored
    rows = [r + ["", " " if i else ""] for i, r in enumerate(_rows())]
    code, _, _, results = _batch(tmp_path, _write_csv(tmp_path / "u.csv", rows))
    assert code == 1 and [r["total"] for r in results] == CSV_TOTALS  # (the fourth row's own problems)


def test_formatted_empty_columns_of_a_workbook_are_not_read_for_data(tmp_path):
    from engine.load.tables import filled_columns, open_table

    rows = _rows()
    width = len(rows[0])
    extra = (b"BF", b"BG")  # the two columns after the header's last (BE)
    assert width == 57

    def formatted(xml: bytes) -> bytes:  # as Excel keeps a formatted, empty cell, in every row
        for n in range(1, len(rows) + 1):
            cells = b"".join(b'<c r="%s%d" s="0"/>' % (letters, n) for letters in extra)
            xml = re.sub(rb'(<row r="%d"[^>]*>.*?)</row>' % n, lambda m: m.group(1) + cells + b"</row>", xml, count=1, flags=re.S)
        return xml

    path = _xlsx(tmp_path / "u.xlsx", rows, formatted)
    with open_table(str(path)) as sheet:
        assert sheet.header[width:] == ("", "")
        assert filled_columns(sheet, [width, width + 1]) == {}
        assert [n for n, _ in sheet.rows] == [2, 3, 4, 5]  # the quick look read no row
    code, _, _, results = _batch(tmp_path, path, ruleset=_no_form_ruleset(tmp_path))
    assert [r["total"] for r in results] == CSV_TOTALS
    # one of them holding a figure in row 4: read, and said
    path = _xlsx(tmp_path / "v.xlsx", rows, lambda xml: formatted(xml).replace(b'<c r="BG4" s="0"/>', b'<c r="BG4"><v>1</v></c>'))
    with open_table(str(path)) as sheet:
        assert filled_columns(sheet, [width, width + 1]) == {width + 1: 4}


def test_a_blank_header_over_line_rows_with_data_is_a_problem_too(tmp_path):
    rows = _rows(PROJECTS / "indicators.csv")
    col = rows[0].index("偏差原因")
    rows[0][col] = ""
    path = _write_csv(tmp_path / "indicators.csv", rows)
    code, output, errors, results = _batch(tmp_path, PROJECTS / "projects.csv", ruleset=str(ROOT / "rulesets" / "2019" / "project.yaml"),
                                           extra=("--columns", str(PROJECTS / "columns.yaml"), "--rows", str(path)))
    assert (code, results) == (1, [])
    assert output.splitlines()[0] == f"{path}:1:{col + 1}: 第 L 列没有表头，但其中有内容（如第 2 行）：无法知道这是什么数据；请填写表头，或删去这一列"
