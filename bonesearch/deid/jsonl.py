"""`bonesearch deid-text`: de-identify a JSONL file of reports, with the detected spans.

Each input line is ``{"id": ..., "text": ...}`` (optionally ``"patient_id"``, the date-shift
key, ``"names"``, known staff names, and ``"known"``, what the study's DICOM header says:
``{"patient": "DUPONT^JEAN", "birth_date": "1947-02-14", "ids": [...], "staff": [...],
"institution": [...], "address": [...]}``, see :class:`~bonesearch.deid.known_identity.KnownIdentity`);
each output line adds ``"spans"`` — ``{"start", "end",
"label"}`` offsets into the input text, labelled with the evaluation labels below — and
``"text_deid"``. This is the interface annotated evaluation sets are scored through. Labels
are the de-identifier's own (:data:`bonesearch.deid.text.LABELS`), so nothing is mapped here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from bonesearch.deid.key import PseudonymKey
from bonesearch.errors import ReportFileError

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


def deidentify_jsonl(in_path: Path, out_path: Path, key: PseudonymKey, deidentifier=None, *,
                     mode: str = "surrogate") -> int:
    """De-identify every line of ``in_path`` into ``out_path``; returns the number of records.

    ``mode`` ("surrogate" or "tag") picks what ``text_deid`` holds when no ``deidentifier`` is given.
    """
    from bonesearch.deid.known_identity import KnownIdentity
    from bonesearch.deid.text import DeidRequest, ReportDeidentifier

    deid = deidentifier or ReportDeidentifier(key, mode=mode)
    records = list(_records(Path(in_path)))
    tmp = Path(out_path).with_name(Path(out_path).name + ".tmp")
    requests = [DeidRequest(record["text"], str(record.get("patient_id", record.get("id", number))),
                            [str(n) for n in record.get("names", [])],
                            known=KnownIdentity.from_json(record.get("known"), f"{in_path}:{number}"))
                for number, record in records]
    with open(tmp, "w", encoding="utf-8") as out:
        for (_, record), (detections, result) in zip(records, deid.analyze_many(requests)):
            spans = [{"start": d.start, "end": d.end, "label": d.category} for d in detections]
            out.write(json.dumps({**record, "spans": spans, "text_deid": result.text}, ensure_ascii=False) + "\n")
    tmp.replace(out_path)
    return len(records)
