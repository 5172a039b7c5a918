"""One contrastive optimisation step's forward/backward, with exact gradient accumulation.

With ``accum_steps = 1`` it is the plain step. With ``accum_steps = K`` the batch is cut into
K chunks (less activation memory) and the loss still sees every pair of the batch as a
negative, as open_clip does it: the features of all chunks are first computed without
gradient; then each chunk is recomputed with gradient and the loss taken over the whole
batch with that chunk's fresh features in place. Summed over the chunks this is the
gradient of the full-batch loss (the logit scale/bias enter once, through the last chunk, the
one DDP synchronises).
Under DDP the gradient all-reduce runs only after the last chunk.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import torch


def _loss(loss_fn, outputs: tuple) -> torch.Tensor:
    image_features, text_features, logit_scale = outputs[:3]
    if len(outputs) > 3 and outputs[3] is not None:
        return loss_fn(image_features, text_features, logit_scale, outputs[3])
    return loss_fn(image_features, text_features, logit_scale)


def forward_backward(model: torch.nn.Module, loss_fn, pixels: torch.Tensor, tokens: torch.Tensor, accum_steps: int,
                     autocast: AbstractContextManager) -> float:
    """Run forward and backward for one batch (gradients accumulate into ``.grad``); returns the loss."""
    if accum_steps == 1:
        with autocast:
            loss = _loss(loss_fn, model(pixels, tokens))
        loss.backward()
        return float(loss.detach())
    image_chunks, text_chunks = pixels.chunk(accum_steps), tokens.chunk(accum_steps)
    with torch.no_grad(), autocast:
        cached = [model(i, t) for i, t in zip(image_chunks, text_chunks)]
    cached_images = [c[0] for c in cached]
    cached_texts = [c[1] for c in cached]
    no_sync = getattr(model, "no_sync", None)
    loss_value = 0.0
    for j, (image_chunk, text_chunk) in enumerate(zip(image_chunks, text_chunks)):
        last = j == accum_steps - 1
        sync: AbstractContextManager = no_sync() if (no_sync is not None and not last) else nullcontext()
        with sync:
            with autocast:
                out = model(image_chunk, text_chunk)
                images = torch.cat(cached_images[:j] + [out[0]] + cached_images[j + 1 :])
                texts = torch.cat(cached_texts[:j] + [out[1]] + cached_texts[j + 1 :])
                # the scale (and bias) get their gradient once, not once per chunk
                extras = [x if last or x is None else x.detach() for x in out[2:]]
                loss = _loss(loss_fn, (images, texts, *extras))
            loss.backward()
        loss_value = float(loss.detach())
    return loss_value
