"""Text from data, made safe to show (可显示的文字).

A name or a cell from a unit's data may carry characters that act instead of
showing: ESC starts terminal escape sequences (CSI `ESC [`, OSC `ESC ]` — they
move the cursor, retitle the window, hide text, write links); other C0 and C1
controls, lone surrogates (which no encoding can write) and the bidirectional
controls (U+202E turns `gpj.exe` into `exe.jpg` on screen). A newline in a
name forges a line of output (`总分: 99.50 等级: 优` above the real total).

`printable` escapes every such character as a visible `\\x1b`, `\\u202e`…,
keeping newlines and tabs (for whole messages and reports); `one_line` escapes
newlines, carriage returns and tabs too (for a name inside a line).
"""
from __future__ import annotations

import re

# Unicode's bidirectional formatting characters (UAX #9): embeddings,
# overrides, isolates and the implicit marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_ACTIVE = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + BIDI_CONTROLS
_NOT_PRINTABLE = re.compile(f"[{_ACTIVE}]")
_NOT_ONE_LINE = re.compile(f"[\t\n{_ACTIVE}\u2028\u2029]")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
BIDI_PATTERN = _BIDI  # a search is cheaper than `bidi_controls` where most names have none


def _escaped(m: re.Match) -> str:
    ch = m.group(0)
    n = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(text: str) -> str:
    """`text` with controls, lone surrogates and bidi controls escaped
    (`\\x1b`, `\\ud800`, `\\u202e`); newlines and tabs kept."""
    return _NOT_PRINTABLE.sub(_escaped, text) if _NOT_PRINTABLE.search(text) else text


def one_line(text: str) -> str:
    """`printable`, and newlines, carriage returns and tabs escaped too: the
    text stays on the line it is shown in."""
    return _NOT_ONE_LINE.sub(_escaped, text) if _NOT_ONE_LINE.search(text) else text


def bidi_controls(text: str) -> list[str]:
    """The bidirectional controls in `text`, as `U+202E` codes (for a message)."""
    return [f"U+{ord(ch):04X}" for ch in _BIDI.findall(text)]
