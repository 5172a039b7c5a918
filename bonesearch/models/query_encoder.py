"""The query-time text encoder: the text tower exported once to ONNX, run with ONNX Runtime + ``tokenizers``.

A text query needs the text tower, not the image tower, open_clip or transformers: importing
those (and torch) took 3.6 s of a 5.8 s cold ``bonesearch query``. ``bonesearch index``
therefore exports the model's text tower (token ids → L2-normalised embedding) next to the
indexes it builds, in ``STORE/index/text_encoder/``:

* ``text_encoder.onnx`` — the tower, with dynamic batch and length (padding is masked from
  the ids, as the tower does);
* ``tokenizer.json`` — the tower's fast tokenizer (``tokenizers`` format);
* ``encoder.json`` — the model fingerprint it was exported from, its context length and pad id,
  and the largest difference measured against the torch model at export (cosine ≥ 0.9999 or
  nothing is written).

:class:`QueryTextEncoder` loads them in ~0.1 s (ONNX Runtime and ``tokenizers`` only) and is
what :class:`bonesearch.search.engine.SearchEngine` encodes text queries with on the CPU when its
fingerprint is the index's. Without it (an index built before, a tokenizer without a fast
version, ``onnx`` missing at export), queries load the checkpoint as before.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bonesearch.models.clip import BoneClip

log = logging.getLogger(__name__)

FOLDER = "text_encoder"
MIN_COSINE = 0.9999  # the exported encoder must give the model's vectors
PROBES = ["fracture du radius distal", "Pas de fracture. Arthrose fémoro-tibiale interne stade 2.",
          "PTH gauche", "genou", "Épanchement intra-articulaire ? Contrôle à J15 " * 8]


@dataclass
class EncoderInfo:
    """``encoder.json``: what the exported encoder is."""

    model_fingerprint: str  # BoneClip.fingerprint() of the model it was exported from
    context_length: int  # tokens kept (longer text is truncated, as the model does)
    pad_id: int  # the id padding is made of (the tower masks it)
    embed_dim: int
    min_cosine: float  # the smallest cosine to the torch model's vectors on the probes, at export


def export_query_encoder(clip: "BoneClip", index_dir: Path, fingerprint: str) -> bool:
    """Export ``clip``'s text tower into ``index_dir/text_encoder`` (atomically); True when written.

    Skipped (False, with a warning in the log) when the tokenizer has no fast version, the
    export fails, or its vectors differ from the model's (cosine < ``MIN_COSINE``): the
    query side then loads the checkpoint, as before.
    """
    target = Path(index_dir) / FOLDER
    info = _read_info(target)
    if info is not None and info.model_fingerprint == fingerprint:
        return True  # already this model's
    backend = getattr(clip.tokenizer, "backend_tokenizer", None)
    if backend is None:
        log.warning("the text tower's tokenizer has no fast version: text queries will load the checkpoint")
        return False
    tmp = target.with_name(f".{FOLDER}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _export_onnx(clip, tmp / "text_encoder.onnx")
        backend.save(str(tmp / "tokenizer.json"))
        info = EncoderInfo(model_fingerprint=fingerprint, context_length=clip.context_length,
                           pad_id=int(clip.tokenizer.pad_token_id or 0), embed_dim=clip.embed_dim, min_cosine=0.0)
        exported = QueryTextEncoder.open(tmp, info)
        if exported is None:
            raise RuntimeError("onnxruntime or tokenizers is not installed")
        cosine = float((exported.encode(PROBES) * clip.encode_texts(PROBES).numpy()).sum(axis=1).min())
    except Exception as exc:  # an optimisation: never stop an index build for it
        log.warning("text encoder export failed (%s): text queries will load the checkpoint", type(exc).__name__)
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    if cosine < MIN_COSINE:
        log.warning("exported text encoder differs from the model (cosine %.6f): not used", cosine)
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    info.min_cosine = cosine
    (tmp / "encoder.json").write_text(json.dumps(asdict(info), indent=1), encoding="utf-8")
    old = target.with_name(f".{FOLDER}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
    return True


def _export_onnx(clip: "BoneClip", path: Path) -> None:
    import torch

    class _TextTower(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
            return torch.nn.functional.normalize(self.model.encode_text(input_ids).float(), dim=-1)

    model = clip.model
    was_training, device = model.training, next(model.parameters()).device
    tower = _TextTower(model.cpu().eval())
    try:
        ids = clip.tokenize(PROBES[:2])
        with torch.no_grad(), warnings.catch_warnings():
            # the tracer's notes on Python branches and index ops (checked instead: the export is kept only
            # when its vectors match the model's) are noise on a user's console
            warnings.simplefilter("ignore", category=torch.jit.TracerWarning)
            warnings.simplefilter("ignore", category=UserWarning)
            torch.onnx.export(tower, (ids,), str(path), input_names=["input_ids"], output_names=["embedding"],
                              dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}},
                              dynamo=False, opset_version=17)
    finally:
        model.to(device).train(was_training)


def _read_info(folder: Path) -> EncoderInfo | None:
    try:
        return EncoderInfo(**json.loads((folder / "encoder.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class QueryTextEncoder:
    """Texts → L2-normalised float32 vectors with the exported tower (ONNX Runtime, one thread per query)."""

    def __init__(self, session, tokenizer, info: EncoderInfo) -> None:
        self.session, self.tokenizer, self.info = session, tokenizer, info

    @classmethod
    def load(cls, folder: Path, fingerprint: str) -> "QueryTextEncoder | None":
        """The encoder in ``folder`` when it was exported from the model ``fingerprint``, else None."""
        info = _read_info(folder)
        if info is None or info.model_fingerprint != fingerprint:
            return None
        return cls.open(folder, info)

    @classmethod
    def open(cls, folder: Path, info: EncoderInfo) -> "QueryTextEncoder | None":
        """The ONNX model and tokenizer in ``folder``, described by ``info``; None when they cannot be loaded."""
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError:
            return None
        options = ort.SessionOptions()
        options.intra_op_num_threads = min(4, os.cpu_count() or 1)
        # a sentence takes about a millisecond: threads that spin-wait after it only take a core from the search
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            session = ort.InferenceSession(str(folder / "text_encoder.onnx"), options, providers=["CPUExecutionProvider"])
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # a damaged export: the checkpoint still answers
            log.warning("the exported text encoder in %s cannot be loaded (%s): using the checkpoint",
                        folder, type(exc).__name__)
            return None
        tokenizer.enable_truncation(info.context_length)
        tokenizer.no_padding()
        return cls(session, tokenizer, info)

    def encode(self, texts: list[str]) -> np.ndarray:
        """``[len(texts), embed_dim]`` float32, L2-normalised; as the model's ``encode_texts``."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        if not texts:
            return np.empty((0, self.info.embed_dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        longest = max(len(e.ids) for e in encodings)
        ids = np.full((len(texts), longest), self.info.pad_id, dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = encoding.ids
        out = self.session.run(None, {"input_ids": ids})[0].astype(np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
