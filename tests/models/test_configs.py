"""Every registered architecture: builds (on the meta device for the big ones), takes its input
size, has the documented size; config validation of pooling, projection, logit bias, img_size."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from open_clip.hf_model import _POOLERS

from bonesearch.errors import ModelConfigError
from bonesearch.models import get_model_config, list_models
from bonesearch.models.registry import CONFIG_DIR, TEXT_POOLERS, validate_config
from bonesearch.models.summary import meta_model, summarize_model, text_tower_config


def _text_config_for(cfg: dict):
    """The config's text tower, or a CamemBERT-base-sized stand-in for a hub model not downloaded."""
    from transformers import CamembertConfig

    return text_tower_config(cfg) or CamembertConfig(vocab_size=32005, max_position_embeddings=514)


def test_registry_holds_every_config_file() -> None:
    assert set(list_models()) == {p.stem for p in CONFIG_DIR.glob("*.json")}
    assert {"tiny", "small", "small-vit", "vitb16-drbert", "vitb16-drbert-336", "vitb16-drbert-448",
            "vitb16-bertbase"} <= set(list_models())


@pytest.mark.parametrize("name", list_models())
def test_every_config_builds_and_embeds_its_input_size(name: str) -> None:
    cfg = get_model_config(name)
    assert len(cfg.get("description", "")) > 40, "every config explains itself in `bonesearch models`"
    model = meta_model(cfg, _text_config_for(cfg))
    size, chans = cfg["vision_cfg"]["image_size"], cfg["vision_cfg"]["timm_kwargs"]["in_chans"]
    feats = model.encode_image(torch.empty(2, chans, size, size, device="meta"))
    assert feats.shape == (2, cfg["embed_dim"])
    assert model.text.proj.out_features == cfg["embed_dim"]
    assert model.text.pooler.__class__ is _POOLERS[cfg["text_cfg"]["hf_pooler_type"]]


@pytest.mark.parametrize(("name", "size"), [("vitb16-drbert", 224), ("vitb16-drbert-336", 336), ("vitb16-drbert-448", 448)])
def test_vit_b16_resolutions(name: str, size: int) -> None:
    cfg = get_model_config(name)
    assert cfg["vision_cfg"]["image_size"] == cfg["vision_cfg"]["timm_kwargs"]["img_size"] == size
    visual = meta_model(cfg, None).visual
    assert visual.trunk.patch_embed.patch_size == (16, 16)
    assert visual.trunk.pos_embed.shape == (1, (size // 16) ** 2 + 1, 768)  # + the CLS token
    assert visual(torch.empty(1, 1, size, size, device="meta")).shape == (1, 512)
    other = 224 if size != 224 else 336
    with pytest.raises(AssertionError):  # a fixed-size ViT refuses another input size
        visual(torch.empty(1, 1, other, other, device="meta"))


def test_vitb16_bertbase_is_vit_b_plus_bert_base() -> None:
    cfg = get_model_config("vitb16-bertbase")
    bert = text_tower_config(cfg)
    assert cfg["text_cfg"]["source"] == "scratch" and cfg["text_cfg"]["context_length"] == 128
    assert (bert.hidden_size, bert.num_hidden_layers, bert.num_attention_heads, bert.intermediate_size) == (768, 12, 12, 3072)
    assert bert.max_position_embeddings == 128
    summary = summarize_model("vitb16-bertbase")
    assert summary.image_tower == "vit_base_patch16_224" and summary.image_size == 224
    assert 85e6 < summary.params_image < 87e6  # ViT-B/16 trunk + 768x512 projection
    assert 100e6 < summary.params_text < 115e6  # BERT-base with a 30522-piece vocabulary
    assert summary.params_total == summary.params_image + summary.params_text + 1  # + logit scale


def test_small_vit_is_a_small_vit() -> None:
    summary = summarize_model("small-vit")
    visual = meta_model(get_model_config("small-vit"), None).visual
    assert visual.trunk.patch_embed.patch_size == (16, 16)
    assert visual.trunk.pos_embed.shape[1] == (128 // 16) ** 2 + 1
    assert 4e6 < summary.params_image < 7e6
    assert summary.text_source == "scratch"


def test_meta_count_matches_the_real_model(tiny, tiny_dir: Path) -> None:
    from transformers import AutoConfig

    meta = meta_model(tiny.config, AutoConfig.from_pretrained(str(tiny_dir / "text_tower")))
    real = {k: tuple(v.shape) for k, v in tiny.model.state_dict().items()}
    assert {k: tuple(v.shape) for k, v in meta.state_dict().items()} == real
    assert all(p.device.type == "meta" for p in meta.parameters())


def test_hub_text_tower_is_not_looked_up_online() -> None:
    summary = summarize_model("vitb16-drbert")
    assert summary.text_source == "Dr-BERT/DrBERT-7GB"
    if summary.params_text is None:  # not in this machine's HF cache (the case in CI)
        assert summary.params_total is None and "not found offline" in summary.text_tower


def test_allowed_poolers_are_open_clip_poolers() -> None:
    assert set(TEXT_POOLERS) <= set(_POOLERS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["text_cfg"].update(hf_pooler_type="max_pooler"), "cls_last_hidden_state_pooler, cls_pooler, mean_pooler"),
        (lambda c: c["text_cfg"].update(hf_proj_type="conv"), "linear, mlp"),
        (lambda c: c.update(init_logit_bias="-10"), "init_logit_bias='-10' must be a number or null"),
        (lambda c: c["vision_cfg"]["timm_kwargs"].update(img_size=336), "img_size=336 differs from vision_cfg.image_size=224"),
    ],
)
def test_validate_config_names_the_bad_value(change, message: str) -> None:
    cfg = get_model_config("vitb16-drbert")
    change(cfg)
    with pytest.raises(ModelConfigError, match=message):
        validate_config(cfg, where="my.json")


def test_configs_accept_a_numeric_logit_bias() -> None:
    cfg = get_model_config("tiny")
    cfg.update(init_logit_bias=-10, init_logit_scale=math.log(10))
    validate_config(cfg)
