"""WordPiece tokenizer for a from-scratch French text tower, trained on the archive's reports.

BERT-style (HF ``tokenizers``): the normaliser lowercases and strips accents, so that
``"FRACTURE DU RADIUS"`` / ``"fracture du radius"`` and ``"épaule"`` / ``"epaule"`` give
the same ids; the de-identification placeholders (``[NOM]``, ``[PATIENT]``, ...) are
kept whole as special tokens. The result is an HF folder that
``transformers.AutoTokenizer.from_pretrained(folder)`` loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

from bonesearch.errors import CheckpointError, ModelConfigError

__all__ = ["CORE_SPECIAL_TOKENS", "DEID_TAGS", "train_wordpiece_tokenizer", "load_tokenizer", "TOKENIZER_FILES"]

#: BERT's special tokens, in id order: [PAD] is 0 (the text tower's pad_token_id).
CORE_SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
#: Placeholders written by report de-identification; each one stays a single token.
DEID_TAGS: tuple[str, ...] = (
    "[NOM]", "[PATIENT]", "[TEL]", "[ID]", "[LIEU]", "[ETABLISSEMENT]",
    "[ADRESSE]", "[EMAIL]", "[URL]", "[AGE]", "[DATE]",
)
#: Any of these files makes a folder a loadable tokenizer.
#: Always in the vocabulary (after normalisation), so unseen queries degrade to pieces, not [UNK].
BASE_ALPHABET: str = "abcdefghijklmnopqrstuvwxyz0123456789"
_BASE_PUNCT: str = ".,;:!?()/-'%+<>=*"
TOKENIZER_FILES: tuple[str, ...] = ("tokenizer.json", "vocab.txt", "sentencepiece.bpe.model", "spiece.model", "vocab.json")


def _build_tokenizer(vocab: dict[str, int] | None = None) -> Tokenizer:
    """A BERT-uncased-style WordPiece pipeline (untrained when ``vocab`` is None)."""
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", continuing_subword_prefix="##"))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True
    )
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##")
    return tok


def train_wordpiece_tokenizer(
    texts: Iterable[str],
    out_dir: Path,
    vocab_size: int = 8000,
    min_frequency: int = 2,
    *,
    model_max_length: int = 512,
    extra_tokens: Sequence[str] = DEID_TAGS,
) -> Path:
    """Train a lowercase, accent-stripping WordPiece tokenizer on ``texts``; save it to ``out_dir``.

    Args:
        texts: report texts (any iterable; read once, into memory).
        out_dir: folder to write (created); holds ``tokenizer.json``,
            ``tokenizer_config.json``, ``special_tokens_map.json`` and ``vocab.txt``.
        vocab_size: target vocabulary size (smaller when the corpus has fewer pieces).
        min_frequency: a merge must occur this often to enter the vocabulary.
        model_max_length: longest input the text tower accepts (its context length).
        extra_tokens: single tokens added after the BERT specials (de-id placeholders).

    Returns:
        ``out_dir``. The same texts in the same order give byte-identical files.
    """
    from transformers import BertTokenizerFast

    special = list(dict.fromkeys([*CORE_SPECIAL_TOKENS, *extra_tokens]))
    if vocab_size <= len(special) + 30:
        raise ModelConfigError(f"vocab_size={vocab_size} is too small: use at least {len(special) + 100}")
    corpus = [t for t in texts if isinstance(t, str) and t.strip()]
    if not corpus:
        raise ModelConfigError("no report text to train the tokenizer on: pass a non-empty reports iterable")
    tok = _build_tokenizer()
    # tokenizers <= 0.23 gives the "##c" pieces ids in hash-map order, which breaks merge ties
    # differently from run to run (huggingface/tokenizers#1794). Seeding them in sorted order
    # (as trainer "special" tokens, dropped again below) makes training deterministic.
    seeded = [f"##{c}" for c in sorted(set(_continuation_chars(tok, corpus)) | set(BASE_ALPHABET))]
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=special + [t for t in seeded if t not in special],
        continuing_subword_prefix="##",
        initial_alphabet=sorted(set(BASE_ALPHABET + _BASE_PUNCT)),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    tok = _rebuild(tok.get_vocab(with_added_tokens=False), special)
    hf_tok = BertTokenizerFast(
        tokenizer_object=tok,
        do_lower_case=True,
        strip_accents=True,
        unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
        extra_special_tokens=[t for t in special if t not in CORE_SPECIAL_TOKENS],
        model_max_length=model_max_length,
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    hf_tok.save_pretrained(str(out_dir))
    _write_compat_files(tok, special, out_dir)
    return out_dir


def _continuation_chars(tok: Tokenizer, corpus: list[str]) -> list[str]:
    """Sorted characters that occur after the first character of a pre-tokenized word."""
    chars: set[str] = set()
    for text in corpus:
        for word, _ in tok.pre_tokenizer.pre_tokenize_str(tok.normalizer.normalize_str(text)):
            chars.update(word[1:])
    return sorted(chars)


def _rebuild(vocab: dict[str, int], special: list[str]) -> Tokenizer:
    """A fresh pipeline over the trained vocabulary, with only ``special`` as special tokens."""
    tok = _build_tokenizer(vocab)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in special])
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return tok


def _write_compat_files(tok: Tokenizer, special: list[str], out_dir: Path) -> None:
    """``vocab.txt`` and ``special_tokens_map.json``, as BertTokenizerFast writes them in
    transformers 4 (so older loaders and non-HF tools read the folder too)."""
    vocab = sorted(tok.get_vocab(with_added_tokens=True).items(), key=lambda kv: kv[1])
    (out_dir / "vocab.txt").write_text("".join(f"{t}\n" for t, _ in vocab), encoding="utf-8")
    special_map = {
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
        "mask_token": "[MASK]", "additional_special_tokens": [t for t in special if t not in CORE_SPECIAL_TOKENS],
    }
    (out_dir / "special_tokens_map.json").write_text(json.dumps(special_map, indent=2) + "\n", encoding="utf-8")


def load_tokenizer(folder: str | Path):
    """``AutoTokenizer.from_pretrained(folder)``, offline, with an error that names what is missing."""
    from transformers import AutoTokenizer

    folder = Path(folder)
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise CheckpointError(
            f"{folder} has no tokenizer (none of {', '.join(TOKENIZER_FILES)}): save the tokenizer "
            f"there with tokenizer.save_pretrained('{folder}')"
        )
    try:
        return AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"the tokenizer in {folder} cannot be loaded ({exc}): re-save it with save_pretrained") from exc
