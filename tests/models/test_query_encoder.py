"""The text tower exported by `bonesearch index` for queries (ONNX Runtime + tokenizers): the same
vectors as the model, refused when it is another model's, and a cold query that never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bonesearch.models.query_encoder import FOLDER, MIN_COSINE, QueryTextEncoder, export_query_encoder
from bonesearch.search.engine import SearchEngine
from tests.index_store import indexed_copy

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["fracture du radius distal", "FRACTURE DU RADIUS DISTAL", "pas de fracture du poignet",
           "PTH gauche", "gonarthrose stade 3 Kellgren", "genou", "Épanchement ? 🦴",
           "arrachement de la styloïde ulnaire " * 40]  # longer than the context: truncated alike


def test_exported_encoder_gives_the_models_vectors(tiny, tmp_path: Path) -> None:
    assert export_query_encoder(tiny, tmp_path, tiny.fingerprint())
    encoder = QueryTextEncoder.load(tmp_path / FOLDER, tiny.fingerprint())
    assert encoder is not None
    expected = tiny.encode_texts(QUERIES).numpy()
    for got in (encoder.encode(QUERIES), np.concatenate([encoder.encode([q]) for q in QUERIES])):
        assert got.shape == expected.shape and got.dtype == np.float32
        assert (got * expected).sum(axis=1).min() >= MIN_COSINE
        np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    info = json.loads((tmp_path / FOLDER / "encoder.json").read_text(encoding="utf-8"))
    assert info["model_fingerprint"] == tiny.fingerprint() and info["min_cosine"] >= MIN_COSINE


def test_another_models_or_a_damaged_export_is_not_used(tiny, tmp_path: Path) -> None:
    assert export_query_encoder(tiny, tmp_path, tiny.fingerprint())
    assert QueryTextEncoder.load(tmp_path / FOLDER, "0" * 16) is None  # the index was rebuilt with another model
    (tmp_path / FOLDER / "text_encoder.onnx").write_bytes(b"not a model")
    assert QueryTextEncoder.load(tmp_path / FOLDER, tiny.fingerprint()) is None  # the checkpoint answers instead
    assert QueryTextEncoder.load(tmp_path / "nowhere", tiny.fingerprint()) is None


@pytest.fixture(scope="module")
def indexed(pretrain_store, tmp_path_factory):
    return indexed_copy(pretrain_store, tmp_path_factory.mktemp("query-encoder"))


def test_index_exports_it_and_text_queries_use_it_without_loading_the_model(indexed) -> None:
    store, checkpoint, summary = indexed
    assert summary.text_encoder_exported and (store / "index" / FOLDER / "text_encoder.onnx").is_file()
    with SearchEngine.open(store) as light, SearchEngine.open(store, checkpoint=checkpoint) as full:
        assert light.text_encoder is not None and light.loaded_clip is None
        assert full.text_encoder is None and full.loaded_clip is not None
        got, want = light.encode_texts(QUERIES), full.encode_texts(QUERIES)
        assert (got * want).sum(axis=1).min() >= MIN_COSINE
        image = [(h.image_id, round(h.score, 4)) for h in light.search_text("fracture du poignet", k=8, mode="image")]
        assert image == [(h.image_id, round(h.score, 4))
                         for h in full.search_text("fracture du poignet", k=8, mode="image")]
        # an untrained tower gives every report nearly the same vector: report rankings are ties, so
        # the fused modes are checked to answer, not to agree to the last tie
        for mode in ("report", "hybrid"):
            assert len(light.search_text("fracture du poignet", k=8, mode=mode)) == 8
        assert light.loaded_clip is None
        image_id = light.search_text("genou", k=1)[0].image_id
        assert light.search_image_id(image_id, k=3)  # stored vectors: still no model
        assert light.clip.fingerprint() == summary.model_fingerprint  # loaded when asked for


def test_a_cold_query_does_not_import_torch(indexed) -> None:
    """What `bonesearch query` runs, in a fresh interpreter: torch, open_clip and transformers stay unloaded."""
    store = indexed[0]
    code = ("import sys, json; from typer.testing import CliRunner; from cli import app; "
            f"r = CliRunner().invoke(app, ['query', 'fracture du radius distal', '--store', {str(store)!r}, '--json']); "
            "print(json.dumps([r.exit_code, len(json.loads(r.stdout)), "
            "sorted(m for m in ('torch', 'open_clip', 'transformers') if m in sys.modules)]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(store.parent)})
    assert out.returncode == 0, out.stderr[-2000:]
    exit_code, hits, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert exit_code == 0 and hits > 0 and heavy == []
