"""Helpers shared by the model tests."""

from __future__ import annotations

from pathlib import Path

import torch

from bonesearch.models import train_wordpiece_tokenizer


def save_small_hf_model(folder: Path, reports: list[str], model_type: str = "bert") -> torch.nn.Module:
    """A small pretrained-looking HF encoder + tokenizer saved with save_pretrained.

    ``model_type``: ``bert``, ``camembert`` (DrBERT, CamemBERT-bio), ``xlm-roberta`` (XLM-R,
    SapBERT-XLMR) or ``luke`` (mLUKE): the families of the paper's French text towers.
    """
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    train_wordpiece_tokenizer(reports, folder, vocab_size=600, min_frequency=1)

    tok = AutoTokenizer.from_pretrained(str(folder))
    kwargs = dict(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                  intermediate_size=64, max_position_embeddings=80, pad_token_id=tok.pad_token_id)
    if model_type == "luke":
        kwargs.update(entity_vocab_size=10, entity_emb_size=16)
    config = AutoConfig.for_model(model_type, **kwargs)
    torch.manual_seed(123)
    model = AutoModel.from_config(config, add_pooling_layer=False)
    model.save_pretrained(str(folder))
    return model
