"""Did the image encoder learn findings, not only anatomy? A linear probe on the store's own reports.

No annotation is needed: the targets are the finding words each study's report **affirms**
(the words of ``bonesearch/search/data/findings_fr.txt``, after the reports' negation: « pas
de fracture » is no fracture), as the lexical index holds them. For every finding word that
enough studies affirm, a logistic regression reads the image embeddings of training patients
and is scored (ROC AUC) on the images of held-out patients (the split pretraining uses).

Anatomy alone predicts many findings (arthrosis lives in knees and hips, osteosynthesis in
long bones), so each word is also scored **within body part**: the AUC among images of one
header body part, averaged over body parts weighted by their positives. An encoder that only
knows anatomy scores about 0.5 there; one that sees the plate or the fracture line, more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bonesearch.downstream.splits import is_held_out

#: a finding word is probed when at least this many training images, and this many held-out ones, affirm it
MIN_POSITIVES = 5


@dataclass(frozen=True)
class TermProbe:
    """One finding word's probe."""

    word: str  # as the findings list writes it
    train_positives: int
    test_positives: int
    auc: float
    auc_within_part: float | None  # None: no body part has both classes among held-out images


@dataclass
class ReportProbe:
    """The probes of a store's image index, and what was left out."""

    terms: list[TermProbe]
    train_images: int
    test_images: int
    notes: list[str] = field(default_factory=list)

    @property
    def mean_auc(self) -> float | None:
        return float(np.mean([t.auc for t in self.terms])) if self.terms else None

    @property
    def mean_auc_within_part(self) -> float | None:
        values = [t.auc_within_part for t in self.terms if t.auc_within_part is not None]
        return float(np.mean(values)) if values else None


def affirmed_findings(store) -> dict[int, set[str]]:
    """study id → the analysed finding words its report(s) affirm (from the lexical index)."""
    from bonesearch.errors import IndexNotFound
    from bonesearch.index.lexical import LEXICAL_DIR, LexicalIndex, analyse
    from bonesearch.search.query_text import finding_terms

    lexical = LexicalIndex.open(store.index_dir / LEXICAL_DIR)
    if lexical is None:
        raise IndexNotFound(f"{store.path} has no lexical index: run `bonesearch index --store {store.path} "
                            f"--checkpoint CKPT` (it holds the reports' affirmed words the probe reads)")
    findings = finding_terms()
    study_of = dict(store.con.execute("SELECT report_id, study_id FROM reports").fetchall())
    found: dict[int, set[str]] = {}
    for doc in lexical.documents():
        if doc.report_id in study_of:
            found.setdefault(int(study_of[doc.report_id]), set()).update(set(analyse(doc.affirmed)) & findings)
    return found


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores))


def probe_reports(store_path: Path, held_out_fraction: float = 0.2, seed: int = 0,
                  min_positives: int = MIN_POSITIVES) -> ReportProbe:
    """Probe the store's image index for each finding word its reports affirm (see the module docstring)."""
    from sklearn.linear_model import LogisticRegression

    from bonesearch.index.backends import index_ids, reconstruct
    from bonesearch.index.files import read_index
    from bonesearch.search.query_text import finding_words
    from bonesearch.store import Store

    with Store.open(store_path) as store:
        findings = affirmed_findings(store)
        rows = store.con.execute("SELECT i.image_id, i.study_id, s.patient_pseudo, upper(coalesce(i.body_part, ''))"
                                 " FROM images i JOIN studies s USING (study_id) ORDER BY i.image_id").fetchall()
        index, _ = read_index(store.index_dir, "images")
    indexed = set(index_ids(index).tolist())
    rows = [r for r in rows if int(r[1]) in findings and int(r[0]) in indexed]  # images with a report, embedded
    if not rows:
        return ReportProbe([], 0, 0, [f"no embedded image of {store_path} has a report: nothing to probe"])
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    x = reconstruct(index, ids)
    test = np.array([is_held_out(r[2], held_out_fraction, seed) for r in rows])
    parts = np.array([r[3] for r in rows])
    words = sorted({w for r in rows for w in findings[int(r[1])]})
    names = finding_words()
    probes, skipped = [], []
    for word in words:
        y = np.array([word in findings[int(r[1])] for r in rows])
        train_pos, test_pos = int(y[~test].sum()), int(y[test].sum())
        if min(train_pos, test_pos) < min_positives or (~y[test]).sum() < min_positives:
            skipped.append(names.get(word, word))
            continue
        model = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(x[~test], y[~test])
        scores = model.decision_function(x[test])
        within, weights = [], []
        for part in np.unique(parts[test]):
            inside = parts[test] == part
            positives = int(y[test][inside].sum())
            if positives and positives < inside.sum():
                within.append(_auc(y[test][inside], scores[inside]))
                weights.append(positives)
        probes.append(TermProbe(names.get(word, word), train_pos, test_pos, _auc(y[test], scores),
                                float(np.average(within, weights=weights)) if within else None))
    notes = [f"{len(skipped)} finding words affirmed by fewer than {min_positives} training or held-out images: "
             f"left out ({', '.join(skipped)})"] if skipped else []
    probes.sort(key=lambda t: -t.test_positives)
    return ReportProbe(probes, int((~test).sum()), int(test.sum()), notes)
