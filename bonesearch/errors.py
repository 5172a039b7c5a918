"""Every error a user can cause, defined in one place.

Each message names the input at fault and says what to do about it. Messages never
contain patient identity: callers pass file paths relative to the archive and
pseudonymised identifiers only.
"""

from __future__ import annotations


class BonesearchError(Exception):
    """Base class: an error caused by the user's input, printed without a traceback."""


class InvalidDicom(BonesearchError):
    """A file in the archive could not be used as a DICOM image (skipped, job goes on)."""


class ReportFileError(BonesearchError):
    """The reports file is missing, unreadable, or lacks required columns."""


class StoreNotFound(BonesearchError):
    """A command needs a store that does not exist yet."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"no store at {path}: create it with "
            f"`bonesearch ingest ARCHIVE --store {path}` "
            f"(or `bonesearch demo` for a demo archive and store)"
        )


class IndexNotFound(BonesearchError):
    """The store has no FAISS index yet."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"the store {path} has no index: build it with "
            f"`bonesearch index --store {path} --checkpoint CKPT`"
        )


class IndexDamaged(BonesearchError):
    """An index folder of the store is unreadable or malformed (rebuild it with ``bonesearch index``)."""


class ModelMismatch(BonesearchError):
    """The index was built with another model than the one used to query it."""


class UnknownModel(BonesearchError):
    """A model name that is neither a registered architecture nor a loadable source."""


class CheckpointError(BonesearchError):
    """A checkpoint folder is missing files or holds something unreadable."""


class KeyFileError(BonesearchError):
    """The pseudonymisation key file is missing, unreadable or malformed."""


class EmptyStore(BonesearchError):
    """A job needs images or reports and the store has none."""


class ModelConfigError(BonesearchError):
    """A model configuration or build option is invalid or incomplete (e.g. no reports to
    train a from-scratch tokenizer on)."""


class DeidModelError(BonesearchError):
    """The spaCy model used to de-identify report text is not installed or not usable."""


class InvalidQueryImage(BonesearchError):
    """A query image that is neither a readable picture (PNG, JPEG, …) nor a decodable DICOM."""

    #: what failed, as a fixed word (the web API turns it into a French reason; never the file's values)
    reason_class = "not_an_image"

    def __init__(self, message: str, reason_class: str | None = None) -> None:
        super().__init__(message)
        if reason_class is not None:
            self.reason_class = reason_class


class DicomExportError(BonesearchError):
    """A de-identified DICOM copy could not be written to the --export-dicom folder."""


class DeidConfigError(BonesearchError):
    """Report de-identification was asked for an option it does not have (e.g. an unknown mode)."""


class EmptyFile(InvalidDicom):
    """A zero-byte file in the archive (an interrupted copy): skipped."""

    reason_class = "empty_file"


class NotDicom(InvalidDicom):
    """A file without the DICOM Part 10 preamble (a readme, Thumbs.db, a JPEG…): skipped."""

    reason_class = "not_dicom"


class CorruptDicom(InvalidDicom):
    """A DICOM file whose header cannot be parsed (truncated or malformed): skipped."""

    reason_class = "corrupt_dicom"


class NoPixelData(InvalidDicom):
    """A DICOM object without PixelData (structured report, presentation state, KOS): skipped."""

    reason_class = "no_pixel_data"


class DicomDirectory(InvalidDicom):
    """A DICOMDIR media index: it lists the images, it is not one; skipped quietly."""

    reason_class = "dicomdir"


class InflateLimit(InvalidDicom):
    """A deflated DICOM (transfer syntax 1.2.840.10008.1.2.1.99) whose dataset would inflate past the
    per-file limit: a decompression bomb, refused before pydicom inflates it whole in memory."""

    reason_class = "inflate_limit"


class PixelDataMismatch(InvalidDicom):
    """The header's Rows × Columns × frames × bits need more bytes than the PixelData holds."""

    reason_class = "pixel_data_mismatch"


class UnsupportedPixels(InvalidDicom):
    """Pixels ingest does not turn into a greyscale radiograph (palette colour, odd photometric, too large)."""

    reason_class = "unsupported_pixels"


class PixelDecodeError(InvalidDicom):
    """Compressed pixel data the installed codecs could not decode (corrupt stream or missing plugin)."""

    reason_class = "decode_error"


class BlankImage(InvalidDicom):
    """Pixels that decode to one grey level whatever the window (an empty plate, a constant image): skipped,
    as an all-black cached image would only pollute the index."""

    reason_class = "blank_image"


class StoreConfigMismatch(BonesearchError):
    """An ingest option differs from the one the store was built with (e.g. --cache-size)."""


class OcrUnavailable(BonesearchError):
    """OCR screening of burned-in text is on but Tesseract (or pytesseract, or a language) is missing."""


class TextDetectorUnavailable(BonesearchError):
    """The burned-in text detector's weights are missing, unreadable or do not fit its network."""


class DeidEvalError(BonesearchError):
    """An annotated de-identification set and the de-identifier's output do not line up
    (missing or duplicate ids, changed text, spans outside the text)."""


class TrainConfigError(BonesearchError):
    """A pretraining option is out of range or names something that does not exist (loss, optimizer…)."""


class TooFewPairs(EmptyStore):
    """The store has fewer image/report pairs than pretraining needs (the message says how many it found)."""


class ResumeError(BonesearchError):
    """``--resume`` found no resume point, a damaged one, or one written with incompatible settings."""


class InvalidQuery(BonesearchError):
    """A search the engine cannot run as asked: a malformed or unsafe ``--where``, an unknown
    ``--image-id`` or ``--study``, an empty queries file, fewer than two ``--labels``."""


class QuerySetError(BonesearchError):
    """A labelled query set (``eval search --queries``) cannot be read: not UTF-8 JSON lines, a
    query without text or relevance labels, an unknown label column, a repeated id."""


class StoreBusy(BonesearchError):
    """Another job is writing the store: its index (``index``, ``forget``: one writer at a time),
    its database (:class:`StoreLocked`), or an erasure is under way."""


class StoreLocked(StoreBusy):
    """Another process holds the store's DuckDB file: a writer (``ingest``, ``forget``) keeps
    every other process out; readers (``query``, ``index``, ``pretrain``…) keep writers out."""

    def __init__(self, path: object, *, writing: bool, pid: int | None = None, rerun: str | None = None) -> None:
        self.path, self.writing, self.pid = path, writing, pid
        holder = f"another process (PID {pid})" if pid else "another process"
        then = f"then run `{rerun}`" if rerun else "then rerun"
        if writing:
            super().__init__(
                f"the store {path} is open in {holder}: a bonesearch ingest or forget writing it, or a query, "
                f"similar, index or pretrain reading it; wait for it to finish, {then}"
            )
        else:
            super().__init__(
                f"the store {path} is being written by {holder}: a bonesearch ingest or forget; wait for it to "
                f"finish, {then} (a `bonesearch serve` started before the write keeps answering meanwhile)"
            )


class SearchBackendUnavailable(BonesearchError):
    """A search backend that does not exist, or cannot search this store on this device (an
    approximate index on CUDA without faiss-gpu)."""


class ReportKeyError(BonesearchError):
    """A report's encryption key is missing or its key file is damaged (``STORE/keys/``)."""


class NotInStore(BonesearchError):
    """A patient pseudonym or study UID asked for (e.g. by ``forget``) that the store does not hold."""


class DatasetLayoutError(BonesearchError):
    """A labelled downstream dataset (``bonesearch eval``) does not match its adapter's layout:
    the message names the first bad folder, file or CSV row and the layout expected."""


class EngineError(BonesearchError):
    """The distributed engine (``--engine ray``) is not installed, or its cluster cannot be reached."""


class ServeConfigError(BonesearchError):
    """``bonesearch serve`` was asked to expose the store unsafely (a non-loopback address
    without an access token, or a token too short to resist guessing)."""


class QueryImageTooLarge(InvalidQueryImage):
    """A query image that would decode to more pixels than a query may (a decompression bomb,
    or a scan far larger than a radiograph): refused from its header, before decoding."""

    reason_class = "too_large"
