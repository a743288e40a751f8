"""Every user-facing sentence, in Chinese and English (消息目录).

Diagnostics and findings carry a code and arguments; the words are here, written
for a policy officer. `format_message(code, args, lang)` fills them in. A test
checks every code used in the engine has both languages.
"""
from __future__ import annotations

import errno
import functools
import operator
import re
from decimal import Decimal
from typing import Any, Mapping

from engine.base.memo import LazyMapping, stored

_TYPE_WORDS = {
    "zh": {"integer": "整数", "number": "数字", "text": "文字", "boolean": "true 或 false", "mapping": "键值映射（名称: 值）", "list": "列表（每项以 - 开头）"},
    "en": {"integer": "a whole number", "number": "a number", "text": "text", "boolean": "true or false", "mapping": "a mapping (name: value)", "list": "a list (items starting with -)"},
}

# code → (Chinese, English). Each area keeps its sentences in its own module
# (engine/base/messages/<area>.py, a MESSAGES dict); one catalogue is assembled here.
from engine.base.messages import batch as _batch  # noqa: E402
from engine.base.messages import core as _core  # noqa: E402
from engine.base.messages import forms as _forms  # noqa: E402
from engine.base.messages import inputs as _inputs  # noqa: E402
from engine.base.messages import locate as _locate  # noqa: E402
from engine.base.messages import projects as _projects  # noqa: E402
from engine.base.messages import report as _report  # noqa: E402
from engine.base.messages import review as _review  # noqa: E402
from engine.base.messages import security as _security  # noqa: E402
from engine.base.messages import serve as _serve  # noqa: E402
from engine.base.messages import system as _system  # noqa: E402
from engine.base.messages import usage as _usage  # noqa: E402
from engine.base.messages import years as _years  # noqa: E402
from json.encoder import encode_basestring

_SECTIONS = (_core, _inputs, _locate, _projects, _report, _review, _security, _years, _batch, _usage, _system, _forms, _serve)
CATALOG: dict[str, tuple[str, str]] = {}
for _section in _SECTIONS:
    CATALOG.update(_section.MESSAGES)

class Said(tuple):
    """An argument that is itself a sentence of the catalogue: `Said(code,
    args)`, filled in the language of the message that holds it (what the
    operating system or a parser said, in our words)."""

    __slots__ = ()

    def __new__(cls, code: str, args: Mapping[str, Any] | None = None):
        return super().__new__(cls, (code, dict(args or {})))

    def __getnewargs__(self):  # pickled from worker processes as (code, args)
        return (self[0], self[1])

    @property
    def code(self) -> str:
        return self[0]


def os_error(error: OSError) -> Said:
    """An operating-system error in words (`ENOSPC` → 磁盘已满)."""
    name = errno.errorcode.get(error.errno or 0, "")
    if f"os.{name}" in CATALOG:
        return Said(f"os.{name}")
    return Said("os.other", {"errno": name or str(error.errno or type(error).__name__)})


def _by_start(text: str, table, fallback: str) -> Said:
    for start, code in table:
        if text.startswith(start) or start in text:
            return Said(code)
    return Said(fallback)


def yaml_problem(problem: str) -> Said:
    """A YAML parser's problem (`did not find expected ',' or '}'`) in words."""
    return _by_start(problem, _system.YAML_PROBLEMS, "yaml.unexpected")


def json_problem(problem: str) -> Said:
    """A JSON decoder's problem (`Expecting value`) in words."""
    return _by_start(problem, _system.JSON_PROBLEMS, "json.unexpected")


def workbook_problem(error: Exception) -> Said:
    """Why a workbook cannot be opened (`BadZipFile`) in words."""
    import zipfile  # cold start: only when a workbook failed to open

    return Said("xlsx.not_zip" if isinstance(error, zipfile.BadZipFile) else "xlsx.damaged")


_KIND_EN = {"未完成": "below target", "超额": "well above target", "需说明": "to be explained"}


_ONE_LINE = re.compile(r"\s*\n\s*")


class LazyArgs(LazyMapping):
    """A message's arguments made only when the message is worded: figures are
    formatted (3,921.33, 93.59%) and labels put together when a renderer asks
    for the sentence, not when the finding is found (`batch --result scores`
    and the counts never ask). `make(*params)` gives the plain dict, once."""

    __slots__ = ()


def _text(value: Any) -> str:
    if value.__class__ is str:  # the common case: most arguments are names and figures already shown
        return _ONE_LINE.sub(" ", value) if "\n" in value else value
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text or "0"
    if value is None:
        return ""
    # One problem, one line: a multi-line formula or name is shown on one.
    return _ONE_LINE.sub(" ", str(value))


def arg_text(value: Any) -> str:
    """An argument as a sentence shows it (a figure's digits, a name on one
    line): a compact result keeps a finding's arguments so, and the sentence
    made from them is the sentence made from the arguments themselves."""
    return _text(value)


def format_message(code: str, args: Mapping[str, Any], lang: str = "zh") -> str:
    """The sentence for `code` in `lang`, with `args` filled in.

    `{name?text}` includes `text` only when `name` is non-empty (for "did you
    mean" and other optional parts)."""
    if args.__class__ is LazyArgs:
        args = args.made()
    pair = CATALOG.get(code)
    if pair is None:
        return f"{code} {dict(args)}"
    template = pair[1] if lang == "en" else pair[0]
    t = _compile(template)
    if t.plain:  # arguments that are all text on one line go in as they are
        if t.get is None:
            return t.fmt
        given = _given(t, args, lang)
        if given is not None and "\n" not in given[1]:
            return t.fmt % given[0]
    return _fill(template, _values(args, lang))


def format_message_json(code: str, args: Mapping[str, Any], lang: str = "zh") -> str:
    """`format_message` as a JSON string (what `json.dumps(..., ensure_ascii=False)`
    gives), made in one step where it can be: the batch writer puts tens of
    thousands of these on its lines. Arguments that need no escaping in JSON
    (printable, no `"` or `\\`) go into a template quoted once; each code's
    quoted template and getter are looked up once per language (`_json_form`)."""
    form = _JSON_FORMS["en" if lang == "en" else "zh"].get(code)
    if form is None:
        form = _json_form(code, lang)
    if form is not False:
        quoted, get, kinds, one = form
        if get is None:
            return quoted
        if args.__class__ is LazyArgs:  # the plain dict: the getter reads it in C
            args = args._made or args.made()
        try:
            given = get(args)
            if not one:  # a tuple of two values or more
                joined = "".join(given)  # TypeError unless every argument is text
            elif isinstance(given, str):  # a `str` subclass is taken for its text, as `%s` takes it
                joined, given = given, (given,)
            else:
                given = None
        except (KeyError, TypeError):
            given = None
        if given is not None and joined.isprintable() and '"' not in joined and "\\" not in joined:
            if kinds and lang == "en":
                given = list(given)
                for i in kinds:
                    given[i] = _KIND_EN.get(given[i], given[i])
                given = tuple(given)
            return quoted % given
    return encode_basestring(format_message(code, args, lang))


_JSON_FORMS: dict[str, dict[str, Any]] = {"zh": {}, "en": {}}  # lang → code → (quoted, get, kinds, one name) | False


def _json_form(code: str, lang: str) -> Any:
    """What `format_message_json` needs of a code's template, made once: its
    quoted `%` format, the getter of its arguments (a tuple of them, the value
    itself for one name; None when it has none), where `kind` is and whether
    it names one argument; False when it is no plain template (or the
    code is unknown) and the general path words it."""
    pair = CATALOG.get(code)
    form: Any = False
    if pair is not None:
        t = _compile(pair[1] if lang == "en" else pair[0])
        if t.plain:
            form = (t.quoted, None if t.get is None else t.getter, t.kinds, t.get is not t.getter)  # `get` wraps `getter` for one name
    return stored(_JSON_FORMS["en" if lang == "en" else "zh"], code, form, 4096)


def _given(t: "_Template", args: Mapping[str, Any], lang: str) -> tuple[tuple, str] | None:
    """The arguments a plain template names, in order (each `kind` in English
    words for English), and their text joined; None when one is missing or not
    text (a `str` subclass is taken for its text, as `%s` takes it)."""
    try:
        given = t.get(args)
        joined = "".join(given)  # TypeError unless every argument is text
    except (KeyError, TypeError):
        return None
    if t.kinds and lang == "en":
        given = list(given)
        for i in t.kinds:
            given[i] = _KIND_EN.get(given[i], given[i])
        given = tuple(given)
    return given, joined


def _values(args: Mapping[str, Any], lang: str) -> dict[str, str]:
    words = _TYPE_WORDS["en" if lang == "en" else "zh"]
    values = {k: format_message(v[0], v[1], lang) if v.__class__ is Said else _text(v) for k, v in args.items()}
    if "expected" in values and values["expected"] in words:
        values["expected"] = words[values["expected"]]
    if lang == "en" and "kind" in values:
        values["kind"] = _KIND_EN.get(values["kind"], values["kind"])
    return values


def _fill(template: str, values: Mapping[str, str]) -> str:
    t = _compile(template)
    if t.fmt is not None:
        if t.get is None:
            return t.fmt
        try:
            return t.fmt % t.get(values)
        except KeyError:  # a name without a value stays as `{name}`
            pass
    return _render(t.parts, values)


class _Template:
    """A template parsed (`parts`) and, when it has no optional parts, the same
    as a `%` format (`fmt`, and `quoted` as a JSON string) with `get`, a getter
    of its names' values as a tuple: a batch fills the same few sentences tens
    of thousands of times, and `%` does it in C. A template without names is
    its own text (`get` None). `plain`: format_message may fill it with the
    arguments as given (no optional parts, no type words); `kinds`: where in
    the tuple `kind` is, put into English words."""

    __slots__ = ("parts", "fmt", "quoted", "get", "getter", "plain", "kinds")

    def __init__(self, template: str) -> None:

        self.parts = parts = _parse(template)
        self.fmt = self.quoted = self.get = self.getter = None
        self.plain, self.kinds = False, ()
        if not all(p.__class__ is str or len(p) == 1 for p in parts):
            return
        names = [p[0] for p in parts if p.__class__ is not str]
        self.plain = "expected" not in names
        self.kinds = tuple(i for i, n in enumerate(names) if n == "kind")
        if not names:
            self.fmt = "".join(parts)
            self.quoted = encode_basestring(self.fmt)
            return
        self.fmt = "".join(p.replace("%", "%%") if p.__class__ is str else "%s" for p in parts)
        self.quoted = '"' + "".join(encode_basestring(p)[1:-1].replace("%", "%%") if p.__class__ is str else "%s" for p in parts) + '"'
        get = operator.itemgetter(*names)
        self.get = get if len(names) > 1 else functools.partial(_one, get)  # `%` wants a tuple
        self.getter = get  # the itemgetter itself: for one name it gives the value, not a tuple of one


@functools.lru_cache(maxsize=4096)
def _compile(template: str) -> _Template:
    return _Template(template)


def _one(get, values):
    return (get(values),)


def _render(parts: tuple, values: Mapping[str, str]) -> str:
    out: list[str] = []
    for part in parts:
        if part.__class__ is str:
            out.append(part)
        elif len(part) == 1:
            name = part[0]
            out.append(values.get(name, "{" + name + "}"))
        elif values.get(part[0]):
            out.append(_render(part[1], values))
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _parse(template: str) -> tuple:
    """A template as literal text, `(name,)` and `(name, optional parts)`,
    parsed once: batch runs format the same few sentences many times."""
    parts: list = []
    text: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "{":
            if text:
                parts.append("".join(text))
                text = []
            end = _matching(template, i)
            inner = template[i + 1 : end]
            if "?" in inner:
                name, _, rest = inner.partition("?")
                parts.append((name, _parse(rest)))
            else:
                parts.append((inner,))
            i = end + 1
        else:
            text.append(ch)
            i += 1
    if text:
        parts.append("".join(text))
    return tuple(parts)


def _matching(text: str, start: int) -> int:
    depth = 0
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1
