"""Text pooling (CLS vs mean) and the learnable logit bias (SigLIP): build, forward, checkpoint."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from open_clip.loss import SigLipLoss

from bonesearch.models import create_model, get_model_config, load_checkpoint, save_checkpoint
from bonesearch.models.clip import architecture_config

TEXTS = ["Fracture du radius distal gauche.", "Genou : pincement fémoro-tibial interne, arthrose stade 3.", "Normal."]


@pytest.fixture(scope="module")
def mean_tiny(reports: list[str]):
    """``tiny`` with mean pooling, same seed as the ``tiny`` fixture (same weights)."""
    cfg = get_model_config("tiny")
    cfg["text_cfg"]["hf_pooler_type"] = "mean_pooler"
    return create_model(cfg, reports=reports, seed=0)


def test_mean_pooling_averages_the_real_tokens(tiny, mean_tiny) -> None:
    mean_state, cls_state = mean_tiny.model.state_dict(), tiny.model.state_dict()
    assert mean_state.keys() == cls_state.keys()
    assert all(torch.equal(mean_state[k], cls_state[k]) for k in cls_state)  # pooling has no weights
    assert not torch.allclose(mean_tiny.encode_texts(TEXTS), tiny.encode_texts(TEXTS), atol=1e-3)

    text = mean_tiny.model.text.eval()
    ids = mean_tiny.tokenize(TEXTS)
    mask = ids != mean_tiny.tokenizer.pad_token_id
    assert not mask.all()  # the batch is padded
    with torch.no_grad():
        hidden = text.transformer(input_ids=ids, attention_mask=mask.long()).last_hidden_state
        expected = text.proj((hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True))
        assert torch.allclose(text(ids), expected, atol=1e-6)


def test_padding_does_not_change_a_mean_pooled_embedding(mean_tiny) -> None:
    model = mean_tiny.model.eval()
    short, padded = mean_tiny.tokenize(["Fracture du scaphoïde."]), mean_tiny.tokenize(["Fracture du scaphoïde."], pad_to_context=True)
    assert padded.shape[1] == mean_tiny.context_length > short.shape[1]
    with torch.no_grad():
        assert torch.allclose(model.encode_text(short), model.encode_text(padded), atol=1e-5)
    # and in a batch with a longer text
    alone = mean_tiny.encode_texts(["Normal."])
    assert torch.allclose(mean_tiny.encode_texts(["Normal.", TEXTS[1]])[:1], alone, atol=1e-5)


def test_cls_pooler_adds_bert_pooler_layer(reports: list[str]) -> None:
    cfg = get_model_config("tiny")
    cfg["text_cfg"]["hf_pooler_type"] = "cls_pooler"
    clip = create_model(cfg, reports=reports)
    assert any(".pooler.dense." in k for k in clip.model.state_dict())
    assert clip.encode_texts(TEXTS).shape == (3, 64)


def test_no_logit_bias_by_default(tiny) -> None:
    assert tiny.model.logit_bias is None
    assert tiny.config.get("init_logit_bias") is None
    assert "logit_bias" not in tiny.model.state_dict()


@pytest.fixture()
def siglip_tiny(reports: list[str]):
    """``tiny`` as the trainer asks for it with the SigLIP loss (fresh for each test: a
    forward in training mode moves its BatchNorm statistics)."""
    return create_model("tiny", reports=reports, seed=0, init_logit_scale=math.log(10), init_logit_bias=-10)


def test_siglip_overrides_give_a_learnable_bias(siglip_tiny, images) -> None:
    model = siglip_tiny.model
    assert model.logit_bias.requires_grad and model.logit_bias.item() == -10.0
    assert math.isclose(model.logit_scale.item(), math.log(10), rel_tol=1e-6)
    assert siglip_tiny.config["init_logit_bias"] == -10.0
    img, txt, scale, bias = model(siglip_tiny.preprocess_images(images[:3]), siglip_tiny.tokenize(TEXTS))
    loss = SigLipLoss()(img, txt, scale, bias)
    loss.backward()
    assert torch.isfinite(loss) and model.logit_bias.grad is not None


def test_bias_is_part_of_the_fingerprint(tiny, siglip_tiny, reports: list[str]) -> None:
    assert siglip_tiny.fingerprint() != tiny.fingerprint()
    cfg = get_model_config("tiny")
    assert architecture_config({**cfg, "init_logit_bias": None}) == architecture_config(cfg)  # null = no bias
    cfg["init_logit_bias"] = -10
    from_config = create_model(cfg, reports=reports, seed=0, init_logit_scale=math.log(10))
    assert from_config.model.logit_bias.item() == -10.0
    assert from_config.fingerprint() == siglip_tiny.fingerprint()


def test_checkpoint_reloads_the_bias(siglip_tiny, tmp_path: Path) -> None:
    with torch.no_grad():
        siglip_tiny.model.logit_bias.fill_(-7.25)  # as if trained
    out = save_checkpoint(siglip_tiny, tmp_path / "ckpt")
    loaded = load_checkpoint(out)
    assert loaded.config["init_logit_bias"] == -10.0
    assert loaded.model.logit_bias.item() == -7.25
    assert loaded.fingerprint() == siglip_tiny.fingerprint()
