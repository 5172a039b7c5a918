"""What the API answers when a request fails, and what the server writes down about it.

Every failure is JSON ``{"detail": "…"}`` in French with its status. Nothing a client sent
is ever repeated (a query or a filter may hold a name; an upload is a patient's image):

* 422 names the field and the problem (``filters.date_from : date ISO attendue
  (AAAA-MM-JJ)``) from a fixed French table keyed by pydantic's error type, not pydantic's
  text; an unknown field's name is shown only when it looks like an identifier.
* 415 / 413 on an upload say what was wrong with it from its ``reason_class``, never from
  the file's own values.
* 500: :class:`InternalErrors` turns any unexpected exception into one French line for the
  client and one log line for the operator — the exception's class and where it was raised,
  not its message (which may quote data), and no traceback.
"""

from __future__ import annotations

import logging
import re
import traceback
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bonesearch.errors import BonesearchError, InvalidQuery, InvalidQueryImage, StoreBusy
from bonesearch.imaging.query_image import MAX_QUERY_PIXELS
from bonesearch.web.schemas import FieldError
from bonesearch.web.security import TrackedSend, send_json

__all__ = ["InternalErrors", "NOT_AN_IMAGE", "install_error_handlers", "query_image_detail", "validation_message"]

NOT_AN_IMAGE = "le fichier envoyé n'est pas une image lisible : PNG, JPEG ou DICOM attendu"
INTERNAL = "erreur interne du serveur : la requête n'a pas abouti (l'exploitant trouvera la cause dans le journal)"
TOO_LARGE = (f"image trop grande une fois décodée : au plus {MAX_QUERY_PIXELS // 1_000_000} millions de pixels "
             f"(une radiographie en compte de 5 à 30 millions)")
#: why an upload was refused, by ``InvalidQueryImage.reason_class`` (InvalidDicom's classes included)
IMAGE_REASONS = {
    "empty_file": "fichier vide",
    "corrupt_dicom": "en-tête DICOM illisible (fichier tronqué ou endommagé)",
    "no_pixel_data": "objet DICOM sans image (compte rendu structuré, état de présentation…)",
    "dicomdir": "DICOMDIR : un index de support, pas une image",
    "pixel_data_mismatch": "données d'image DICOM plus courtes que ne l'annonce l'en-tête",
    "unsupported_pixels": "pixels DICOM non convertibles en radiographie en niveaux de gris",
    "decode_error": "données d'image DICOM non décodables (fichier tronqué, ou compression non prise en charge)",
    "blank_image": "image DICOM uniforme (un seul niveau de gris) : rien à comparer",
    "deflated_dicom": "DICOM compressé en entier (deflate) non accepté : exportez-le non compressé ou en JPEG 2000",
    "damaged_dicom": "DICOM incohérent (fenêtre, table d'affichage ou pixels invalides)",
    "invalid_dicom": "DICOM incohérent (fenêtre, table d'affichage ou pixels invalides)",
}
#: 422 messages by pydantic error type; ``{…}`` are the schema's own limits, never the input
MESSAGES = {
    "missing": "champ obligatoire absent",
    "extra_forbidden": "champ inconnu",
    "int_type": "nombre entier attendu", "int_parsing": "nombre entier attendu", "int_from_float": "nombre entier attendu",
    "float_type": "nombre attendu", "float_parsing": "nombre attendu",
    "bool_type": "booléen attendu", "bool_parsing": "booléen attendu",
    "string_type": "texte attendu", "string_too_short": "texte trop court (au moins {min_length} caractère(s))",
    "string_too_long": "texte trop long (au plus {max_length} caractères)",
    "string_pattern_mismatch": "format invalide",
    "literal_error": "valeur attendue : {expected}",
    "greater_than_equal": "doit être au moins {ge}", "greater_than": "doit être supérieur à {gt}",
    "less_than_equal": "doit être au plus {le}", "less_than": "doit être inférieur à {lt}",
    "date_type": "date ISO attendue (AAAA-MM-JJ)", "date_parsing": "date ISO attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date ISO attendue (AAAA-MM-JJ)",
    "date_from_datetime_inexact": "date ISO attendue (AAAA-MM-JJ), sans heure",
    "model_type": "objet JSON attendu", "model_attributes_type": "objet JSON attendu", "dict_type": "objet JSON attendu",
    "list_type": "liste attendue", "json_invalid": "corps JSON invalide", "json_type": "corps JSON invalide",
}
PATTERN_HINTS = {  # string_pattern_mismatch, by field: what the pattern means
    "query": "texte non vide attendu",
    "body_part": "code attendu (majuscules, chiffres, _), voir /api/info",
    "study_uid": "UID d'examen attendu (chiffres et points)",
}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
log = logging.getLogger("bonesearch.web")


def validation_message(error: dict) -> tuple[str, str]:
    """(field, French message) for one pydantic error, without the value that was sent."""
    parts = [str(p) if isinstance(p, int) or IDENTIFIER.fullmatch(str(p)) else "…" for p in error["loc"][1:]]
    if error["type"] == "extra_forbidden" and parts and parts[-1] == "…":
        parts = parts[:-1]  # an unknown key that is not an identifier is not repeated, not even elided
    kind, ctx = error["type"], error.get("ctx") or {}
    field = "body" if kind.startswith("json_") else ".".join(parts) or str(error["loc"][0])  # json: loc is an offset
    if kind == "value_error" and isinstance(ctx.get("error"), FieldError):
        return field, str(ctx["error"])
    if kind == "string_pattern_mismatch":
        return field, PATTERN_HINTS.get(parts[-1] if parts else "", MESSAGES[kind])
    template = MESSAGES.get(kind, "valeur invalide")
    limits = {k: (str(v).replace(" or ", " ou ") if k == "expected" else v) for k, v in ctx.items()
              if k in ("min_length", "max_length", "ge", "gt", "le", "lt", "expected")}
    try:
        return field, template.format(**limits)
    except (KeyError, IndexError):
        return field, "valeur invalide"


def query_image_detail(exc: InvalidQueryImage) -> tuple[int, str]:
    """(status, French detail) for an upload that could not be used."""
    if exc.reason_class == "too_large":
        return 413, TOO_LARGE
    reason = IMAGE_REASONS.get(exc.reason_class)
    return 415, f"{NOT_AN_IMAGE} ({reason})" if reason else NOT_AN_IMAGE


def install_error_handlers(app: FastAPI) -> None:
    """User errors as JSON ``{"detail": message}`` with the right status."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [dict(zip(("field", "message"), validation_message(e))) for e in exc.errors()]
        detail = "; ".join(f"{e['field']} : {e['message']}" for e in errors)
        return JSONResponse({"detail": f"paramètre invalide — {detail}", "errors": errors}, status_code=422)

    @app.exception_handler(InvalidQueryImage)
    async def not_an_image(request: Request, exc: InvalidQueryImage) -> JSONResponse:
        status, detail = query_image_detail(exc)
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(StoreBusy)
    async def busy(request: Request, exc: StoreBusy) -> JSONResponse:
        return JSONResponse({"detail": f"base en cours de mise à jour, réessayez dans un instant ({exc})"},
                            status_code=503, headers={"retry-after": "2"})

    @app.exception_handler(InvalidQuery)
    async def invalid_query(request: Request, exc: InvalidQuery) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(BonesearchError)
    async def unavailable(request: Request, exc: BonesearchError) -> JSONResponse:
        return JSONResponse({"detail": f"la base ne peut pas être interrogée : {exc}"}, status_code=503)


class InternalErrors:
    """ASGI middleware: an unexpected exception becomes a French 500 and one log line (its
    class and the file:line that raised it; no message, no traceback) instead of uvicorn's
    traceback."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        tracked = TrackedSend(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # noqa: BLE001 — the point: nothing escapes to uvicorn's traceback
            frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
            route = getattr(scope.get("route"), "path", "-")
            log.error("internal error on %s %s: %s%s", scope.get("method", "-"), route, type(exc).__name__, where)
            if not tracked.started:
                await send_json(send, 500, INTERNAL)
