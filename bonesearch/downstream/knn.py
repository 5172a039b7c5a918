"""k-nearest-neighbour classification of embeddings: the encoder's downstream measure.

Vectors are compared by cosine similarity (rows are L2-normalised here, then searched
exactly with a FAISS ``IndexFlatIP``). Two votes over the ``k`` nearest training vectors:

``weighted``
    as in DINO's kNN evaluation: neighbour ``j`` adds ``exp(sim_j / temperature)`` to the
    score of its class; the class with the highest score wins.
``majority``
    one vote per neighbour; ties go to the class whose best-ranked neighbour comes first.

NumPy in, NumPy out: ``knn_classify`` returns the predicted labels, ``knn_scores`` the
per-class scores (for AUROC or top-k accuracy). Labels are any integers; ``classes``
lists them in score-column order.
"""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np

from bonesearch.index.vectors import l2_normalise

__all__ = ["KnnResult", "knn_search", "knn_scores", "knn_classify", "DINO_TEMPERATURE"]

DINO_TEMPERATURE = 0.07  # the temperature of DINO's weighted kNN (Caron et al. 2021)
VOTES = ("weighted", "majority")


@dataclass
class KnnResult:
    """Per-class scores of every query and the class labels of the score columns."""

    scores: np.ndarray  # [n_queries, n_classes] float64: summed vote weights (majority: votes + a tie-break fraction < 1)
    classes: np.ndarray  # [n_classes] the training labels, sorted

    @property
    def predictions(self) -> np.ndarray:
        """The winning class of each query (ties go to the first column reaching the top score)."""
        return self.classes[np.argmax(self.scores, axis=1)]


def knn_search(train: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(cosine similarities [n_q, k] best first, indices into ``train`` [n_q, k]), exact search."""
    train_n, query_n = l2_normalise(train), l2_normalise(queries)
    if train_n.shape[1] != query_n.shape[1]:
        raise ValueError(f"train vectors are {train_n.shape[1]}-d but queries are {query_n.shape[1]}-d: "
                         f"embed both with the same encoder")
    if not 1 <= k <= len(train_n):
        raise ValueError(f"k={k} needs 1 <= k <= {len(train_n)} (the number of training vectors)")
    index = faiss.IndexFlatIP(train_n.shape[1])
    index.add(train_n)
    sims, idx = index.search(query_n, k)
    return sims, idx


def knn_scores(train: np.ndarray, train_labels: np.ndarray, queries: np.ndarray, k: int = 20,
               vote: str = "weighted", temperature: float = DINO_TEMPERATURE) -> KnnResult:
    """Per-class kNN scores of ``queries`` against labelled ``train`` vectors.

    Args:
        train: [n, d] training embeddings (any scale; compared by cosine).
        train_labels: [n] integer labels of ``train``.
        queries: [m, d] embeddings to classify.
        k: neighbours per query (at most ``n``).
        vote: ``"weighted"`` (exp(sim / temperature) per neighbour) or ``"majority"``
            (one per neighbour, ties broken by the best-ranked neighbour).
        temperature: of the weighted vote.
    """
    if vote not in VOTES:
        raise ValueError(f"vote {vote!r}: choose one of {', '.join(VOTES)}")
    labels = np.asarray(train_labels)
    if labels.shape != (len(train),):
        raise ValueError(f"{len(train)} training vectors but {labels.size} labels: pass one label per vector")
    classes, label_columns = np.unique(labels, return_inverse=True)
    sims, idx = knn_search(train, queries, k)
    columns = label_columns[idx]  # [m, k] score column of each neighbour
    rows = np.repeat(np.arange(len(columns)), k)
    scores = np.zeros((len(columns), len(classes)), dtype=np.float64)
    if vote == "weighted":
        np.add.at(scores, (rows, columns.ravel()), np.exp(sims.astype(np.float64) / temperature).ravel())
        return KnnResult(scores, classes)
    np.add.at(scores, (rows, columns.ravel()), 1.0)
    # ties: a fraction below one vote, larger the earlier the class's best-ranked neighbour
    first_rank = np.full(scores.shape, k, dtype=np.int64)
    np.minimum.at(first_rank, (rows, columns.ravel()), np.tile(np.arange(k), len(columns)))
    scores += np.where(scores > 0, (k - first_rank) / (k + 1), 0.0)
    return KnnResult(scores, classes)


def knn_classify(train: np.ndarray, train_labels: np.ndarray, queries: np.ndarray, k: int = 20,
                 vote: str = "weighted", temperature: float = DINO_TEMPERATURE) -> np.ndarray:
    """Predicted label of each query: see :func:`knn_scores`."""
    return knn_scores(train, train_labels, queries, k, vote, temperature).predictions
