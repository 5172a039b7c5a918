"""What each registered architecture is and how big it is, without building it for real.

``summarize_model(name)`` reads the config, builds the model on PyTorch's ``meta`` device
(parameters have shapes but no storage, so ViT-B/16 + BERT-base costs a fraction of a
second and no memory) and counts its parameters per tower. The text tower's size comes
from the config for a from-scratch BERT (``scratch_cfg``, vocabulary at its
``tokenizer_cfg.vocab_size`` cap), from ``config.json`` for a ``local-dir:`` folder, and
from the local HF cache for a hub name; a hub model that was never downloaded is not
looked up on the network, and its text count is then unknown (``None``).
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import torch

from bonesearch.errors import CheckpointError
from bonesearch.models.factory import assemble_model, parse_text_source, scratch_bert_config
from bonesearch.models.registry import get_model_config, list_models
from bonesearch.models.summary_cache import ModelSummary
from bonesearch.models.towers import build_vision_tower

__all__ = ["ModelSummary", "summarize_model", "summarize_models", "meta_model", "text_tower_config"]


def summarize_models() -> list[ModelSummary]:
    """``summarize_model`` of every registered architecture, in registry order."""
    return [summarize_model(name) for name in list_models()]


def summarize_model(name: str) -> ModelSummary:
    """Describe the registered architecture ``name`` and count its parameters on ``meta``.

    Raises UnknownModel (listing the available names) for an unknown ``name``.
    """
    cfg = get_model_config(name)
    vision, text = cfg["vision_cfg"], cfg["text_cfg"]
    hf_config = text_tower_config(cfg)
    model = meta_model(cfg, hf_config)
    params_image = _count(model.visual)
    params_text = _count(model.text) if hf_config is not None else None
    return ModelSummary(
        name=name,
        description=str(cfg.get("description", "")),
        image_tower=str(vision["timm_model_name"]),
        image_size=int(vision["image_size"]),
        in_chans=int(vision.get("timm_kwargs", {}).get("in_chans", 3)),
        text_source=str(text["source"]),
        text_tower=_text_label(text, hf_config),
        context_length=int(text["context_length"]),
        pooler=str(text.get("hf_pooler_type", "cls_last_hidden_state_pooler")),
        embed_dim=int(cfg["embed_dim"]),
        logit_bias=cfg.get("init_logit_bias"),
        params_image=params_image,
        params_text=params_text,
        params_total=_count(model) if hf_config is not None else None,
    )


def text_tower_config(cfg: dict[str, Any]) -> Any | None:
    """The HF config of ``cfg``'s default text tower, found without the network; None when
    it is a hub model absent from the local HF cache (or a missing local folder)."""
    from transformers import AutoConfig

    try:
        kind, where = parse_text_source(cfg["text_cfg"]["source"])
    except CheckpointError:  # a folder path that does not exist here
        return None
    if kind == "scratch":
        return scratch_bert_config(cfg)
    try:
        return AutoConfig.from_pretrained(where, local_files_only=True)
    except (OSError, ValueError):
        return None


def meta_model(cfg: dict[str, Any], hf_config: Any | None) -> torch.nn.Module:
    """``cfg``'s ``CustomTextCLIP`` built on the ``meta`` device (shapes, no storage) with the
    text tower of ``hf_config``; only the vision tower when ``hf_config`` is None."""
    cfg = copy.deepcopy(cfg)
    with torch.device("meta"):
        if hf_config is None:
            return _VisionOnly(build_vision_tower(int(cfg["embed_dim"]), cfg["vision_cfg"]))
        with tempfile.TemporaryDirectory(prefix="bonesearch-meta-") as tmp:
            hf_config.save_pretrained(tmp)
            return assemble_model(cfg, Path(tmp), pretrained=False)


class _VisionOnly(torch.nn.Module):
    """Holds a vision tower where the text tower cannot be known (``.visual`` as in CLIP)."""

    def __init__(self, visual: torch.nn.Module) -> None:
        super().__init__()
        self.visual = visual


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _text_label(text_cfg: dict[str, Any], hf_config: Any | None) -> str:
    source = str(text_cfg["source"])
    if source == "scratch":
        s = text_cfg["scratch_cfg"]
        return f"BERT {s['num_hidden_layers']}x{s['hidden_size']} from scratch"
    label = source
    if hf_config is None:
        return f"{label} (size unknown: not found offline)"
    layers, width = getattr(hf_config, "num_hidden_layers", "?"), getattr(hf_config, "hidden_size", "?")
    return f"{label} ({hf_config.model_type} {layers}x{width})"
