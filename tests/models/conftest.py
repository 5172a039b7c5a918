"""Fixtures for the model tests: offline hub, French report-like texts, a tiny model."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing in these tests may touch the network
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

_SITES = ["du radius distal", "du scaphoïde", "du col fémoral", "de la malléole externe", "de la clavicule",
          "du plateau tibial", "du cinquième métatarsien", "de l'olécrâne", "de la tête radiale"]
_PARTS = ["du poignet", "de la main", "du coude", "de l'épaule", "de la hanche", "du genou",
          "de la cheville", "du pied", "du bassin", "du rachis lombaire"]
_SIDES = ["droit", "gauche", "droite", "gauche"]
_FINDINGS = [
    "Fracture {site} sans déplacement.",
    "Trait de fracture {site}, déplacement modéré.",
    "Pas de fracture visible. Structures osseuses normales.",
    "Pincement articulaire avec ostéophytes marginaux, arthrose stade {grade} de Kellgren-Lawrence.",
    "Matériel d'ostéosynthèse par plaque vissée en place, sans démontage.",
    "Luxation postérieure de l'épaule chez [PATIENT], [AGE].",
    "Âge osseux estimé à {grade} ans, contrôle demandé par le Dr [NOM] de l'[ETABLISSEMENT].",
]


def make_reports(n: int = 50, seed: int = 0) -> list[str]:
    """``n`` French report-like texts (findings + conclusion style), deterministic."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        part, side = _PARTS[rng.integers(len(_PARTS))], _SIDES[rng.integers(len(_SIDES))]
        finding = _FINDINGS[i % len(_FINDINGS)].format(site=_SITES[rng.integers(len(_SITES))], grade=int(rng.integers(1, 5)))
        out.append(f"Radiographie {part} {side}, face et profil. {finding} Conclusion : examen de contrôle.")
    return out


@pytest.fixture(scope="session")
def reports() -> list[str]:
    """About 50 French report-like sentences."""
    return make_reports(50)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work dir shared by the session's tiny model."""
    return tmp_path_factory.mktemp("tiny")


@pytest.fixture(scope="session")
def tiny(reports: list[str], tiny_dir: Path):
    """The ``tiny`` architecture with a from-scratch text tower, seed 0 (do not train it in tests)."""
    from bonesearch.models import create_model

    return create_model("tiny", reports=reports, work_dir=tiny_dir, seed=0)


@pytest.fixture(scope="session")
def images() -> np.ndarray:
    """Six uint8 greyscale 'radiographs' [6, 96, 80] (non-square on purpose)."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:96, 0:80]
    base = np.stack([((np.sin(xx / (3 + k)) + np.cos(yy / (4 + k))) * 60 + 120) for k in range(6)])
    return np.clip(base + rng.normal(0, 10, base.shape), 0, 255).astype(np.uint8)
