"""`bonesearch deid-text`: the JSONL evaluation interface."""

from __future__ import annotations

import json
import re

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


def test_tag_mode_and_unknown_mode(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps(REPORTS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["deid-text", str(src), str(dst), "--mode", "tag"])
    assert result.exit_code == 0, result.output
    row = json.loads(dst.read_text(encoding="utf-8"))
    assert row["text_deid"].startswith("Patient : Mme <PATIENT>, née le <BIRTHDATE>. IPP <ID>. Examen du <DATE>.")
    assert "Dr <STAFF>, <INSTITUTION>. Tél <PHONE>." in row["text_deid"]
    # tags replace exactly the reported spans, in order
    labels = [s["label"] for s in row["spans"]]
    assert labels == [t[1:-1] for t in re.findall(r"<[A-Z]+>", row["text_deid"])]
    bad = CliRunner().invoke(app, ["deid-text", str(src), str(tmp_path / "x.jsonl"), "--mode", "tags"])
    said = " ".join(bad.output.replace("│", " ").split())  # typer's choice check, in a box
    assert bad.exit_code == 2 and "'tags' is not one of 'surrogate', 'tag'" in said


def test_surrogate_output_is_the_same_for_the_same_key(tmp_path):
    from bonesearch.deid.key import PseudonymKey

    key = tmp_path / "k.json"
    PseudonymKey.create().save(key)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(REPORTS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    outs = []
    for name in ("a.jsonl", "b.jsonl"):
        assert CliRunner().invoke(app, ["deid-text", str(src), str(tmp_path / name), "--key", str(key)]).exit_code == 0
        outs.append(json.loads((tmp_path / name).read_text(encoding="utf-8"))["text_deid"])
    assert outs[0] == outs[1] and "DUPONT" not in outs[0] and "Jeanne" not in outs[0]

