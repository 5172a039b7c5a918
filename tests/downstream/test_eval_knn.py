"""`bonesearch eval knn` (issue 6): adapters, pixels encoder + cache, protocols against scikit-learn and NumPy, CLI."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from typer.testing import CliRunner

from bonesearch.downstream import load_task_data, train_test
from bonesearch.downstream.datasets import folder_per_class, path_label_csv, rsna_bone_age, split_by_id
from bonesearch.downstream.encoders import EmbeddingCache, PixelEncoder, embed_files
from bonesearch.downstream.metrics import bootstrap_ci, classification_metrics
from bonesearch.downstream.protocols import EvalConfig, evaluate, knn_regress, label_subset
from bonesearch.errors import DatasetLayoutError
from cli import app

TEMPERATURE = 0.07


def _shared_folder(shared_data, name):
    folder = shared_data / name
    if not folder.is_dir():
        pytest.skip(f"../shared/data/{name} is absent")
    return folder


@pytest.fixture(scope="module")
def knee(shared_data):
    return _shared_folder(shared_data, "knee-kl")


@pytest.fixture(scope="module")
def boneage(shared_data):
    return _shared_folder(shared_data, "boneage")


def _spread(data, n):
    """``n`` items spread evenly over a class-sorted set (so every grade keeps its share)."""
    return data.subset(np.unique(np.linspace(0, len(data) - 1, n).round().astype(int)))


# ------------------------------------------------------------------------------------ kNN vs sklearn
@pytest.mark.shared_data
def test_pixels_knn_accuracy_matches_sklearn_on_knee(knee):
    train = _spread(folder_per_class(knee / "train"), 400)
    test = _spread(folder_per_class(knee / "val"), 200)
    encoder = PixelEncoder()
    train_x, test_x = embed_files(encoder, train.paths), embed_files(encoder, test.paths)
    assert train_x.shape == (400, 32 * 32) and np.allclose(np.linalg.norm(train_x, axis=1), 1.0, atol=1e-5)
    config = EvalConfig(ks=(10, 20), fractions=(1.0,), bootstrap=0, probe=False, ordinal=True)
    rows = {(r.protocol, r.k): r.mean for r in evaluate(train_x, train, test_x, test, config, "pixels")}
    y_train, y_test = train.labels.astype(int), test.labels.astype(int)
    for k in (10, 20):
        for protocol, weights in (("knn-majority", "uniform"),
                                  ("knn-weighted", lambda d: np.exp((1.0 - d) / TEMPERATURE))):  # cosine d = 1 − sim
            ref = KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute", weights=weights)
            ref_acc = float((ref.fit(train_x, y_train).predict(test_x) == y_test).mean())
            differing = round(abs(rows[(protocol, k)]["accuracy"] - ref_acc) * len(test))
            assert differing <= 0.01 * len(test), (protocol, k)  # within 1 point: vote ties are broken differently
    assert set(rows[("knn-weighted", 20)]) == {"accuracy", "balanced_accuracy", "macro_f1", "auroc_ovr",
                                                 "cohen_kappa", "qwk"}


# ------------------------------------------------------------------------------------ bone age
@pytest.mark.shared_data
def test_bone_age_mae_equals_numpy_weighted_knn(boneage):
    data = rsna_bone_age(boneage)
    assert len(data) == 40 and data.is_regression and data.sex.sum() == 26
    train, test = data.subset(range(30)), data.subset(range(30, 40))
    encoder = PixelEncoder()
    train_x, test_x = embed_files(encoder, train.paths), embed_files(encoder, test.paths)
    config = EvalConfig(ks=(5, 10), fractions=(1.0,), bootstrap=0, probe=False)
    rows = {(r.protocol, r.k): r.mean["mae"] for r in evaluate(train_x, train, test_x, test, config, "pixels")}

    def brute(k, same_sex):
        preds = []
        for q in range(len(test_x)):
            pool = np.flatnonzero(train.sex == test.sex[q]) if same_sex else np.arange(len(train_x))
            sims = train_x[pool] @ test_x[q]
            top = np.argsort(-sims, kind="stable")[:min(k, len(pool))]
            w = np.exp(sims[top] / TEMPERATURE)
            preds.append((w * train.labels[pool][top]).sum() / w.sum())
        return float(np.mean(np.abs(np.array(preds) - test.labels)))

    for k in (5, 10):
        assert rows[("knn-mean", k)] == pytest.approx(brute(k, False), rel=1e-6)
        assert rows[("knn-mean-same-sex", k)] == pytest.approx(brute(k, True), rel=1e-6)
    assert rows[("knn-mean", 5)] != rows[("knn-mean-same-sex", 5)]  # the variant does change the neighbours


def test_knn_regress_hand_computed():
    train = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    pred = knn_regress(train, np.array([10.0, 20.0, 99.0]), np.array([[1.0, 1.0]]), k=2, temperature=1.0)
    assert pred[0] == pytest.approx(15.0)  # two neighbours at the same similarity: plain mean


# ------------------------------------------------------------------------------------ cache
class CountingEncoder(PixelEncoder):
    calls: int = 0

    def embed(self, images):
        self.calls += len(images)
        return super().embed(images)


@pytest.mark.shared_data
def test_cache_second_run_reads_disk(knee, tmp_path):
    paths = sorted((knee / "val" / "3").glob("*.png"))[:12]
    shutil.copy(paths[0], tmp_path / "same_bytes_other_name.png")
    paths.append(tmp_path / "same_bytes_other_name.png")
    cache = EmbeddingCache(tmp_path / "cache")
    encoder = CountingEncoder()
    first = embed_files(encoder, paths, cache, batch_size=5)
    assert encoder.calls == 12  # the renamed copy was found in the cache within the run
    second = embed_files(encoder, paths, cache, batch_size=5)
    assert encoder.calls == 12
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first[0], first[-1])
    other = CountingEncoder(side=16)  # another fingerprint: not served from the 32×32 vectors
    assert embed_files(other, paths[:3], cache).shape == (3, 256) and other.calls == 3


# ------------------------------------------------------------------------------------ bad layouts
def test_empty_class_folder_is_named(tmp_path):
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "a.png").write_bytes(b"x")
    (tmp_path / "1").mkdir()
    with pytest.raises(DatasetLayoutError, match=r"class folder .*1 holds no \.png"):
        folder_per_class(tmp_path)
    with pytest.raises(DatasetLayoutError, match="no class folder"):
        folder_per_class(tmp_path / "0")


def test_csv_missing_file_names_the_row(tmp_path):
    (tmp_path / "a.png").write_bytes(b"x")
    (tmp_path / "set.csv").write_text("path,label\na.png,yes\nmissing.png,no\nalso_missing.png,no\n")
    with pytest.raises(DatasetLayoutError, match=r"set\.csv line 3: image .*missing\.png does not exist"):
        path_label_csv(tmp_path / "set.csv")
    (tmp_path / "bad.csv").write_text("file,label\na.png,yes\n")
    with pytest.raises(DatasetLayoutError, match="lacks path"):
        path_label_csv(tmp_path / "bad.csv")


def test_bone_age_bad_rows_are_named(tmp_path):
    (tmp_path / "images").mkdir()
    for i in (1, 2):
        (tmp_path / "images" / f"{i}.png").write_bytes(b"x")
    (tmp_path / "labels.csv").write_text("id,boneage,male\n1,120,True\n2,twelve,False\n3,30,True\n")
    with pytest.raises(DatasetLayoutError, match=r"line 3 \(id 2\): bone age 'twelve' is not a number"):
        rsna_bone_age(tmp_path)
    (tmp_path / "labels.csv").write_text("id,boneage,male\n1,120,True\n2,12,False\n3,30,True\n")
    with pytest.raises(DatasetLayoutError, match=r"line 4: image .*3\.png does not exist"):
        rsna_bone_age(tmp_path)


def test_unreadable_image_is_named(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(DatasetLayoutError, match="broken.png is not a readable PNG/JPEG"):
        embed_files(PixelEncoder(), [tmp_path / "broken.png"])


def test_no_test_set_says_what_to_pass(tmp_path):
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "a.png").write_bytes(b"x")
    with pytest.raises(DatasetLayoutError, match="pass --test PATH"):
        train_test("kl-grade", tmp_path, None, None)


# ------------------------------------------------------------------------------------ splits, metrics
def test_split_by_id_is_order_free_and_stratified_subsets_keep_every_class(tmp_path):
    for grade in range(3):
        (tmp_path / str(grade)).mkdir()
        for i in range(10):
            (tmp_path / str(grade) / f"{grade}_{i}.png").write_bytes(b"x")
    data = load_task_data("classification", tmp_path)
    train, test = split_by_id(data, 0.3)
    shuffled = data.subset(np.random.default_rng(0).permutation(len(data)))
    assert sorted(split_by_id(shuffled, 0.3)[1].ids) == sorted(test.ids) and len(test) == 9
    assert not set(train.ids) & set(test.ids)
    sub = label_subset(data.labels, 0.1, seed=1)
    assert sorted(data.labels[sub]) == ["0", "1", "2"]


def test_bootstrap_ci_brackets_the_estimate():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    pred = np.where(rng.random(300) < 0.7, y, rng.integers(0, 3, 300))
    point = classification_metrics(y, pred)["accuracy"]
    ci = bootstrap_ci(lambda i: classification_metrics(y[i], pred[i]), len(y), draws=200, seed=0)
    assert ci["accuracy"][0] < point < ci["accuracy"][1] and ci["accuracy"][1] - ci["accuracy"][0] < 0.2


# ------------------------------------------------------------------------------------ CLI
def _knee_tree(knee, root, per_grade=(8, 4)):
    """``root/train`` and ``root/test`` in the knee layout, copied from the real knee PNGs."""
    for split, source, n in (("train", "train", per_grade[0]), ("test", "val", per_grade[1])):
        for grade in range(5):
            (root / split / str(grade)).mkdir(parents=True)
            for png in sorted((knee / source / str(grade)).glob("*.png"))[:n]:
                shutil.copy(png, root / split / str(grade) / png.name)


@pytest.mark.shared_data
def test_cli_pixels_json_on_a_small_knee_tree(knee, tmp_path):
    _knee_tree(knee, tmp_path)
    result = CliRunner().invoke(app, [
        "eval", "knn", "--task", "kl-grade", "--data", str(tmp_path / "train"), "--test", str(tmp_path / "test"),
        "--encoder", "pixels", "--json", "--seeds", "2", "--bootstrap", "50", "--cache", str(tmp_path / "cache"),
        "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["train"]["items"] == 40 and out["test"]["class_counts"] == {str(g): 4 for g in range(5)}
    rows = {(r["protocol"], r["k"], r["label_fraction"]): r for r in out["rows"]}
    assert {k for _, k, _ in rows if k is not None} == {10, 20, 40}  # 50 and 100 capped at the 40 training items
    headline = rows[("knn-weighted", 20, 1.0)]["metrics"]
    assert 0.0 <= headline["accuracy"]["mean"] <= 1.0
    low, high = headline["qwk"]["ci95"]
    assert low <= headline["qwk"]["mean"] <= high
    assert rows[("knn-majority", 10, 0.1)]["draws"] == 2 and ("linear-probe", None, 1.0) in rows
    assert (tmp_path / "out" / "result.json").is_file() and "| pixels | knn-weighted |" in (
        tmp_path / "out" / "table.md").read_text()


def test_cli_reports_a_bad_layout_without_traceback(tmp_path):
    (tmp_path / "0").mkdir()
    result = CliRunner().invoke(app, ["eval", "knn", "--task", "kl-grade", "--data", str(tmp_path),
                                      "--test", str(tmp_path), "--encoder", "pixels"])
    assert result.exit_code == 2 and "holds no .png" in " ".join(result.output.split())


@pytest.mark.shared_data
def test_cli_compares_checkpoint_random_and_pixels_in_one_table(knee, tmp_path):
    from bonesearch.models import create_model, save_checkpoint

    texts = [f"Radiographie du genou {side}, arthrose stade {g} de Kellgren-Lawrence." for g in range(5)
             for side in ("droit", "gauche")]
    # seed 1: an untrained seed-0 model would equal the random encoder (seed 0) weight for weight
    ckpt = save_checkpoint(create_model("tiny", reports=texts, work_dir=tmp_path / "work", seed=1), tmp_path / "ckpt")
    _knee_tree(knee, tmp_path, per_grade=(4, 2))
    result = CliRunner().invoke(app, [
        "eval", "knn", "--task", "kl-grade", "--data", str(tmp_path / "train"), "--test", str(tmp_path / "test"),
        "--checkpoint", str(ckpt), "--encoder", "checkpoint", "--encoder", "random", "--encoder", "pixels",
        "--fractions", "1", "--bootstrap", "0", "--no-probe", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    fingerprints = out["encoders"]
    assert list(fingerprints) == ["checkpoint", "random", "pixels"] and len(set(fingerprints.values())) == 3
    assert {r["encoder"] for r in out["rows"]} == {"checkpoint", "random", "pixels", "baseline"}
    missing = CliRunner().invoke(app, ["eval", "knn", "--task", "kl-grade", "--data", str(tmp_path / "train"),
                                       "--test", str(tmp_path / "test"), "--encoder", "random"])
    assert missing.exit_code == 2 and "needs --checkpoint" in " ".join(missing.output.split())
