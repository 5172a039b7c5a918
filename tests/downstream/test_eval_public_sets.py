"""`bonesearch eval knn` on the public sets' layouts (MURA, FracAtlas, GRAZPEDWRI-DX) and zero-shot rows (issue 6)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from bonesearch.downstream import load_task_data, run_eval
from bonesearch.downstream.datasets import folder_per_class
from bonesearch.downstream.protocols import EvalConfig
from bonesearch.downstream.public_sets import StudySet, fracatlas, grazpedwri, mura, study_level_metrics, study_scores
from bonesearch.downstream.zero_shot import parse_prompts, task_prompts, zero_shot_scores
from bonesearch.errors import DatasetLayoutError, InvalidQuery
from cli import app

# (patient, study, label, images): 5 studies, 9 images
MURA_STUDIES = [("patient00001", "study1_positive", 1, 2), ("patient00002", "study1_negative", 0, 1),
                ("patient00003", "study1_positive", 1, 3), ("patient00003", "study2_negative", 0, 2),
                ("patient00004", "study1_negative", 0, 1)]


@pytest.fixture(scope="module")
def knee_pngs(shared_data):
    folder = shared_data / "knee-kl"
    if not folder.is_dir():
        pytest.skip("../shared/data/knee-kl is absent")
    return sorted((folder / "val").glob("*/*.png"))


def _mura_tree(root, pngs, split="train", studies=MURA_STUDIES, offset=0):
    """``root/MURA-v1.1`` with one split in the v1.1 layout; returns the image_paths CSV."""
    base = root / "MURA-v1.1"
    image_lines, study_lines = [], []
    n = offset
    for patient, study, label, count in studies:
        relative = f"MURA-v1.1/{split}/XR_WRIST/{patient}/{study}"
        (root / relative).mkdir(parents=True, exist_ok=True)
        study_lines.append(f"{relative}/,{label}")
        for i in range(1, count + 1):
            shutil.copy(pngs[n], root / relative / f"image{i}.png")
            image_lines.append(f"{relative}/image{i}.png")
            n += 1
    (base / f"{split}_image_paths.csv").write_text("\n".join(image_lines) + "\n")
    (base / f"{split}_labeled_studies.csv").write_text("\n".join(study_lines) + "\n")
    return base / f"{split}_image_paths.csv"


# ------------------------------------------------------------------------------------ MURA
@pytest.mark.shared_data
def test_mura_labels_come_from_the_studies(knee_pngs, tmp_path):
    csv_path = _mura_tree(tmp_path, knee_pngs)
    data = mura(tmp_path / "MURA-v1.1" / "train")
    assert isinstance(data, StudySet) and len(data) == 9
    assert list(data.labels) == ["1", "1", "0", "1", "1", "1", "0", "0", "0"]
    assert data.studies[3] == "MURA-v1.1/train/XR_WRIST/patient00003/study1_positive" and len(set(data.studies)) == 5
    assert data.paths[0] == tmp_path / "MURA-v1.1/train/XR_WRIST/patient00001/study1_positive/image1.png"
    assert mura(csv_path).ids == data.ids
    sub = data.subset([8, 0])  # subsets (label draws, --test-fraction) keep the studies
    assert isinstance(sub, StudySet) and sub.studies == [data.studies[8], data.studies[0]]
    assert load_task_data("mura", csv_path).ids == data.ids


def test_mura_study_aggregation_and_kappa_by_hand():
    studies = ["a", "a", "b", "c", "c", "c", "d", "e", "e"]
    labels = ["1", "1", "0", "1", "1", "1", "0", "0", "0"]
    scores = np.array([0.9, 0.3,  0.2,  0.1, 0.5, 0.3,  0.7,  0.6, 0.2])
    test = StudySet([], np.asarray(labels, dtype=object), [str(i) for i in range(9)], None, None, studies)
    order, means = study_scores(studies, scores)
    assert order == ["a", "b", "c", "d", "e"]
    np.testing.assert_allclose(means, [0.6, 0.2, 0.3, 0.7, 0.4])
    # truth 1,0,1,0,0 vs predicted (mean ≥ 0.5) 1,0,0,1,0: 3 of 5 agree
    # p_o = 0.6; p_e = P(both 1) + P(both 0) = (2/5)(2/5) + (3/5)(3/5) = 0.52; κ = (0.6 − 0.52) / 0.48
    metrics, ci = study_level_metrics(test, scores)
    assert metrics["accuracy"] == pytest.approx(0.6)
    assert metrics["cohen_kappa"] == pytest.approx(0.08 / 0.48)
    assert ci == {}


@pytest.mark.shared_data
def test_mura_bad_rows_are_named(knee_pngs, tmp_path):
    csv_path = _mura_tree(tmp_path, knee_pngs)
    (tmp_path / "MURA-v1.1/train/XR_WRIST/patient00002/study1_negative/image1.png").unlink()
    with pytest.raises(DatasetLayoutError, match=r"train_image_paths\.csv line 3: image .*patient00002.*image1\.png "
                                                 r"does not exist"):
        mura(csv_path)
    studies_csv = tmp_path / "MURA-v1.1" / "train_labeled_studies.csv"
    lines = studies_csv.read_text().splitlines()
    studies_csv.write_text("\n".join(lines[:1] + lines[2:]) + "\n")  # patient00002's study has no label
    with pytest.raises(DatasetLayoutError, match=r"line 3: study .*patient00002/study1_negative/ .* is not in"):
        mura(csv_path)
    studies_csv.write_text("\n".join([lines[0], lines[1].replace(",0", ",negative")] + lines[2:]) + "\n")
    with pytest.raises(DatasetLayoutError, match=r"labeled_studies\.csv line 2: .* label 0 or 1"):
        mura(csv_path)
    (tmp_path / "MURA-v1.1" / "test").mkdir()
    with pytest.raises(DatasetLayoutError, match="split 'test' is not one of train, valid"):
        mura(tmp_path / "MURA-v1.1" / "test")


# ------------------------------------------------------------------------------------ FracAtlas, GRAZPEDWRI
@pytest.mark.shared_data
def test_fracatlas_labels_and_a_misplaced_image(knee_pngs, tmp_path):
    root = tmp_path / "FracAtlas"
    for folder, names in (("Fractured", ["IMG0000019.jpg"]), ("Non_fractured", ["IMG0000000.jpg", "IMG0000001.jpg"])):
        (root / "images" / folder).mkdir(parents=True)
        for i, name in enumerate(names):
            shutil.copy(knee_pngs[i], root / "images" / folder / name)
    header = "image_id,hand,leg,hip,shoulder,mixed,hardware,multiscan,fractured,fracture_count,frontal,lateral,oblique\n"
    (root / "dataset.csv").write_text(header + "IMG0000000.jpg,1,0,0,0,0,0,0,0,0,1,0,0\n"
                                      "IMG0000019.jpg,0,1,0,0,0,0,0,1,1,1,0,0\nIMG0000001.jpg,1,0,0,0,0,0,0,0,0,0,1,0\n")
    data = load_task_data("fracatlas", root)
    assert list(data.labels) == ["0", "1", "0"] and data.ids == ["IMG0000000.jpg", "IMG0000019.jpg", "IMG0000001.jpg"]
    assert data.paths[1] == root / "images" / "Fractured" / "IMG0000019.jpg"
    (root / "dataset.csv").write_text(header + "IMG0000000.jpg,1,0,0,0,0,0,0,0,0,1,0,0\n"
                                      "IMG0000001.jpg,1,0,0,0,0,0,0,1,1,0,1,0\n")  # labelled fractured, filed as not
    with pytest.raises(DatasetLayoutError, match=r"dataset\.csv line 3: image .*Fractured.IMG0000001\.jpg does not exist"):
        fracatlas(root / "dataset.csv")
    (root / "dataset.csv").write_text(header + "IMG0000000.jpg,1,0,0,0,0,0,0,yes,0,1,0,0\n")
    with pytest.raises(DatasetLayoutError, match=r"line 2 \(IMG0000000\.jpg\): fractured 'yes' is not 0 or 1"):
        fracatlas(root)


@pytest.mark.shared_data
def test_grazpedwri_empty_label_is_no_fracture_and_bad_rows_are_named(knee_pngs, tmp_path):
    (tmp_path / "images").mkdir()
    for i, stem in enumerate(("0001_1297860395_01_WRI-L1_M014", "0001_1297860435_01_WRI-L2_M014")):
        shutil.copy(knee_pngs[i], tmp_path / "images" / f"{stem}.png")
    header = "filestem,patient_id,gender,age,fracture_visible,metal,cast\n"
    (tmp_path / "dataset.csv").write_text(header + "0001_1297860395_01_WRI-L1_M014,1,M,14.0,1.0,,\n"
                                          "0001_1297860435_01_WRI-L2_M014,1,M,14.0,,,\n")
    data = grazpedwri(tmp_path)
    assert list(data.labels) == ["1", "0"] and data.paths[1].name == "0001_1297860435_01_WRI-L2_M014.png"
    (tmp_path / "dataset.csv").write_text(header + "0001_1297860395_01_WRI-L1_M014,1,M,14.0,2,,\n")
    with pytest.raises(DatasetLayoutError, match=r"line 2 \(0001_1297860395_01_WRI-L1_M014\): fracture_visible '2'"):
        grazpedwri(tmp_path)
    (tmp_path / "dataset.csv").write_text(header + "0001_1297860395_01_WRI-L1_M014,1,M,14.0,1,,\nmissing,2,F,9,,,\n")
    with pytest.raises(DatasetLayoutError, match=r"line 3: image .*missing\.png does not exist"):
        load_task_data("grazpedwri", tmp_path / "dataset.csv")


# ------------------------------------------------------------------------------------ zero-shot
def test_prompts_are_parsed_and_checked_against_the_classes():
    assert parse_prompts("0=pas de fracture, 1=fracture") == {"0": "pas de fracture", "1": "fracture"}
    with pytest.raises(InvalidQuery, match="is not CLASS=PROMPT"):
        parse_prompts("0=pas de fracture,fracture")
    with pytest.raises(InvalidQuery, match="no prompt for 2"):
        task_prompts("classification", ["0", "1", "2"], {"0": "a", "1": "b"})
    assert task_prompts("classification", ["0", "1"], None) is None  # no default: no zero-shot row
    assert len(task_prompts("kl-grade", ["0", "1", "2", "3", "4"], None)) == 5


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    from bonesearch.models import create_model, save_checkpoint

    root = tmp_path_factory.mktemp("zs")
    texts = [f"Radiographie du genou {side}, arthrose stade {g} de Kellgren-Lawrence." for g in range(5)
             for side in ("droit", "gauche")]
    return save_checkpoint(create_model("tiny", reports=texts, work_dir=root / "work", seed=1), root / "ckpt")


@pytest.mark.shared_data
def test_zero_shot_row_is_the_argmax_of_image_prompt_similarities(knee_pngs, tiny_checkpoint, tmp_path):
    from bonesearch.downstream.encoders import checkpoint_encoder, embed_files

    knee = knee_pngs[0].parents[1]
    for split, first, last in (("train", 0, 3), ("test", 3, 7)):
        for grade in range(5):
            (tmp_path / split / str(grade)).mkdir(parents=True)
            for png in sorted((knee / str(grade)).glob("*.png"))[first:last]:
                shutil.copy(png, tmp_path / split / str(grade) / png.name)
    train, test = folder_per_class(tmp_path / "train"), folder_per_class(tmp_path / "test")
    encoder = checkpoint_encoder(tiny_checkpoint)
    prompts = {"0": "Pas d'arthrose.", "1": "Arthrose douteuse.", "2": "Gonarthrose débutante.",
               "3": "Gonarthrose évoluée.", "4": "Gonarthrose sévère."}
    config = EvalConfig(ks=(5,), fractions=(1.0,), bootstrap=0, probe=False)
    result = run_eval("kl-grade", train, test, [encoder], config, prompts=prompts)
    rows = [r for r in result["rows"] if r["protocol"] == "zero-shot"]
    assert len(rows) == 1 and rows[0]["label_fraction"] == 0.0 and rows[0]["n_train"] == 0

    # by hand: image embeddings of the tower, prompt embeddings of the text tower, argmax of the dot products
    clip = encoder.clip
    images = [np.asarray(Image.open(p).convert("L")) for p in test.paths]
    image_vectors = np.concatenate([clip.encode_images(im[None]).numpy() for im in images])
    text_vectors = clip.encode_texts(list(prompts.values())).numpy()
    by_hand = (image_vectors @ text_vectors.T).argmax(axis=1)
    scores = zero_shot_scores(clip, embed_files(encoder, test.paths), list(prompts.values()))
    np.testing.assert_array_equal(scores.argmax(axis=1), by_hand)
    truth = test.labels.astype(int)
    assert rows[0]["metrics"]["accuracy"]["mean"] == pytest.approx(float((by_hand == truth).mean()))
    assert "qwk" in rows[0]["metrics"]
    off = run_eval("kl-grade", train, test, [encoder], EvalConfig(ks=(5,), fractions=(1.0,), bootstrap=0,
                                                                   probe=False, zero_shot=False), prompts=prompts)
    assert not [r for r in off["rows"] if r["protocol"] == "zero-shot"]


@pytest.mark.shared_data
def test_cli_mura_adds_study_level_and_zero_shot_rows(knee_pngs, tiny_checkpoint, tmp_path):
    _mura_tree(tmp_path, knee_pngs, "train")
    _mura_tree(tmp_path, knee_pngs, "valid", offset=9)
    result = CliRunner().invoke(app, [
        "eval", "knn", "--task", "mura", "--data", str(tmp_path / "MURA-v1.1" / "train"),
        "--test", str(tmp_path / "MURA-v1.1" / "valid"), "--checkpoint", str(tiny_checkpoint),
        "--encoder", "checkpoint", "--encoder", "pixels", "--ks", "3", "--fractions", "1", "--bootstrap", "20",
        "--no-probe", "--prompts", "0=radiographie normale,1=fracture", "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    protocols = {(r["encoder"], r["protocol"]) for r in out["rows"]}
    assert {("checkpoint", "zero-shot"), ("checkpoint", "zero-shot-study"), ("checkpoint", "knn-weighted-study"),
            ("pixels", "knn-weighted-study")} <= protocols
    assert ("pixels", "zero-shot") not in protocols  # no text tower
    study = next(r for r in out["rows"] if r["protocol"] == "knn-weighted-study" and r["encoder"] == "pixels")
    assert set(study["metrics"]) == {"accuracy", "cohen_kappa"} and study["k"] == out["config"]["headline_k"] == 9
    assert study["metrics"]["cohen_kappa"]["ci95"][0] <= study["metrics"]["cohen_kappa"]["mean"]
    assert out["config"]["zero_shot_prompts"] == {"0": "radiographie normale", "1": "fracture"}
    assert (tmp_path / "out" / "label_efficiency.png").is_file()
    bad = CliRunner().invoke(app, ["eval", "knn", "--task", "mura", "--data", str(tmp_path / "MURA-v1.1" / "train"),
                                   "--test", str(tmp_path / "MURA-v1.1" / "valid"), "--encoder", "pixels",
                                   "--prompts", "0=a,1=b"])
    assert bad.exit_code == 2 and "needs an encoder with a text tower" in " ".join(bad.output.split())
