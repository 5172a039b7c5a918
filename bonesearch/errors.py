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
