"""`jixiao serve`: a batch uploaded as a zip (POST /batch). Hostile archives —
damaged, encrypted, an unknown compression method, a zip bomb — are a 422 page
naming the problem in words, never a 500; the upload's folder goes at once
(the JSON API's batch too); a sound zip still runs. Every archive is built
here (`zipfile`, then bytes changed where a hostile one differs from a sound one)."""
from __future__ import annotations

import html
import io
import os
import re
import struct
import time
import warnings
import zipfile

import pytest

pytest.importorskip("starlette")
pytest.importorskip("python_multipart")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from engine.forms.xlsx_form import MAX_RATIO, MAX_UNPACKED  # noqa: E402
from engine.serve import pages, store  # noqa: E402
from engine.serve.app import Settings, create_app  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

UNIT = (ROOT / "examples" / "2019" / "hr-bureau.yaml").read_bytes()
NAME = "a.yaml"
DATA = 30 + len(NAME)  # where a first member's data starts: after its local header and name


@pytest.fixture(scope="module")
def app():
    app = create_app(Settings(store.search_path(None), workers=0))
    with TestClient(app) as c:
        yield app, c


def zip_of(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def central(raw: bytearray) -> int:
    """Where the (first) central directory entry starts."""
    return raw.index(b"PK\x01\x02")


def changed(method: int, change) -> bytes:
    """A one-member zip of the example unit, with `change(raw)` applied."""
    raw = bytearray(zip_of([(NAME, UNIT)], method))
    change(raw)
    return bytes(raw)


def bad_crc(raw):  # a byte of the stored data flipped: its CRC-32 no longer matches
    raw[DATA + 100] ^= 0x20


def encrypted(raw):  # flag bit 0 (traditional encryption), in both headers
    raw[6] |= 0x01
    raw[central(raw) + 8] |= 0x01


def method_99(raw):  # compression method 99 (AES), in both headers
    raw[8:10] = struct.pack("<H", 99)
    raw[central(raw) + 10 : central(raw) + 12] = struct.pack("<H", 99)


def broken_deflate(raw):  # the first deflate block of a reserved type (BTYPE 11)
    raw[DATA] = 0xFF


def cut_deflate(raw):  # the deflate stream said to end after 100 bytes
    for at in (18, central(raw) + 20):
        raw[at : at + 4] = struct.pack("<I", 100)


def name_mismatch(raw):  # the local header names b.yaml, the central directory a.yaml
    raw[30] = ord("b")


def future_version(raw):  # needs zip version 10.0 to extract
    raw[central(raw) + 6] = 100


def bad_utf8_name(raw):  # the name flagged as UTF-8 but not UTF-8
    raw[central(raw) + 9] |= 0x08
    raw[central(raw) + 46] = 0xFF


def huge_declared(raw):  # the member claims 300 MB unpacked
    raw[central(raw) + 24 : central(raw) + 28] = struct.pack("<I", 300 * 1024 * 1024)


def post(client, raw: bytes, lang: str = "zh", name: str = "units.zip"):
    return client.post(f"/batch?lang={lang}", files={"file": (name, raw)}, data={"ruleset": "2019/department"}, follow_redirects=False)


def problems(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", page, re.S)]


def batch_folders(app) -> list[str]:
    tmp = app.app.state.jixiao.tmp  # Guard wraps the Starlette app
    return sorted(d for d in os.listdir(tmp) if d.startswith("batch-"))


DAMAGED_ZH = "压缩包「units.zip」中的「a.yaml」无法解压：已损坏（数据与压缩包的记录不符，或不完整），请重新压缩"
DAMAGED_EN = "'a.yaml' in the zip 'units.zip' cannot be unpacked: it is damaged (its data does not match the archive's records, or is incomplete); zip it again"
ENCRYPTED_ZH = "压缩包「units.zip」中的「a.yaml」无法解压：文件设了密码（已加密），请不设密码重新压缩"
ENCRYPTED_EN = "'a.yaml' in the zip 'units.zip' cannot be unpacked: it is password-protected (encrypted); zip it again without a password"
METHOD_ZH = "压缩包「units.zip」中的「a.yaml」无法解压：用了无法读取的压缩方式，请用常见的 zip 格式重新压缩"
METHOD_EN = "'a.yaml' in the zip 'units.zip' cannot be unpacked: it uses a compression method that cannot be read; zip it again in the common zip format"
NOT_ZIP_ZH = "「units.zip」不是完好的 zip 压缩包（可能已损坏、不完整，或是改了扩展名的其他文件），请重新压缩后上传"
NOT_ZIP_EN = "'units.zip' is not a sound zip archive (damaged, cut short, or another file renamed); zip the files again and upload it"

HOSTILE = {
    # kind: (the archive, Chinese, English)
    "bad-crc": (lambda: changed(zipfile.ZIP_STORED, bad_crc), DAMAGED_ZH, DAMAGED_EN),
    "encrypted": (lambda: changed(zipfile.ZIP_STORED, encrypted), ENCRYPTED_ZH, ENCRYPTED_EN),
    "method-99": (lambda: changed(zipfile.ZIP_STORED, method_99), METHOD_ZH, METHOD_EN),
    "broken-deflate": (lambda: changed(zipfile.ZIP_DEFLATED, broken_deflate), DAMAGED_ZH, DAMAGED_EN),
    "cut-deflate": (lambda: changed(zipfile.ZIP_DEFLATED, cut_deflate), DAMAGED_ZH, DAMAGED_EN),
    "name-mismatch": (lambda: changed(zipfile.ZIP_STORED, name_mismatch), DAMAGED_ZH, DAMAGED_EN),
    # bzip2 and LZMA are decompressed by zipfile without an output bound: refused unread
    "bzip2": (lambda: zip_of([(NAME, UNIT)], zipfile.ZIP_BZIP2), METHOD_ZH, METHOD_EN),
    "lzma": (lambda: zip_of([(NAME, UNIT)], zipfile.ZIP_LZMA), METHOD_ZH, METHOD_EN),
    "future-version": (lambda: changed(zipfile.ZIP_STORED, future_version), NOT_ZIP_ZH, NOT_ZIP_EN),
    "bad-utf8-name": (lambda: changed(zipfile.ZIP_STORED, bad_utf8_name), NOT_ZIP_ZH, NOT_ZIP_EN),
    "not-a-zip": (lambda: b"subject: x\n", NOT_ZIP_ZH, NOT_ZIP_EN),
    "truncated": (lambda: zip_of([(NAME, UNIT)])[:-30], NOT_ZIP_ZH, NOT_ZIP_EN),
    "deflate-bomb": (
        lambda: zip_of([(NAME, b" " * (2 << 20))], zipfile.ZIP_DEFLATED),
        f"压缩包「units.zip」中的「a.yaml」压缩比异常（解压后超过压缩时的 {MAX_RATIO} 倍），可能是解压炸弹，拒绝解压",
        f"'a.yaml' in the zip 'units.zip' is compressed suspiciously (it unpacks to more than {MAX_RATIO} times its packed size), perhaps a zip bomb; not unpacked",
    ),
    "over-the-total": (
        lambda: changed(zipfile.ZIP_STORED, huge_declared),
        f"压缩包「units.zip」解压后超过 {MAX_UNPACKED >> 20} MB 的上限，拒绝解压",
        f"the zip 'units.zip' unpacks to more than the {MAX_UNPACKED >> 20} MB limit; not unpacked",
    ),
    "too-many-files": (
        lambda: zip_of([(f"u{i}.yaml", b"") for i in range(pages.MAX_ZIP_FILES + 1)]),
        f"压缩包「units.zip」中有 {pages.MAX_ZIP_FILES + 1} 个数据文件，超过 {pages.MAX_ZIP_FILES} 个的上限",
        f"the zip 'units.zip' holds {pages.MAX_ZIP_FILES + 1} data files, more than the limit of {pages.MAX_ZIP_FILES}",
    ),
}


def test_the_hostile_archives_are_what_they_say():
    """Each archive fails in zipfile as its kind does (so the tests below test that kind)."""
    def first_read(raw: bytes):
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return z.read(z.infolist()[0])

    raising = {
        "bad-crc": (zipfile.BadZipFile, "Bad CRC-32"),
        "encrypted": (RuntimeError, "encrypted"),
        "method-99": (NotImplementedError, "compression method"),
        "broken-deflate": (Exception, "invalid block type"),
        "cut-deflate": (zipfile.BadZipFile, "Bad CRC-32"),  # the stream ends early: what came does not add up
        "name-mismatch": (zipfile.BadZipFile, "differ"),
        "future-version": (NotImplementedError, "zip file version 10.0"),
        "bad-utf8-name": (UnicodeDecodeError, "can.t decode byte 0xff"),
    }
    for kind, (error, words) in raising.items():
        with pytest.raises(error, match=words):
            first_read(HOSTILE[kind][0]())
    assert first_read(HOSTILE["deflate-bomb"][0]()) == b" " * (2 << 20)  # sound, but 2 MB from about 2 KB


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_zip_is_a_422_in_words_and_leaves_no_folder(app, kind):
    app, client = app
    make, zh, en = HOSTILE[kind]
    raw = make()
    before = batch_folders(app)
    for lang, words in (("zh", zh), ("en", en)):
        r = post(client, raw, lang)
        assert (r.status_code, problems(r.text)) == (422, [words])
        assert "Traceback" not in r.text and "internal" not in r.text and "内部错误" not in r.text
    assert batch_folders(app) == before
    assert client.get("/api/v1/rulesets").status_code == 200  # still serving


def test_a_sound_zip_still_runs_and_keeps_its_folder_while_it_is_shown(app):
    app, client = app
    before = batch_folders(app)
    raw = zip_of([("a/hr.yaml", UNIT), ("二〇一九/人社局.yaml", UNIT), ("notes.txt", b"ignored")], zipfile.ZIP_DEFLATED)
    r = post(client, raw)
    assert r.status_code == 303
    url = r.headers["location"]
    for _ in range(300):
        page = client.get(url).text
        if 'id="batch-state">已完成' in page:
            break
        time.sleep(0.1)
    assert 'id="batch-done">2<' in page
    (folder,) = set(batch_folders(app)) - set(before)
    assert sorted(os.listdir(os.path.join(app.app.state.jixiao.tmp, folder, "units"))) == ["00000-hr.yaml", "00001-人社局.yaml"]


def test_a_member_name_longer_than_a_file_name_is_shortened(tmp_path):
    """A 300-character member name (900 bytes in UTF-8) is written under 60 of its characters."""
    pages._unzip("units.zip", zip_of([("名" * 300 + ".yaml", UNIT)]), str(tmp_path))
    assert os.listdir(tmp_path) == ["00000-" + "名" * 60 + ".yaml"]


class LyingSizes(zipfile.ZipFile):
    """Every member claims one byte unpacked, and is read whole all the same:
    a reader that trusted the claim would unpack past any limit."""

    def infolist(self):
        out = []
        for m in super().infolist():
            small = zipfile.ZipInfo(m.filename, m.date_time)
            small.compress_type, small.compress_size, small.file_size = m.compress_type, m.compress_size, 1
            out.append(small)
        return out

    def open(self, member, *args, **kwargs):
        return super().open(self.getinfo(member.filename), *args, **kwargs)


def test_the_unpacked_bytes_are_counted_as_they_come_not_taken_from_the_archive(monkeypatch, tmp_path):
    bomb = zip_of([("a.yaml", b" " * (2 << 20))], zipfile.ZIP_DEFLATED)
    two = zip_of([("a.yaml", UNIT), ("b.yaml", UNIT)])
    monkeypatch.setattr(pages.zipfile, "ZipFile", LyingSizes)
    with pytest.raises(pages.DiagnosticError) as e:
        pages._unzip("units.zip", bomb, str(tmp_path))
    assert [(d.code, d.args["entry"]) for d in e.value.diagnostics] == [("serve.zip_bomb", "a.yaml")]
    assert os.listdir(tmp_path) == []

    monkeypatch.setattr(pages, "MAX_UNPACKED", len(UNIT) + 10)
    with pytest.raises(pages.DiagnosticError) as e:
        pages._unzip("units.zip", two, str(tmp_path))
    assert [d.code for d in e.value.diagnostics] == ["serve.zip_too_big"]
    assert os.listdir(tmp_path) == ["00000-a.yaml"]  # the first member fitted; the second was stopped


def test_a_jsonl_batch_over_the_limit_is_a_413_and_leaves_no_folder():
    """The JSON API's batch (`POST /api/v1/batch`): its body, refused past the
    upload limit while it arrives, leaves no folder behind either."""
    small = create_app(Settings(store.search_path(None), workers=0, max_upload=4096))
    with TestClient(small) as client:

        def chunks():  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"{}\n" * 300

        r = client.post("/api/v1/batch?ruleset=2019/department", content=chunks())
        assert (r.status_code, [d["code"] for d in r.json()["diagnostics"]]) == (413, ["serve.too_large"])
        assert batch_folders(small) == []
        r = client.post("/api/v1/batch?ruleset=2019/department", content=b"{}\n")
        assert r.status_code == 200 and r.text.splitlines()[-1].startswith('{"done": true')
        assert batch_folders(small) == []  # the streamed batch removes its own when it ends
