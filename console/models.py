"""`bonesearch models`: the registered architectures as a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from console.streams import out

if TYPE_CHECKING:
    from bonesearch.models.summary_cache import ModelSummary


def _millions(n: int | None) -> str:
    return "?" if n is None else f"{n / 1e6:.1f} M"


def print_models(summaries: Sequence[ModelSummary], as_json: bool) -> None:
    """Towers, embedding size and parameter counts of each architecture."""
    if as_json:
        print(json.dumps([s.to_dict() for s in summaries], ensure_ascii=False, indent=2))
        return
    table = Table("name", "image tower", "text tower", "embed", "parameters", "description",
                  title="model architectures (bonesearch/model_configs/*.json)", show_lines=True)
    for s in summaries:
        pooling = "mean" if s.pooler == "mean_pooler" else "CLS"
        total = _millions(s.params_total) if s.params_total is not None else f"{_millions(s.params_image)} + text ?"
        table.add_row(
            s.name,
            f"{s.image_tower}\n{s.image_size} px, {s.in_chans} ch",
            f"{escape(s.text_tower)}\n{s.context_length} tokens, {pooling} pooling",
            str(s.embed_dim) + ("\n+ logit bias" if s.logit_bias is not None else ""),
            f"{total}\nimage {_millions(s.params_image)}\ntext {_millions(s.params_text)}",
            escape(s.description),
        )
    out.print(table)
    out.print("parameters counted on the meta device; a from-scratch vocabulary at its cap, "
              "'?' = hub model not downloaded")
