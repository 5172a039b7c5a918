"""Build ``deid_dev.jsonl`` (annotated French radiology reports) from ``deid_dev_source.txt``.

The source holds the reports with inline markup, one report per block::

    === rx001 ===
    Patiente : Mme [[PATIENT:Jeanne DUPONT]], née le [[BIRTHDATE:12/03/1958]].
    Conclusion : fracture de {{Pouteau-Colles}}.

``[[LABEL:surface]]`` marks a PHI span (labels in ``LABELS``), ``{{term}}`` a medical
eponym/term that a de-identifier must leave alone. Lines before the first ``=== id ===``
header are comments. This script strips the markup, computes the character offsets
into the clean text and checks every span by re-reading ``text[start:end]``.

Usage: python tests/data/make_deid_dev.py [--check] [--source SRC.txt --output OUT.jsonl]
(--check: fail if the JSONL is stale; without --source/--output: deid_dev_source.txt → deid_dev.jsonl).
The held-out set is built with
``--source tests/data/deid_holdout_source.txt --output tests/data/deid_holdout.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "deid_dev_source.txt"
OUTPUT = HERE / "deid_dev.jsonl"

LABELS = (
    "PATIENT", "STAFF", "DATE", "BIRTHDATE", "AGE", "ID", "PHONE", "EMAIL", "URL",
    "ADDRESS", "CITY", "INSTITUTION",
)
_HEADER = re.compile(r"^=== (?P<id>[\w-]+) ===$", re.MULTILINE)
_MARKUP = re.compile(r"\[\[(?P<label>[A-Z]+):(?P<phi>.+?)\]\]|\{\{(?P<keep>.+?)\}\}", re.DOTALL)


class MarkupError(ValueError):
    """A report block in the source file has malformed or inconsistent markup."""


def parse_report(report_id: str, marked: str) -> dict:
    """Strip the inline markup of one report; returns ``{"id", "text", "spans", "keep"}``."""
    text_parts: list[str] = []
    spans: list[dict] = []
    keep: list[dict] = []
    position = 0  # in the clean text
    cursor = 0  # in the marked text
    for match in _MARKUP.finditer(marked):
        plain = marked[cursor : match.start()]
        text_parts.append(plain)
        position += len(plain)
        surface = match.group("phi") if match.group("label") else match.group("keep")
        if match.group("label"):
            label = match.group("label")
            if label not in LABELS:
                raise MarkupError(f"{report_id}: unknown label {label!r} in {match.group(0)!r}; use one of {LABELS}")
            spans.append({"start": position, "end": position + len(surface), "label": label})
        else:
            keep.append({"start": position, "end": position + len(surface), "term": surface})
        if surface != surface.strip() or not surface:
            raise MarkupError(f"{report_id}: span {match.group(0)!r} has leading/trailing blanks")
        text_parts.append(surface)
        position += len(surface)
        cursor = match.end()
    text_parts.append(marked[cursor:])
    text = "".join(text_parts)
    for debris in ("[[", "]]", "{{", "}}"):
        if debris in text:
            raise MarkupError(f"{report_id}: unbalanced markup {debris!r} left in the text")
    record = {"id": report_id, "text": text, "spans": spans, "keep": keep}
    _check(record, marked)
    return record


def _check(record: dict, marked: str) -> None:
    text = record["text"]
    for span in record["spans"]:
        surface = text[span["start"] : span["end"]]
        if f"[[{span['label']}:{surface}]]" not in marked:
            raise MarkupError(f"{record['id']}: offsets {span} do not re-read as a marked span ({surface!r})")
    for term in record["keep"]:
        if text[term["start"] : term["end"]] != term["term"]:
            raise MarkupError(f"{record['id']}: keep offsets {term} do not re-read as {term['term']!r}")


def parse_source(source: str) -> list[dict]:
    """All the reports of a source file, in order; ids must be unique."""
    headers = list(_HEADER.finditer(source))
    records = []
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(source)
        records.append(parse_report(header.group("id"), source[header.end() : end].strip("\n")))
    ids = [r["id"] for r in records]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise MarkupError(f"duplicate report ids in the source: {duplicates}")
    return records


def render(records: list[dict]) -> str:
    """The JSONL text: one record per line, UTF-8 characters kept as they are."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if the JSONL differs from the source")
    parser.add_argument("--source", type=Path, default=SOURCE, help=f"marked-up source (default {SOURCE.name})")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"JSONL to write or check (default {OUTPUT.name})")
    args = parser.parse_args(argv)
    source, output = args.source, args.output
    records = parse_source(source.read_text(encoding="utf-8"))
    rendered = render(records)
    if args.check:
        stale = not output.exists() or output.read_text(encoding="utf-8") != rendered
        print(f"{output.name}: {'stale, rerun without --check' if stale else 'up to date'}")
        return 1 if stale else 0
    output.write_text(rendered, encoding="utf-8")
    n_spans = sum(len(r["spans"]) for r in records)
    n_keep = sum(len(r["keep"]) for r in records)
    n_words = sum(len(r["text"].split()) for r in records)
    print(f"wrote {output.name}: {len(records)} reports, {n_words} words, {n_spans} PHI spans, {n_keep} keep terms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
