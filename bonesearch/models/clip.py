"""``BoneClip``: an open_clip ``CustomTextCLIP`` with its tokenizer, config and X-ray preprocessing.

Everything downstream (pretraining, indexing, search, evaluation) goes through this
object: ``preprocess_images`` turns uint8 radiographs into model input, ``tokenize``
turns French text into ids, ``encode_images`` / ``encode_texts`` return L2-normalised
float32 vectors (inner product = cosine), and ``fingerprint`` identifies the exact model
(architecture + tokenizer vocabulary + weights) so that an index can refuse a query
encoder that did not build it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from open_clip.model import CustomTextCLIP

__all__ = ["BoneClip", "architecture_config"]

#: Config keys that say where weights came from, not what the model is (left out of the fingerprint).
_SOURCE_KEYS_TEXT = ("source", "hf_model_name", "hf_model_pretrained")
_SOURCE_KEYS_TOP = ("description", "extra", "fingerprint", "format_version", "name")


def architecture_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` without the keys that only record sources and provenance.

    ``init_logit_bias: null`` (no bias) counts as absent, so configs written before the key
    existed keep their fingerprint; a bias value is part of the architecture. The logit
    scale and bias are compared as floats (``-10`` and ``-10.0`` are the same model).
    """
    cfg = copy.deepcopy(config)
    for key in _SOURCE_KEYS_TOP:
        cfg.pop(key, None)
    if cfg.get("init_logit_bias", 0) is None:
        del cfg["init_logit_bias"]
    for key in ("init_logit_scale", "init_logit_bias"):
        if key in cfg:
            cfg[key] = float(cfg[key])
    for key in _SOURCE_KEYS_TEXT:
        cfg.get("text_cfg", {}).pop(key, None)
    return cfg


@dataclass
class BoneClip:
    """A CLIP model for radiographs and French reports, ready to encode.

    Attributes:
        model: the open_clip ``CustomTextCLIP`` (``.visual``: timm tower, ``.text``:
            ``HFTextEncoder``); train it directly with open_clip's ``ClipLoss``.
        tokenizer: the HF tokenizer of the text tower.
        config: the resolved model config (registry JSON + where the text tower came from).
        device: where ``model`` lives.
        meta: provenance of a loaded checkpoint (``extra``, ``fingerprint`` at save time,
            ``format_version``); empty for a new model.
    """

    model: CustomTextCLIP
    tokenizer: Any
    config: dict[str, Any]
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    meta: dict[str, Any] = field(default_factory=dict)

    # ----------------------------------------------------------------- properties
    @property
    def image_size(self) -> int:
        """Side of the square model input, in pixels."""
        return int(self.config["vision_cfg"]["image_size"])

    @property
    def in_chans(self) -> int:
        """Input channels of the vision trunk (1 for radiographs; 3 replicates the grey channel)."""
        return int(self.config["vision_cfg"].get("timm_kwargs", {}).get("in_chans", 3))

    @property
    def context_length(self) -> int:
        """Longest token sequence fed to the text tower (longer texts are truncated)."""
        return int(self.config["text_cfg"]["context_length"])

    @property
    def embed_dim(self) -> int:
        """Size of the joint embedding."""
        return int(self.config["embed_dim"])

    def to(self, device: str | torch.device) -> "BoneClip":
        """Move the model to ``device`` (``"auto"`` allowed); returns self."""
        from bonesearch.models.device import resolve_device

        self.device = resolve_device(device)
        self.model.to(self.device)
        return self

    # -------------------------------------------------------------- preprocessing
    def preprocess_images(self, batch: np.ndarray | torch.Tensor) -> torch.Tensor:
        """uint8 greyscale images ``[B, H, W]`` (or ``[B, 1, H, W]``) → model input ``[B, C, S, S]``.

        Non-square images are padded with black to a square (``preprocess_cfg.pad_to_square``),
        resized to ``image_size`` (bilinear, antialiased), scaled to [0, 1] and normalised
        with the config's X-ray mean/std; with a 3-channel trunk the grey channel is
        replicated. Float input is taken as already scaled to [0, 1]. The result is float32
        on the input's device (move the uint8 batch first to preprocess on the GPU).
        """
        x = torch.as_tensor(batch)
        if x.ndim == 4 and x.shape[1] == 1:
            x = x[:, 0]
        if x.ndim != 3:
            raise ValueError(f"expected greyscale images [B, H, W], got shape {tuple(x.shape)}")
        x = x.float().div_(255.0) if x.dtype == torch.uint8 else x.float()
        x = x.unsqueeze(1)
        h, w = x.shape[-2:]
        pre = self.config["preprocess_cfg"]
        if h != w and pre.get("pad_to_square", True):
            side = max(h, w)
            top, left = (side - h) // 2, (side - w) // 2
            x = F.pad(x, (left, side - w - left, top, side - h - top), value=0.0)
        size = self.image_size
        if x.shape[-1] != size or x.shape[-2] != size:
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        mean = torch.tensor(pre["mean"], dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
        std = torch.tensor(pre["std"], dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
        if self.in_chans != 1:
            x = x.expand(-1, self.in_chans, -1, -1)
        return (x - mean) / std

    def tokenize(self, texts: list[str], *, pad_to_context: bool = False) -> torch.LongTensor:
        """Token ids ``[B, T]`` on CPU, truncated to ``context_length``.

        Padded to the longest text of the batch (the text tower masks padding, so this
        changes nothing but speed); ``pad_to_context=True`` pads to ``context_length``.
        """
        if isinstance(texts, str):
            texts = [texts]
        out = self.tokenizer(
            list(texts),
            padding="max_length" if pad_to_context else "longest",
            truncation=True,
            max_length=self.context_length,
            return_tensors="pt",
            return_token_type_ids=False,
            return_attention_mask=False,
        )
        return out["input_ids"]

    # ------------------------------------------------------------------ encoding
    def _autocast(self):
        if self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return nullcontext()

    def encode_images(self, images: np.ndarray | torch.Tensor, batch_size: int = 128) -> torch.Tensor:
        """L2-normalised float32 image embeddings ``[B, embed_dim]`` (on CPU) of uint8 images ``[B, H, W]``."""
        chunks = []
        with _eval_mode(self.model), torch.inference_mode(), self._autocast():
            for start in range(0, len(images), batch_size):
                x = torch.as_tensor(images[start : start + batch_size]).to(self.device, non_blocking=True)
                feats = self.model.encode_image(self.preprocess_images(x))
                chunks.append(F.normalize(feats.float(), dim=-1).cpu())
        if not chunks:
            return torch.empty(0, self.embed_dim)
        return torch.cat(chunks)

    def encode_texts(self, texts: list[str], batch_size: int = 256) -> torch.Tensor:
        """L2-normalised float32 text embeddings ``[B, embed_dim]`` (on CPU).

        Texts are batched by length (less padding); the output keeps the input order.
        """
        texts = [texts] if isinstance(texts, str) else list(texts)
        if not texts:
            return torch.empty(0, self.embed_dim)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = torch.empty(len(texts), self.embed_dim)
        with _eval_mode(self.model), torch.inference_mode(), self._autocast():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                ids = self.tokenize([texts[i] for i in idx]).to(self.device, non_blocking=True)
                feats = self.model.encode_text(ids)
                out[idx] = F.normalize(feats.float(), dim=-1).cpu()
        return out

    # --------------------------------------------------------------- identity
    def fingerprint(self) -> str:
        """16 hex chars of sha256 over the architecture config, the tokenizer vocabulary and
        every weight (name, dtype, shape, bytes). Stable across save/load, devices and
        source paths; changes with any weight."""
        h = hashlib.sha256()
        h.update(json.dumps(architecture_config(self.config), sort_keys=True).encode())
        vocab = sorted(self.tokenizer.get_vocab().items(), key=lambda kv: kv[1])
        h.update(json.dumps(vocab, ensure_ascii=False).encode())
        for name, tensor in sorted(self.model.state_dict().items()):
            t = tensor.detach().to("cpu").contiguous()
            h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
            h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
        return h.hexdigest()[:16]


@contextmanager
def _eval_mode(module: torch.nn.Module) -> Iterator[torch.nn.Module]:
    """Put ``module`` in eval mode for a block, then restore its training flag."""
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)
