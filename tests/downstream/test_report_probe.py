"""`bonesearch eval report-probe`: the finding words the reports affirm, read back from the image
embeddings by a linear probe on held-out patients — high when the vectors carry the finding, at
chance when they do not, and within body part when only anatomy is known."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from bonesearch.downstream.report_probe import probe_reports
from bonesearch.downstream.splits import is_held_out
from bonesearch.index.files import IndexManifest, build_flat_index, write_index
from bonesearch.store import Store
from cli import app
from indexer.lexical_build import sync_lexical_index
from tests.search_store import build_search_store

FRACTURE = "Radiographies du poignet. Fracture du radius distal déplacée."
DENIED = "Radiographies du poignet. Pas de fracture. Structures osseuses normales."


@pytest.fixture(scope="module")
def probed_store(tmp_path_factory):
    """80 studies, half of their reports affirming a fracture, half denying one; a lexical index."""
    built = build_search_store(tmp_path_factory.mktemp("probe"), studies=80)
    with Store.open(built.path, read_only=False) as store:
        studies = [s for (s,) in store.con.execute("SELECT study_id FROM reports ORDER BY study_id").fetchall()]
        fractured = np.random.default_rng(7).random(len(studies)) < 0.5  # independent of the body part
        for study, broken in zip(studies, fractured):
            text = FRACTURE if broken else DENIED
            store.con.execute("UPDATE sealed_reports SET text = bonesearch_seal(report_id, ?), "
                              "conclusion = bonesearch_seal(report_id, ?) WHERE study_id = ?", [text, text, study])
        sync_lexical_index(store.con, built.path / "index", rebuild=True)
        rows = store.con.execute("SELECT i.image_id, s.patient_pseudo, upper(i.body_part), r.text FROM images i "
                                 "JOIN studies s USING (study_id) JOIN reports r USING (study_id) "
                                 "ORDER BY i.image_id").fetchall()
    built.rows = rows
    assert sum(is_held_out(p, 0.2) for _, p, _, _ in rows) >= 10  # enough held-out images to score on
    return built


def _write_images(built, signal: float, anatomy: float = 0.0) -> None:
    """The image index: random unit vectors, plus ``signal`` along one axis for fracture images and
    ``anatomy`` along another per body part."""
    rng = np.random.default_rng(3)
    dim = built.clip.embed_dim
    ids = np.array([r[0] for r in built.rows], dtype=np.int64)
    x = rng.normal(size=(len(ids), dim)).astype(np.float32) / np.sqrt(dim)
    parts = sorted({r[2] for r in built.rows})
    for n, (_, _, part, text) in enumerate(built.rows):
        x[n, 0] += signal * (text == FRACTURE)
        x[n, 1 + parts.index(part) % (dim - 1)] += anatomy
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    manifest = IndexManifest(name="images", model_fingerprint=built.clip.fingerprint(), checkpoint=str(built.checkpoint),
                             dim=dim, count=len(ids))
    write_index(built.path / "index", build_flat_index(ids, x), manifest)


def test_vectors_that_carry_the_finding_are_read_back(probed_store) -> None:
    _write_images(probed_store, signal=1.0)
    probe = probe_reports(probed_store.path, min_positives=3)
    fracture = next(t for t in probe.terms if t.word == "fracture")
    assert fracture.auc > 0.9 and fracture.auc_within_part is not None and fracture.auc_within_part > 0.85
    assert fracture.test_positives >= 3 and probe.test_images + probe.train_images == len(probed_store.rows)


def test_vectors_without_the_finding_score_near_chance(probed_store) -> None:
    """The same probe on vectors that do not carry it: the check above can fail."""
    _write_images(probed_store, signal=0.0, anatomy=1.0)
    probe = probe_reports(probed_store.path, min_positives=3)
    fracture = next(t for t in probe.terms if t.word == "fracture")
    assert fracture.auc < 0.8 and (fracture.auc_within_part is None or fracture.auc_within_part < 0.8), fracture


def test_cli_prints_the_table_and_json(probed_store) -> None:
    _write_images(probed_store, signal=1.0)
    table = CliRunner().invoke(app, ["eval", "report-probe", "--store", str(probed_store.path)])
    assert table.exit_code == 0, table.output
    assert "within body part" in table.output
    result = CliRunner().invoke(app, ["eval", "report-probe", "--store", str(probed_store.path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert set(data) >= {"terms", "mean_auc", "mean_auc_within_part", "notes"}


def test_a_store_without_a_lexical_index_says_what_to_run(probed_store, tmp_path) -> None:
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(probed_store.path, copy)
    shutil.rmtree(copy / "index" / "lexical")
    result = CliRunner().invoke(app, ["eval", "report-probe", "--store", str(copy)])
    assert result.exit_code != 0 and "bonesearch index" in result.output
