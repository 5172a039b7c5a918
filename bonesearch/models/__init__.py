"""Model configs, factory, tokenizer and checkpoints of the CLIP-style radiograph/report model.

Public API::

    list_models() -> list[str]
    get_model_config(name) -> dict
    create_model(name_or_cfg, *, text_source=None, reports=None, work_dir=None, seed=0,
                 init_logit_scale=None, init_logit_bias=None) -> BoneClip
    save_checkpoint(clip, out_dir, extra=None) -> Path
    load_checkpoint(path, device="cpu") -> BoneClip
    train_wordpiece_tokenizer(texts, out_dir, vocab_size=8000, min_frequency=2) -> Path
    resolve_device("auto" | "cpu" | "cuda" | "cuda:N") -> torch.device

See ``bonesearch/model_configs/*.json`` for the architectures, ``factory.py`` for the
text-tower sources (``scratch``, ``local-dir:PATH``, hub name), ``summary.py`` for what
``bonesearch models`` shows, and ``docs/models.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it. Imported on first use (PEP 562): the query side
#: imports bonesearch.models.device or .query_encoder without loading torch through this package.
_EXPORTS = {
    "BoneClip": "bonesearch.models.clip",
    "DEID_TAGS": "bonesearch.models.tokenizer",
    "create_model": "bonesearch.models.factory",
    "get_model_config": "bonesearch.models.registry",
    "list_models": "bonesearch.models.registry",
    "load_checkpoint": "bonesearch.models.checkpoint",
    "read_checkpoint_config": "bonesearch.models.checkpoint",
    "resolve_device": "bonesearch.models.device",
    "save_checkpoint": "bonesearch.models.checkpoint",
    "train_wordpiece_tokenizer": "bonesearch.models.tokenizer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
