"""`bonesearch deid-text`: the JSONL evaluation interface."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli import app

REPORTS = [
    {"id": "r1", "text": "Patient : Mme Jeanne DUPONT, née le 12/03/1958. IPP 00451234. Examen du 3 mars 2024.\n"
                         "Conclusion : fracture de Pouteau-Colles. Dr Paul Martin, CHU de Lyon. Tél 04 78 12 34 56."},
    {"id": "r2", "text": "Résultats : gonarthrose stade III de Kellgren-Lawrence. Contact : imagerie@clinique-exemple.fr",
     "patient_id": "P2"},
]


def test_spans_labels_and_text(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in REPORTS), encoding="utf-8")
    result = CliRunner().invoke(app, ["deid-text", str(src), str(dst)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["r1", "r2"]
    first = rows[0]
    found = {first["text"][s["start"]:s["end"]]: s["label"] for s in first["spans"]}
    assert found["Jeanne DUPONT"] == "PATIENT"
    assert found["12/03/1958"] == "BIRTHDATE"
    assert found["3 mars 2024"] == "DATE"
    assert found["00451234"] == "ID" and found["Paul Martin"] == "STAFF"
    assert found["CHU de Lyon"] == "INSTITUTION" and found["04 78 12 34 56"] == "PHONE"
    for phi in found:
        assert phi not in first["text_deid"]
    assert "Pouteau-Colles" in first["text_deid"]
    second = rows[1]
    assert [s["label"] for s in second["spans"]] == ["EMAIL"]
    assert "Kellgren-Lawrence" in second["text_deid"]


def test_bad_line_is_named(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "ok"}\n{"id": 2}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["deid-text", str(src), str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2 and "in.jsonl:2" in result.output and '"text"' in result.output
    assert not (tmp_path / "out.jsonl").exists()
