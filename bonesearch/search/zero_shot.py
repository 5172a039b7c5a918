"""Zero-shot classification of radiographs from French label prompts.

```python
probs = zero_shot(clip, images, ["fracture", "pas de fracture"],
                  templates=["radiographie montrant {label}"])   # [N images, 2 labels]
```
Each label's embedding is the normalised mean of its prompts' text embeddings (one per
template); a probability is the softmax over labels of the model's logit scale × cosine
between image and label embeddings — the quantity the contrastive loss was trained on.
:func:`label_probabilities` is that softmax, for ``bonesearch classify`` and for the
zero-shot rows of ``bonesearch eval knn`` (:mod:`bonesearch.downstream.zero_shot`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bonesearch.errors import InvalidQuery
from bonesearch.index.vectors import l2_normalise

__all__ = ["DEFAULT_TEMPLATES", "label_embeddings", "label_probabilities", "parse_labels", "zero_shot"]

#: The label on its own: reports state findings tersely ("Fracture du radius distal.").
DEFAULT_TEMPLATES: tuple[str, ...] = ("{label}",)


def parse_labels(labels: str | Sequence[str]) -> list[str]:
    """``"fracture, pas de fracture"`` (or a list) → ``["fracture", "pas de fracture"]``; at least two, distinct."""
    items = labels.split(",") if isinstance(labels, str) else list(labels)
    parsed = list(dict.fromkeys(item.strip() for item in items if item.strip()))
    if len(parsed) < 2:
        raise InvalidQuery(f"--labels {labels!r}: give at least two distinct labels separated by commas, "
                           f"e.g. --labels \"fracture,pas de fracture\"")
    return parsed


def label_embeddings(clip, labels: Sequence[str], templates: Sequence[str] = DEFAULT_TEMPLATES) -> np.ndarray:
    """``[L, d]`` L2-normalised label embeddings: the normalised mean over ``templates``
    (each holding ``{label}``) of the prompts' text embeddings."""
    templates = list(templates) or list(DEFAULT_TEMPLATES)
    for template in templates:
        if "{label}" not in template:
            raise InvalidQuery(f"--template {template!r} has no {{label}}: write e.g. \"radiographie montrant {{label}}\"")
    prompts = [template.replace("{label}", label) for label in labels for template in templates]
    vectors = clip.encode_texts(prompts).float().cpu().numpy().reshape(len(labels), len(templates), -1).mean(axis=1)
    return l2_normalise(vectors)


def label_probabilities(clip, image_vectors: np.ndarray, label_vectors: np.ndarray) -> np.ndarray:
    """``[N, L]`` softmax over labels (rows sum to 1) of ``clip``'s logit scale × cosine.

    ``image_vectors`` ``[N, d]`` and ``label_vectors`` ``[L, d]`` are L2-normalised; the
    result has their dtype (float32 vectors give float32 probabilities).
    """
    logits = float(clip.model.logit_scale.detach().exp()) * image_vectors @ label_vectors.T
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(axis=1, keepdims=True)


def zero_shot(clip, images: np.ndarray | Sequence[np.ndarray], labels: Sequence[str],
              templates: Sequence[str] = DEFAULT_TEMPLATES) -> np.ndarray:
    """Probabilities ``[N, L]`` (rows sum to 1) of each label for each uint8 greyscale image.

    Args:
        clip: a :class:`~bonesearch.models.BoneClip`.
        images: ``[N, H, W]`` uint8, or a sequence of 2-D uint8 images (any sizes).
        labels: the classes, in French (``parse_labels`` splits a comma-separated string).
        templates: prompt templates holding ``{label}``; the label alone by default.
    """
    labels = parse_labels(labels)
    if isinstance(images, np.ndarray):
        image_vectors = clip.encode_images(images).float().cpu().numpy()
    else:  # images of different sizes: one at a time (preprocessing resizes each)
        image_vectors = np.concatenate([clip.encode_images(image[None]).float().cpu().numpy() for image in images])
    return label_probabilities(clip, image_vectors, label_embeddings(clip, labels, templates))
