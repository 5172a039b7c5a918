"""`bonesearch deid-text`: de-identify a JSONL file of reports, with the detected spans.

Each input line is ``{"id": ..., "text": ...}`` (optionally ``"patient_id"``, the date-shift
key, and ``"names"``, known names); each output line adds ``"spans"`` — ``{"start", "end",
"label"}`` offsets into the input text, labelled with the evaluation labels below — and
``"text_deid"``. This is the interface annotated evaluation sets are scored through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from bonesearch.deid.key import PseudonymKey
from bonesearch.errors import ReportFileError

#: the de-identifier's categories → the evaluation labels of the ingest issue
EVAL_LABELS = {
    "PATIENT": "PATIENT", "NOM": "STAFF", "DATE": "DATE", "TEL": "PHONE", "EMAIL": "EMAIL", "URL": "URL",
    "ID": "ID", "ADRESSE": "ADDRESS", "LIEU": "CITY", "ETABLISSEMENT": "INSTITUTION", "AGE": "AGE",
}
_BIRTH_CONTEXT = re.compile(r"(?:n[ée]e?|naissance|ddn|d\.d\.n\.?)\s*(?:le|:)?\s*$", re.IGNORECASE)


def _label(category: str, text: str, start: int) -> str:
    label = EVAL_LABELS.get(category, category)
    if label == "DATE" and _BIRTH_CONTEXT.search(text[max(0, start - 30) : start]):
        return "BIRTHDATE"
    return label


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ReportFileError(f"{path}:{number} is not valid JSON ({exc.msg}); one object per line") from None
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ReportFileError(f'{path}:{number} has no "text" string; each line needs {{"id": ..., "text": ...}}')
            yield number, record


def deidentify_jsonl(in_path: Path, out_path: Path, key: PseudonymKey, deidentifier=None) -> int:
    """De-identify every line of ``in_path`` into ``out_path``; returns the number of records."""
    from bonesearch.deid.text import ReportDeidentifier

    deid = deidentifier or ReportDeidentifier(key)
    records = list(_records(Path(in_path)))
    tmp = Path(out_path).with_name(Path(out_path).name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        for number, record in records:
            text = record["text"]
            names = [str(n) for n in record.get("names", [])]
            patient_key = str(record.get("patient_id", record.get("id", number)))
            spans = [
                {"start": d.start, "end": d.end, "label": _label(d.category, text, d.start)}
                for d in deid.detect(text, known_names=names)
            ]
            result = deid.deidentify(text, patient_key=patient_key, known_names=names)
            out.write(json.dumps({**record, "spans": spans, "text_deid": result.text}, ensure_ascii=False) + "\n")
    tmp.replace(out_path)
    return len(records)
