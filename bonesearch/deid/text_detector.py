"""A small learned detector of burned-in text in the stored square, and the redaction of what it finds.

The OCR screen (:mod:`bonesearch.deid.burned_in`) decides whether an image may enter the
store from what Tesseract *reads*; what it never finds — text of 3-6 px on a small file,
faint stamps over anatomy, fonts it misreads — is stored as it is. This second line of
defence looks at the square the store actually keeps (256 px by default) and blacks out
every region a fully convolutional network takes for text, readable or not: the store
then cannot show what the screen did not read. A laterality marker (« D », « L ») is text
too and is redacted as well; the header keeps laterality.

The network (:func:`build_net`, ~30 k weights) was trained by
``python -m pretrain.text_detector`` on phantom radiographs and real ones
(``../shared/data``) carrying synthetic stamps (:mod:`bonesearch.demo.stamps`) in the
DejaVu fonts and PIL's own; Liberation fonts were held out to measure how it does on
fonts it never saw (BENCHMARKS.md). Its weights ship with the package
(``deid/data/text_detector.safetensors`` and the JSON beside it: the training command,
data and threshold). It scores cells of 4 × 4 pixels; a region is a connected group of
cells over the threshold, widened by a margin and filled with the median grey around it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import ndimage

from bonesearch.errors import TextDetectorUnavailable

WEIGHTS = Path(__file__).with_name("data") / "text_detector.safetensors"
CELL = 4  # the network scores cells of CELL x CELL pixels

Box = tuple[int, int, int, int]  # top, left, bottom, right (pixels, bottom/right exclusive)


def build_net():  # -> torch.nn.Module; torch is imported only where the detector runs
    """The detector: strokes at full resolution, two strided stages to 4-px cells, then dilated context
    along a line (~70 px seen by each cell); one logit per cell."""
    import torch.nn as nn

    def block(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> list[nn.Module]:
        return [nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation), nn.BatchNorm2d(cout),
                nn.ReLU(inplace=True)]

    return nn.Sequential(
        *block(1, 8),  # strokes
        *block(8, 16, stride=2), *block(16, 24, stride=2),  # characters, on 4-px cells
        *block(24, 32), *block(32, 24, dilation=2), *block(24, 24, dilation=4),  # a line's context
        nn.Conv2d(24, 1, 1),
    )


def normalise(square: np.ndarray):  # -> torch.Tensor [N, 1, H, W]
    """uint8 squares ``[H, W]`` or ``[N, H, W]`` as the network's float input (centred on mid-grey)."""
    import torch

    x = torch.from_numpy(np.ascontiguousarray(square, dtype=np.float32)) / 255.0 - 0.5
    return x.reshape(-1, 1, *square.shape[-2:])


@dataclass(frozen=True)
class Redaction:
    """What :meth:`TextDetector.redact` did to one square; boxes are in its pixels, never its content."""

    boxes: tuple[Box, ...]

    @property
    def pixels(self) -> int:
        """How many pixels were blacked out (boxes may overlap: counted once each)."""
        return int(sum((b - t) * (r - left) for t, left, b, r in self.boxes))


class TextDetector:
    """The trained network and its threshold; one per process (:func:`load_detector`)."""

    def __init__(self, net, threshold: float, margin: int = 1) -> None:
        self.net, self.threshold, self.margin = net.eval(), threshold, margin

    def cell_probabilities(self, square: np.ndarray) -> np.ndarray:
        """Text probability of each CELL x CELL cell of a uint8 square (``[H/4, W/4]`` float32)."""
        import torch

        with torch.inference_mode():
            return torch.sigmoid(self.net(normalise(square)))[0, 0].numpy()

    def regions(self, square: np.ndarray) -> list[Box]:
        """Boxes (pixels) of the connected text regions, widened by ``margin`` cells (two across a line)."""
        hot = self.cell_probabilities(square) >= self.threshold
        if not hot.any():
            return []
        labels, _ = ndimage.label(hot, structure=np.ones((3, 3), dtype=bool))
        h, w = square.shape
        m = self.margin
        boxes: list[Box] = []
        for rows, cols in ndimage.find_objects(labels):
            boxes.append((max(0, (rows.start - m) * CELL), max(0, (cols.start - 2 * m) * CELL),
                          min(h, (rows.stop + m) * CELL), min(w, (cols.stop + 2 * m) * CELL)))
        return boxes

    def redact(self, square: np.ndarray) -> tuple[np.ndarray, Redaction]:
        """A copy of ``square`` with every text region filled with the median grey of a ring around it."""
        boxes = self.regions(square)
        if not boxes:
            return square, Redaction(())
        out = square.copy()
        h, w = square.shape
        for t, left, b, r in boxes:
            rows, cols = slice(max(0, t - CELL), min(h, b + CELL)), slice(max(0, left - CELL), min(w, r + CELL))
            ring = np.ones((rows.stop - rows.start, cols.stop - cols.start), dtype=bool)
            ring[t - rows.start:b - rows.start, left - cols.start:r - cols.start] = False
            around = square[rows, cols][ring]
            out[t:b, left:r] = np.uint8(np.median(around)) if around.size else 0
        return out, Redaction(tuple(boxes))


def check_detector(path: Path = WEIGHTS) -> None:
    """Raise :class:`TextDetectorUnavailable` now when the weights or their JSON are missing or unreadable
    (a job checks before starting workers; the network itself is loaded in each worker)."""
    _threshold(path)
    try:
        usable = path.is_file() and path.stat().st_size > 0
    except OSError:
        usable = False
    if not usable:
        raise _unreadable(path)


def _threshold(path: Path) -> float:
    """The threshold in the JSON beside the weights ``path`` (TextDetectorUnavailable when unreadable)."""
    try:
        return float(json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["threshold"])
    except (OSError, ValueError, KeyError, TypeError):
        raise _unreadable(path) from None


def _unreadable(path: Path) -> TextDetectorUnavailable:
    return TextDetectorUnavailable(
        f"text detector weights {path.name} (and {path.with_suffix('.json').name}) could not be read; reinstall "
        "bonesearch, retrain them with `python -m pretrain.text_detector`, or turn the redaction off with "
        "--no-text-redaction")


def load_detector(path: Path = WEIGHTS, single_thread: bool = False) -> TextDetector:
    """The detector saved at ``path`` (safetensors + ``.json``), loaded once per process and path.

    ``single_thread``: run torch on one thread in this process (ingest's decode workers, which
    already use every core between them).
    """
    if single_thread:
        import torch

        if torch.get_num_threads() != 1:
            torch.set_num_threads(1)
    return _load(str(path))


@lru_cache(maxsize=2)
def _load(path_text: str) -> TextDetector:
    path = Path(path_text)
    threshold = _threshold(path)
    try:
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        state = load_file(str(path))
    except (OSError, ValueError, SafetensorError):
        raise _unreadable(path) from None
    net = build_net()
    try:
        net.load_state_dict(state)
    except RuntimeError:
        raise TextDetectorUnavailable(
            f"text detector weights {path.name} do not fit this version's network; retrain them with "
            "`python -m pretrain.text_detector`") from None
    return TextDetector(net, threshold=threshold)
