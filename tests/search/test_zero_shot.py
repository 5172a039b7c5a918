"""Zero-shot classification: softmax of logit scale × cosine to French label prompts."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from bonesearch.errors import InvalidQuery
from bonesearch.imaging.pixel_cache import load_png
from bonesearch.search.zero_shot import label_embeddings, parse_labels, zero_shot
from cli import app
from tests.search_store import build_search_store

runner = CliRunner()
LABELS = ["fracture", "pas de fracture", "luxation"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_search_store(tmp_path_factory.mktemp("zero"), studies=6)


@pytest.fixture(scope="module")
def images(built):
    return np.stack([load_png(p) for p in sorted((built.path / "pixels").glob("*.png"))[:5]])


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_probabilities_are_the_softmax_of_scaled_cosines(built, images):
    clip = built.clip
    with torch.no_grad():
        clip.model.logit_scale.fill_(np.log(30.0))  # a trained-like temperature: probabilities far from uniform
    image_vectors = clip.encode_images(images).numpy()
    text_vectors = clip.encode_texts(LABELS).numpy()
    probs = zero_shot(clip, images, LABELS)
    assert probs.shape == (5, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(probs, _softmax(30.0 * image_vectors @ text_vectors.T), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(zero_shot(clip, list(images), LABELS), probs, rtol=1e-4, atol=1e-6)  # a list of images


def test_eval_zero_shot_scores_are_the_classify_probabilities(built, images):
    from bonesearch.downstream.zero_shot import zero_shot_scores

    clip = built.clip
    scores = zero_shot_scores(clip, clip.encode_images(images).numpy(), LABELS)  # eval knn's zero-shot rows
    assert scores.dtype == np.float64
    np.testing.assert_allclose(scores, zero_shot(clip, images, LABELS), rtol=1e-4, atol=1e-6)


def test_templates_average_the_prompt_embeddings(built):
    clip = built.clip
    templates = ["{label}", "radiographie montrant {label}"]
    got = label_embeddings(clip, ["fracture", "luxation"], templates)
    for row, label in zip(got, ["fracture", "luxation"]):
        mean = clip.encode_texts([label, f"radiographie montrant {label}"]).numpy().mean(axis=0)
        np.testing.assert_allclose(row, mean / np.linalg.norm(mean), rtol=1e-5, atol=1e-6)
    assert not np.allclose(got, label_embeddings(clip, ["fracture", "luxation"]))


def test_labels_ignore_case_and_accents(built, images):
    a = zero_shot(built.clip, images, ["FRACTURE", "Épaule luxée"])
    b = zero_shot(built.clip, images, ["fracture", "epaule luxee"])
    np.testing.assert_array_equal(a, b)


def test_labels_are_parsed_and_checked():
    assert parse_labels(" fracture, pas de fracture ,, fracture") == ["fracture", "pas de fracture"]
    with pytest.raises(InvalidQuery, match="at least two"):
        parse_labels("fracture")
    with pytest.raises(InvalidQuery, match="has no {label}"):
        label_embeddings(None, ["a", "b"], ["radiographie"])


def test_cli_classify_with_the_store_or_its_checkpoint(built):
    picture = sorted((built.path / "pixels").glob("*.png"))[0]
    args = ["classify", str(picture), "--labels", "fracture,pas de fracture", "--json",
            "--template", "radiographie montrant {label}"]
    by_store = runner.invoke(app, [*args, "--store", str(built.path)])
    assert by_store.exit_code == 0, by_store.output
    rows = json.loads(by_store.output)
    probs = rows[0]["probabilities"]
    assert set(probs) == {"fracture", "pas de fracture"} and abs(sum(probs.values()) - 1) < 1e-5
    assert rows[0]["label"] == max(probs, key=probs.get)
    by_checkpoint = runner.invoke(app, [*args, "--checkpoint", str(built.checkpoint)])
    assert json.loads(by_checkpoint.output) == rows
    table = runner.invoke(app, ["classify", str(picture), "--labels", "fracture,luxation", "--store", str(built.path)])
    assert table.exit_code == 0 and "pas de fracture" not in table.output and "luxation" in table.output


def test_cli_classify_bad_input(built):
    picture = str(sorted((built.path / "pixels").glob("*.png"))[0])
    one_label = runner.invoke(app, ["classify", picture, "--labels", "fracture", "--store", str(built.path)])
    assert one_label.exit_code == 2 and one_label.output.startswith("error:") and "at least two" in one_label.output
    no_model = runner.invoke(app, ["classify", picture, "--labels", "a,b"])
    assert no_model.exit_code == 2 and "--store" in no_model.output
