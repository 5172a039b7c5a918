"""The CLIP forward for a locked text tower: each distinct report goes through the frozen transformer once.

With ``--lock-text`` the transformer's weights never change, so its pooled output for a
given text never changes either. ``LockedTextForward`` computes it once per distinct text
(eval mode: no dropout noise in a frozen tower; no gradient), keeps it, and runs only the
trainable parts every step: the image tower, the text projection and the logit scale/bias.
On the CPU knee experiment that removes about a third of the step time.

The wrapper is what the loop trains (and what DDP wraps); the checkpoint is still the
plain open_clip model, whose weights it shares.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

MAX_CACHED_TEXTS = 500_000  # beyond this, further texts are computed every time (memory bound)


class LockedTextForward(torch.nn.Module):
    """``forward(images, tokens)`` → ``(image_features, text_features, logit_scale.exp()[, logit_bias])``, as open_clip's."""

    def __init__(self, clip_model: torch.nn.Module, max_cached: int = MAX_CACHED_TEXTS) -> None:
        super().__init__()
        self.clip = clip_model
        self.pad_token_id = int(clip_model.text.config.pad_token_id)
        self.max_cached = max_cached
        self._pooled: dict[bytes, torch.Tensor] = {}

    @property
    def cached_texts(self) -> int:
        """How many distinct texts have their pooled features kept."""
        return len(self._pooled)

    def pooled_text(self, tokens: torch.Tensor) -> torch.Tensor:
        """The frozen transformer's pooled output ``[B, width]`` for token ids ``[B, T]`` (cached per text)."""
        rows = tokens.cpu().numpy()
        keys = [row[row != self.pad_token_id].tobytes() for row in rows]  # the same text under any padding
        missing = [i for i, key in enumerate(keys) if key not in self._pooled]
        fresh: dict[int, torch.Tensor] = {}
        if missing:
            fresh = dict(zip(missing, self._encode(tokens[missing])))
            for i in missing:
                if len(self._pooled) < self.max_cached:
                    self._pooled[keys[i]] = fresh[i]
        return torch.stack([fresh[i] if i in fresh else self._pooled[key] for i, key in enumerate(keys)])

    def _encode(self, tokens: torch.Tensor) -> torch.Tensor:
        text = self.clip.text
        was_training = text.transformer.training
        text.transformer.eval()
        try:
            with torch.no_grad():
                mask = (tokens != self.pad_token_id).long()
                out = text.transformer(input_ids=tokens, attention_mask=mask)
                return text.pooler(out, mask).float()
        finally:
            text.transformer.train(was_training)

    def forward(self, image: torch.Tensor, text: torch.Tensor):
        image_features = self.clip.encode_image(image, normalize=True)
        projected = self.clip.text.proj(self.pooled_text(text).to(image_features.device))
        text_features = F.normalize(projected, dim=-1)
        if self.clip.logit_bias is not None:
            return image_features, text_features, self.clip.logit_scale.exp(), self.clip.logit_bias
        return image_features, text_features, self.clip.logit_scale.exp()
