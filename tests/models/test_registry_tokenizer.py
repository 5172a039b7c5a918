"""Registry of architectures, device resolution and the WordPiece tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from bonesearch.errors import BonesearchError, ModelConfigError, UnknownModel
from bonesearch.models import get_model_config, list_models, resolve_device, train_wordpiece_tokenizer
from bonesearch.models.tokenizer import DEID_TAGS, load_tokenizer


def test_list_models_has_the_three() -> None:
    names = list_models()
    assert {"tiny", "small", "vitb16-drbert"} <= set(names)


def test_get_model_config_is_a_deep_copy() -> None:
    cfg = get_model_config("small")
    cfg["vision_cfg"]["timm_kwargs"]["in_chans"] = 3
    assert get_model_config("small")["vision_cfg"]["timm_kwargs"]["in_chans"] == 1


def test_configs_are_single_channel_and_paper_setting() -> None:
    for name in list_models():
        cfg = get_model_config(name)
        assert cfg["vision_cfg"]["timm_kwargs"]["in_chans"] == 1
        assert len(cfg["preprocess_cfg"]["mean"]) == 1
    paper = get_model_config("vitb16-drbert")
    assert paper["embed_dim"] == 512
    assert paper["vision_cfg"]["timm_model_name"] == "vit_base_patch16_224"
    assert paper["text_cfg"]["source"] == "Dr-BERT/DrBERT-7GB"
    assert paper["text_cfg"]["hf_pooler_type"] == "cls_last_hidden_state_pooler"
    assert paper["text_cfg"]["hf_proj_type"] == "linear"


def test_unknown_model_lists_available_names() -> None:
    with pytest.raises(UnknownModel) as err:
        get_model_config("resnet-9000")
    msg = str(err.value)
    assert "resnet-9000" in msg
    for name in list_models():
        assert name in msg


def test_resolve_device() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    with pytest.raises(BonesearchError, match="use auto, cpu, cuda"):
        resolve_device("tpu-ish")
    if not torch.cuda.is_available():
        with pytest.raises(BonesearchError, match="--device cpu"):
            resolve_device("cuda:1")


def test_tokenizer_is_deterministic(reports: list[str], tmp_path: Path) -> None:
    a = train_wordpiece_tokenizer(reports, tmp_path / "a", vocab_size=600, min_frequency=2)
    b = train_wordpiece_tokenizer(iter(list(reports)), tmp_path / "b", vocab_size=600, min_frequency=2)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_tokenizer_loads_with_autotokenizer(reports: list[str], tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    out = train_wordpiece_tokenizer(reports, tmp_path / "tok", vocab_size=600, min_frequency=2, model_max_length=64)
    tok = AutoTokenizer.from_pretrained(str(out))
    assert tok.pad_token_id == 0 and tok.model_max_length == 64
    assert tok("FRACTURE DU RADIUS").input_ids == tok("fracture du radius").input_ids
    assert tok("Épaule").input_ids == tok("epaule").input_ids
    ids = tok("chez [NOM], [AGE], à l'[ETABLISSEMENT]").input_ids
    pieces = tok.convert_ids_to_tokens(ids)
    for tag in ("[NOM]", "[AGE]", "[ETABLISSEMENT]"):
        assert tag in pieces
    assert pieces[0] == "[CLS]" and pieces[-1] == "[SEP]"
    special = json.loads((out / "special_tokens_map.json").read_text())
    assert set(DEID_TAGS) <= set(special["additional_special_tokens"])


def test_tokenizer_needs_text(tmp_path: Path) -> None:
    with pytest.raises(ModelConfigError, match="no report text"):
        train_wordpiece_tokenizer(["", "  "], tmp_path / "t", vocab_size=500)


def test_load_tokenizer_names_missing_files(tmp_path: Path) -> None:
    from bonesearch.errors import CheckpointError

    with pytest.raises(CheckpointError, match="no tokenizer"):
        load_tokenizer(tmp_path)
