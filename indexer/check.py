"""`bonesearch check STORE`: do DuckDB, the FAISS indexes and the pixel cache agree?

Read-only. Each problem comes with the command that fixes it:

* an interrupted ``forget`` (its journal is there) or index write (commit journal);
* every index present with its manifest; manifest count = FAISS ``ntotal``, dimension = ``d``;
* all indexes built by the same model (fingerprint);
* ids: every ``images.image_id`` in the images index and no other id; the same for studies
  that have images (``studies``) and reports (``reports``);
* study vectors = normalised mean of their images' stored vectors (exact indexes);
* every ``images.pixel_path`` exists, and no cached PNG lacks its row;
* every report has its key (``STORE/keys/``); keys of no report and erasures awaiting their
  database rewrite (``forget --purge``) are noted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bonesearch.errors import IndexDamaged
from bonesearch.report_keys import KEYS_DIR, ReportKeys
from bonesearch.store import Store
from bonesearch.index.backends import index_ids, is_exact, reconstruct
from bonesearch.index.files import INDEX_NAMES, finish_pending_commit, read_index
from indexer.embed import study_vectors
from indexer.forget import JOURNAL, pending_purge
from indexer.index_update import StoreSnapshot

EXAMPLES = 5  # ids listed per problem
STUDY_VECTOR_TOLERANCE = 1e-3  # 1 - cosine between a stored study vector and its recomputed mean


@dataclass
class Problem:
    """One disagreement and the command that fixes it."""

    what: str
    fix: str


@dataclass
class CheckReport:
    """The outcome of :func:`check_store`."""

    store: Path
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs made while reading (not problems)
    counts: dict[str, int] = field(default_factory=dict)  # rows and vectors, by name

    @property
    def ok(self) -> bool:
        """True when nothing disagrees."""
        return not self.problems


def check_store(store_path: Path) -> CheckReport:
    """Compare the store's DuckDB rows, FAISS indexes and cached pixels.

    Writes nothing, except what every reader of the indexes does: finish an index write
    interrupted after its commit point (reported in ``notes``).
    """
    store_path = Path(store_path)
    report = CheckReport(store_path)
    with Store.open(store_path) as store:
        snapshot = StoreSnapshot.read(store)
        pixel_paths = [p for (p,) in store.con.execute("SELECT pixel_path FROM images").fetchall()]
    report.counts.update(images=len(snapshot.image_ids), studies=len(snapshot.study_ids), reports=len(snapshot.report_ids))
    if (store_path / JOURNAL).is_file():
        report.problems.append(Problem("an interrupted `forget` has not finished erasing its patient or study",
                                       f"bonesearch forget --store {store_path} --resume"))
    _check_pixels(store_path, pixel_paths, report)
    _check_report_keys(store_path, snapshot.report_ids, report)
    _check_indexes(store_path, snapshot, report)
    return report


def _check_report_keys(store_path: Path, report_ids: np.ndarray, report: CheckReport) -> None:
    keys = ReportKeys(store_path).report_ids()
    missing = np.setdiff1d(report_ids, keys)
    if len(missing):
        report.problems.append(Problem(
            f"{len(missing)} reports have no key in {store_path / KEYS_DIR}: their text cannot be read "
            f"(report ids {_examples(missing.tolist())})",
            f"restore {store_path / KEYS_DIR} from the store's backup; failing that, erase those studies "
            f"(`bonesearch forget --study UID`) and ingest their reports again",
        ))
    orphans = np.setdiff1d(keys, report_ids)
    if len(orphans):
        report.notes.append(f"{len(orphans)} keys belong to no report (an interrupted ingest): "
                            f"`bonesearch forget --store {store_path} --purge` deletes them")
    erasures, since = pending_purge(store_path)
    if erasures:
        report.notes.append(f"{erasures} erasure(s) since {since} await the database rewrite that removes their rows' "
                            f"bytes from the file: run `bonesearch forget --store {store_path} --purge`")


def _check_pixels(store_path: Path, pixel_paths: list[str], report: CheckReport) -> None:
    missing = [p for p in pixel_paths if not (store_path / p).is_file()]
    if missing:
        report.problems.append(Problem(
            f"{len(missing)} images have no cached pixels ({_examples(missing)})",
            f"restore {store_path / 'pixels'} from a backup, or erase those studies with `bonesearch forget --study UID`",
        ))
    known = {Path(p).name for p in pixel_paths}
    pixels_dir = store_path / "pixels"
    orphans = sorted(p.name for p in pixels_dir.iterdir() if p.name not in known) if pixels_dir.is_dir() else []
    if orphans:
        report.problems.append(Problem(
            f"{len(orphans)} files in {pixels_dir} belong to no image row ({_examples(orphans)})",
            f"delete them (leftovers of an interrupted ingest or forget): rm {pixels_dir}/{{{','.join(orphans[:EXAMPLES])}"
            f"{',…' if len(orphans) > EXAMPLES else ''}}}",
        ))


def _check_indexes(store_path: Path, snapshot: StoreSnapshot, report: CheckReport) -> None:
    index_dir = store_path / "index"
    if finish_pending_commit(index_dir):
        report.notes.append("an index write interrupted after its commit point was finished")
    present = [n for n in INDEX_NAMES if (index_dir / f"{n}.json").is_file() or (index_dir / f"{n}.faiss").is_file()]
    if not present:
        if len(snapshot.image_ids):
            report.problems.append(Problem("the store has no index", f"bonesearch index --store {store_path} --checkpoint CKPT"))
        return
    loaded: dict[str, tuple] = {}
    for name in INDEX_NAMES:
        if (index_dir / f"{name}.json").is_file() and (index_dir / f"{name}.faiss").is_file():
            loaded[name] = read_index(index_dir, name)
    checkpoint = next((m.checkpoint for _, m in loaded.values()), "CKPT")
    rebuild = f"rebuild the indexes: bonesearch index --store {store_path} --checkpoint {checkpoint} (without --update)"
    update = f"bonesearch index --store {store_path} --checkpoint {checkpoint} --update"
    for name in INDEX_NAMES:
        if name not in loaded:
            report.problems.append(Problem(f"the {name} index or its manifest is missing", update if name != "images" else rebuild))
            continue
        index, manifest = loaded[name]
        report.counts[f"{name} vectors"] = int(index.ntotal)
        if manifest.count != index.ntotal or manifest.dim != index.d:
            report.problems.append(Problem(
                f"{name}.json says {manifest.count} vectors of dimension {manifest.dim}, {name}.faiss holds "
                f"{index.ntotal} of dimension {index.d}", rebuild))
    fingerprints = {m.model_fingerprint for _, m in loaded.values()}
    if len(fingerprints) > 1:
        detail = ", ".join(f"{n}: {m.model_fingerprint}" for n, (_, m) in loaded.items())
        report.problems.append(Problem(f"the indexes were built by different models ({detail})", rebuild))
    expected = {"images": snapshot.image_ids, "studies": snapshot.study_ids, "reports": snapshot.report_ids}
    for name, (index, _) in loaded.items():
        _compare_ids(name, index_ids(index), expected[name], update, report)
    if "images" in loaded and "studies" in loaded:
        _check_study_vectors(snapshot, loaded["images"][0], loaded["studies"][0], rebuild, report)
    _check_lexical(index_dir, snapshot, update, report)


def _check_lexical(index_dir: Path, snapshot: StoreSnapshot, fix: str, report: CheckReport) -> None:
    """The lexical index holds one document per report, no more (a store indexed before it existed has none)."""
    from bonesearch.index.lexical import LEXICAL_DIR, LexicalIndex

    try:
        lexical = LexicalIndex.open(index_dir / LEXICAL_DIR)
    except IndexDamaged as exc:  # a damaged folder or layout file
        report.problems.append(Problem(str(exc), fix.replace(" --update", "")))
        return
    if lexical is None:
        if len(snapshot.report_ids):
            report.problems.append(Problem("the store has reports but no lexical index (indexed by an older version)",
                                           fix))
        return
    ids = lexical.report_ids()
    report.counts["lexical reports"] = int(len(ids))
    _compare_ids("lexical", ids, snapshot.report_ids, fix, report)


def _compare_ids(name: str, in_index: np.ndarray, in_db: np.ndarray, fix: str, report: CheckReport) -> None:
    table = {"images": "images", "studies": "studies with images", "reports": "reports", "lexical": "reports"}[name]
    entry = "document" if name == "lexical" else "vector"
    only_db = np.setdiff1d(in_db, in_index)
    only_index = np.setdiff1d(in_index, in_db)
    if len(only_db):
        report.problems.append(Problem(f"{len(only_db)} {table} in DuckDB have no {entry} in the {name} index "
                                       f"(ids {_examples(only_db.tolist())})", fix))
    if len(only_index):
        report.problems.append(Problem(f"{len(only_index)} {entry}s of the {name} index have no row in DuckDB "
                                       f"(ids {_examples(only_index.tolist())})", fix))
    if len(np.unique(in_index)) != len(in_index):
        report.problems.append(Problem(f"the {name} index holds some ids twice", fix.replace(" --update", "")))


def _check_study_vectors(snapshot: StoreSnapshot, images, studies, fix: str, report: CheckReport) -> None:
    """Study vectors = normalised mean of their images' vectors (checked where both indexes are exact)."""
    if not (is_exact(images) and is_exact(studies)):
        return
    image_ids = np.intersect1d(snapshot.image_ids, index_ids(images))
    study_ids = np.intersect1d(snapshot.study_ids, index_ids(studies))
    if not len(image_ids) or not len(study_ids):
        return
    computed_ids, computed = study_vectors(image_ids, reconstruct(images, image_ids), snapshot.study_of)
    keep = np.isin(computed_ids, study_ids)
    stored = reconstruct(studies, computed_ids[keep])
    drift = 1.0 - np.einsum("ij,ij->i", stored, computed[keep])
    stale = computed_ids[keep][drift > STUDY_VECTOR_TOLERANCE]
    if len(stale):
        report.problems.append(Problem(
            f"{len(stale)} study vectors are not the mean of their images' vectors (study ids {_examples(stale.tolist())})",
            fix))


def _examples(values: list) -> str:
    shown = ", ".join(str(v) for v in values[:EXAMPLES])
    return shown + (", …" if len(values) > EXAMPLES else "")
