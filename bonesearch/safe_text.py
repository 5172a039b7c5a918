"""Stored text made safe to show: no control characters, no terminal escape sequences.

Report text and header fields come from a hospital's systems and may hold anything,
including ``ESC [2J`` (clear the screen), ``ESC ] 0;… BEL`` (set the window title), the
8-bit CSI ``U+009B``, or bidirectional overrides that make a line read otherwise than it
is stored. Whatever prints or serves stored text passes it through here first:

```python
one_line("Fracture\\x1b[2J du radius")    # 'Fracture�[2J du radius' (a table cell, a title)
multi_line("Conclusion :\\n\\x07Fracture")  # 'Conclusion :\\n�Fracture' (line breaks kept)
safe_json({"excerpt": "…\\x9b31m…"})        # JSON with \\u009b escaped, not raw
```

Each neutralised character becomes exactly one character (U+FFFD, or a space for line
breaks in :func:`one_line`), so offsets computed on the stored text still hold.

Before anything is stored, ingest removes whole escape sequences with :func:`strip_escapes`
(report text in :mod:`bonesearch.reports.text`, header values in
:mod:`bonesearch.deid.coded_values`): one definition of what an escape sequence is.
"""

from __future__ import annotations

import json
import re

__all__ = ["REPLACEMENT", "TERMINAL_ESCAPES", "multi_line", "one_line", "safe_json", "strip_escapes"]

REPLACEMENT = "\ufffd"
_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]  # C0, DEL, C1 (0x9B is an 8-bit CSI)
_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]  # marks, embeddings, overrides, isolates
_LINE_BREAKS = [0x0A, 0x0D, 0x85, 0x2028, 0x2029]
_TABS = [0x09, 0x0B, 0x0C]

_ONE_LINE = {c: REPLACEMENT for c in _CONTROLS + _BIDI} | {c: " " for c in _LINE_BREAKS + _TABS}
_MULTI_LINE = {c: REPLACEMENT for c in _CONTROLS + _BIDI if c not in (0x09, 0x0A, 0x0D)}
_JSON_RAW = re.compile("[" + "".join(re.escape(chr(c)) for c in [0x7F, *range(0x80, 0xA0), *_BIDI, 0x2028, 0x2029]) + "]")

# ESC ] (OSC), P (DCS), X (SOS), ^ (PM) or _ (APC), a payload, and the string terminator (BEL,
# ESC \ or ST). The payload excludes ESC, so a scan never restarts inside another one (linear
# time); an unterminated one falls through to the two-character rule. The 8-bit introducers
# (U+0090, U+009D…) are left to the callers' control-character rules: a latin-1 file holds them
# as stray bytes, and taking them for string starts would delete the text up to the next "œ"
# (0x9C, read as ST).
_ESCAPE_STRING = r"\x1b[\]PX^_][^\x07\x1b\x9c]*+(?:\x07|\x1b\\|\x9c)"
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*+[\x20-\x2f]*+[\x40-\x7e]"  # "\x1b[2J", "\x1b[0;31m", "\x9b31m"
_OTHER_ESCAPE = r"\x1b[\x20-\x2f]*+[\x30-\x7e]?"  # "\x1bc" (reset), "\x1b(B", "\x1b]" unterminated, a lone ESC
#: a whole terminal escape sequence: CSI (colours, cursor moves, "clear screen"), OSC/DCS/… strings
#: ("set window title"), two-character escapes, or a lone ESC. Linear time (no nested repetition).
TERMINAL_ESCAPES = re.compile(f"{_ESCAPE_STRING}|{_CSI}|{_OTHER_ESCAPE}")


def one_line(text: str | None) -> str:
    """``text`` for one line of a terminal or a table cell: every control character, escape
    and bidirectional control replaced (line breaks and tabs by a space)."""
    return (text or "").translate(_ONE_LINE)


def multi_line(text: str | None) -> str:
    """``text`` with its line breaks and tabs kept and every other control character,
    escape and bidirectional control replaced by U+FFFD."""
    return (text or "").translate(_MULTI_LINE)


def safe_json(value: object, **dumps_kwargs) -> str:
    """``json.dumps(value, ensure_ascii=False, …)`` with the characters JSON leaves raw (DEL,
    C1 controls, bidirectional controls, U+2028/2029) written as ``\\uXXXX`` escapes: the same
    JSON once parsed, and nothing a terminal acts on when printed."""
    text = json.dumps(value, ensure_ascii=False, **dumps_kwargs)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def strip_escapes(text: str) -> str:
    """``text`` without its terminal escape sequences, each removed whole (for text stored at ingest;
    the callers then drop or replace the remaining control characters)."""
    return TERMINAL_ESCAPES.sub("", text)
