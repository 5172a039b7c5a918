"""The phantom radiographs carry their labels in the pixels."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from bonesearch.demo.anatomy_upper import CARPALS
from bonesearch.demo.phantoms import BODY_PARTS, VIEWS, PhantomParams, render_phantom

FRACTURE_SITES = {
    "distal_radius": "wrist", "scaphoid": "wrist", "metacarpal": "hand", "phalanx": "hand",
    "radial_head": "elbow", "olecranon": "elbow", "humeral_neck": "shoulder", "clavicle": "shoulder",
    "femoral_neck": "hip", "tibial_plateau": "knee", "malleolus": "ankle", "metatarsal": "foot",
    "calcaneus": "foot", "vertebral_body": "spine", "forearm_shaft": "forearm", "tibial_shaft": "leg",
}


def _small(img: np.ndarray, size: int = 64) -> np.ndarray:
    im = Image.fromarray((img * 255).astype(np.uint8)).resize((size, size), Image.BILINEAR)
    return np.asarray(im, dtype=np.float32) / 255.0


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel() - a.mean(), b.ravel() - b.mean()
    return float((a @ b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))


def test_render_is_deterministic_and_sized() -> None:
    p = PhantomParams("hand", view="PA", side="L", long_side=480, seed=7)
    a, b = render_phantom(p), render_phantom(p)
    assert np.array_equal(a.image, b.image)
    assert max(a.image.shape) == 480
    assert a.image.dtype == np.float32 and 0.0 <= a.image.min() and a.image.max() <= 1.0
    c = render_phantom(dataclasses.replace(p, seed=8))
    assert not np.array_equal(a.image, c.image)


@pytest.mark.parametrize("part", BODY_PARTS)
def test_every_part_and_view_renders(part: str) -> None:
    for view in VIEWS[part]:
        side = "" if part in ("pelvis", "spine") else "R"
        ph = render_phantom(PhantomParams(part, view=view, side=side, long_side=384, seed=1))
        assert ph.image.std() > 0.05, (part, view)


def test_body_part_silhouettes_differ() -> None:
    """Same part (different seeds) correlates more than different parts, at 64 px."""
    imgs = {part: [_small(render_phantom(PhantomParams(part, view=VIEWS[part][0], side="R",
                                                       long_side=384, seed=s)).image)
                   for s in (11, 12)] for part in BODY_PARTS}
    same = np.mean([_corr(*imgs[p]) for p in BODY_PARTS])
    diff = np.mean([_corr(imgs[p][0], imgs[q][1]) for i, p in enumerate(BODY_PARTS)
                    for q in BODY_PARTS[i + 1:]])
    assert same > diff + 0.2, (same, diff)
    for p in BODY_PARTS:  # each part is closer to itself than to the average other part
        others = np.mean([_corr(imgs[p][0], imgs[q][1]) for q in BODY_PARTS if q != p])
        assert _corr(*imgs[p]) > others, p


def test_laterality_mirrors_the_image() -> None:
    base = PhantomParams("knee", view="AP", side="R", seed=3, noise=False, jitter=False, marker=False)
    r = render_phantom(base)
    l = render_phantom(dataclasses.replace(base, side="L"))
    assert np.allclose(r.image[:, ::-1], l.image, atol=1e-6)


@pytest.mark.parametrize("site,part", sorted(FRACTURE_SITES.items()))
def test_fracture_changes_pixels_at_the_site_only(site: str, part: str) -> None:
    view = "LAT" if site in ("calcaneus", "olecranon") else VIEWS[part][0]
    base = PhantomParams(part, view=view, side="R", site=site, long_side=512, seed=21)
    normal = render_phantom(base)
    frac = render_phantom(dataclasses.replace(base, finding="fracture"))
    x, y = frac.landmarks[site]
    h, w = frac.image.shape
    yy, xx = np.mgrid[0:h, 0:w]
    dist = np.hypot(xx - x, yy - y)
    diff = np.abs(frac.image - normal.image)
    near = diff[dist < 0.04 * w]
    assert near.mean() > 0.008 and near.max() > 0.15, (site, near.mean(), near.max())
    assert diff[dist > 0.35 * w].max() < 1e-6, site  # nothing changes far from the site


def _medial_column(kl: int) -> np.ndarray:
    """Bone attenuation along the image column through the medial femoro-tibial joint."""
    p = PhantomParams("knee", view="AP", side="R", finding="osteoarthritis" if kl else "normal",
                      kl_grade=kl, long_side=600, seed=5, noise=False, jitter=False, marker=False)
    ph = render_phantom(p)
    x, y = ph.landmarks["medial_joint"]
    return ph.bone[int(y) - 40:int(y) + 40, int(round(x))]


def test_kl_grade_narrows_the_joint_space() -> None:
    cols = [_medial_column(k) for k in range(5)]
    thr = 0.25 * cols[0].max()  # "no bone" relative to the healthy knee
    gaps = [int((c < thr).sum()) for c in cols]
    assert all(a > b for a, b in zip(gaps, gaps[1:])), gaps
    assert gaps[0] >= 10


def test_osteosynthesis_metal_is_brightest() -> None:
    base = PhantomParams("ankle", view="AP", side="L", long_side=400, seed=2)
    normal = render_phantom(base).image
    metal = render_phantom(dataclasses.replace(base, finding="osteosynthesis", hardware="plate")).image
    assert (metal > 0.93).sum() > 200 and (normal > 0.93).sum() < (metal > 0.93).sum() / 4


def test_bone_age_adds_carpal_ossification() -> None:
    def carpal_bone(age: float) -> float:
        p = PhantomParams("hand", view="PA", side="R", finding="bone_age", age_years=age,
                          long_side=500, seed=4, noise=False, jitter=False, marker=False)
        ph = render_phantom(p)
        h, w = ph.bone.shape
        return float(ph.bone[int(0.74 * h):int(0.86 * h), int(0.3 * w):int(0.7 * w)].sum())

    values = [carpal_bone(a) for a in (2.5, 6.0, 11.0, 16.0)]
    assert all(a < b for a, b in zip(values, values[1:])), values
    assert sum(1 for v in CARPALS.values() if v[5] < 2.5) < sum(1 for v in CARPALS.values() if v[5] < 11)


def test_burned_pixels_do_not_leak_between_calls() -> None:
    """text masks are cached: stamping must not modify the cache."""
    from bonesearch.demo.phantom_core import stamp, text_mask

    m = text_mask("DUPONT", 20).copy()
    img = np.zeros((60, 200), np.float32)
    stamp(img, text_mask("DUPONT", 20), 5, 5, 0.9, mode="over")
    assert np.array_equal(m, text_mask("DUPONT", 20)) and img.max() > 0.5
