"""Zero-shot rows of ``bonesearch eval knn``: classify the test set from one French prompt per class.

No training label is used: each class's prompt is embedded by the checkpoint's text tower
(:func:`bonesearch.search.zero_shot.label_embeddings`), each test image's embedding (the one the
kNN protocols use) is compared by cosine, and the class of the most similar prompt is
predicted; scores are the softmax over classes of the model's logit scale × cosine
(:func:`bonesearch.search.zero_shot.label_probabilities`, as ``bonesearch classify``). The
row has the format of :meth:`bonesearch.downstream.protocols.Row.to_json` with protocol
``zero-shot``, ``k`` None and label fraction 0.

```
--prompts "0=pas d'arthrose,1=arthrose douteuse,2=gonarthrose débutante,3=gonarthrose évoluée,4=gonarthrose sévère"
```
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from bonesearch.downstream.metrics import bootstrap_ci, classification_metrics
from bonesearch.downstream.protocols import Row
from bonesearch.errors import InvalidQuery
from bonesearch.search.zero_shot import label_embeddings, label_probabilities

__all__ = ["DEFAULT_PROMPTS", "parse_prompts", "task_prompts", "zero_shot_scores", "zero_shot_row"]

_FRACTURE = {"0": "Pas de fracture.", "1": "Fracture."}
#: task → class name → prompt (the wording of the French reports the models are trained on)
DEFAULT_PROMPTS: dict[str, dict[str, str]] = {
    "kl-grade": {"0": "Pas de signe d'arthrose.", "1": "Signes très discrets de gonarthrose, douteux.",
                 "2": "Gonarthrose débutante.", "3": "Gonarthrose évoluée.", "4": "Gonarthrose sévère."},
    "mura": {"0": "Radiographie normale.", "1": "Radiographie anormale."},
    "fracatlas": _FRACTURE,
    "grazpedwri": _FRACTURE,
}


def parse_prompts(text: str) -> dict[str, str]:
    """``"0=pas d'arthrose,1=arthrose débutante"`` → ``{"0": "pas d'arthrose", "1": "arthrose débutante"}``."""
    prompts: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, prompt = item.partition("=")
        if not sep or not name.strip() or not prompt.strip():
            raise InvalidQuery(f"--prompts: {item!r} is not CLASS=PROMPT; write e.g. "
                               f"--prompts \"0=pas de fracture,1=fracture\"")
        if name.strip() in prompts:
            raise InvalidQuery(f"--prompts: class {name.strip()!r} is given twice; give one prompt per class")
        prompts[name.strip()] = prompt.strip()
    if len(prompts) < 2:
        raise InvalidQuery(f"--prompts {text!r}: give one prompt per class (at least two), "
                           f"e.g. --prompts \"0=pas de fracture,1=fracture\"")
    return prompts


def task_prompts(task: str, classes: list[str], prompts: Mapping[str, str] | None) -> list[str] | None:
    """The prompt of each class (in ``classes`` order): ``prompts``, else the task's default; None when neither.

    Raises InvalidQuery naming a class without a prompt, or a prompt for no class of the data.
    """
    chosen = prompts if prompts is not None else DEFAULT_PROMPTS.get(task)
    if chosen is None:
        return None
    missing = [c for c in classes if c not in chosen]
    unknown = [c for c in chosen if c not in classes]
    if missing or unknown:
        raise InvalidQuery(f"--prompts: classes of the data are {', '.join(classes)}; "
                           + (f"no prompt for {', '.join(missing)}" if missing else f"no class {', '.join(unknown)}")
                           + " — give one CLASS=PROMPT per class")
    return [chosen[c] for c in classes]


def zero_shot_scores(clip, image_vectors: np.ndarray, prompts: list[str]) -> np.ndarray:
    """[n, C] softmax(logit scale × cosine) of L2-normalised image embeddings against each class prompt (float64)."""
    prompt_vectors = label_embeddings(clip, prompts).astype(np.float64)
    return label_probabilities(clip, np.asarray(image_vectors, dtype=np.float64), prompt_vectors)


def zero_shot_row(encoder: str, scores: np.ndarray, y_test: np.ndarray, ordinal: bool, bootstrap: int) -> Row:
    """The ``zero-shot`` row of an encoder from its class scores [n, C] and the test class indices."""
    pred = scores.argmax(axis=1)

    def measure(index: np.ndarray) -> dict[str, float]:
        return classification_metrics(y_test[index], pred[index], scores[index], ordinal=ordinal)

    mean = measure(np.arange(len(y_test)))
    return Row(encoder, "zero-shot", None, 0.0, 0, 1, mean, {name: 0.0 for name in mean},
               bootstrap_ci(measure, len(y_test), bootstrap, seed=0))
