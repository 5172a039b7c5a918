"""The JSON API under ``/api``: read-only; every search goes through :class:`SearchEngine`.

| route | does |
|---|---|
| ``GET /api/info`` | counts, filter values, example queries, limits |
| ``POST /api/search`` | French text → images (or studies), filtered, one page |
| ``POST /api/search/image`` | an image file in the body (PNG/JPEG/DICOM, decoded in memory) → similar images |
| ``GET /api/studies/{study_uid}`` | a study: its images and full de-identified reports |
| ``POST /api/studies/{study_uid}/similar`` | « cas similaires »: the most similar studies |
| ``GET /api/images/{image_id}/thumbnail`` | the cached greyscale PNG |
| ``POST /api/session`` / ``DELETE /api/session`` | exchange the access token for a session cookie / drop it |
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from bonesearch.imaging.query_image import load_query_image
from bonesearch.imaging.thumbnails import pixel_files
from bonesearch.web.live import LiveEngine
from bonesearch.web.results import result_page, study_detail
from bonesearch.web.schemas import (STUDY_UID, ImageQuery, Info, Limits, ResultPage, SearchRequest,
                                    SimilarRequest, StudyDetail, where_clause)
from bonesearch.web.security import SESSION_COOKIE, cookie_value, tokens_match

__all__ = ["EXAMPLE_QUERIES", "IMAGE_SEARCH_PATH", "router"]

IMAGE_SEARCH_PATH = "/search/image"  # under the router's /api prefix
EXAMPLE_QUERIES = [
    "fracture du radius distal", "arthrose du genou", "luxation de l'épaule", "fracture du scaphoïde",
    "coxarthrose", "matériel d'ostéosynthèse", "pas de fracture",
]
UPLOAD_NAME = "image envoyée"  # how an upload is named in errors (its file name is never used)
StudyUid = Annotated[str, Path(pattern=STUDY_UID, description="Pseudonymised study UID (2.25.…).")]
ImageId = Annotated[int, Path(ge=0, le=2**63 - 1, description="images.image_id (a 64-bit signed key).")]
NO_STUDY = "aucun examen avec cet identifiant dans la base (effacé, ou identifiant inexact)"

router = APIRouter(prefix="/api")


def _live(request: Request) -> LiveEngine:
    return request.app.state.live


@router.get("/info", response_model=Info, summary="What the page needs: counts, filter values, examples")
def info(request: Request) -> Info:
    live = _live(request)
    with live.use():
        return Info(images=live.counts["images"], studies=live.counts["studies"], facets=live.facets,
                    examples=EXAMPLE_QUERIES, limits=Limits(upload_max_bytes=request.app.state.upload_max_bytes),
                    study_similarity=live.study_similarity)


@router.post("/search", response_model=ResultPage, summary="French text search")
def search_text(request: Request, body: SearchRequest) -> ResultPage:
    """The images (or studies, ``group_by: study``) closest to ``query`` among those matching ``filters``."""
    with _live(request).use() as engine:
        start = time.perf_counter()
        hits = engine.search_text(body.query, body.page * body.per_page + 1, where=where_clause(body.filters),
                                  group_by=body.group_by, mode=body.mode)
        took = (time.perf_counter() - start) * 1000
    return result_page(hits, body, took, query=body.query)


@router.post(IMAGE_SEARCH_PATH, response_model=ResultPage, summary="Image search (PNG, JPEG or DICOM in the body)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                 "image/png": {}, "image/jpeg": {}, "application/dicom": {}}}})
async def search_image(request: Request, params: Annotated[ImageQuery, Query()]) -> ResultPage:
    """The images most similar to the uploaded picture. The file is decoded in memory, at the
    size the search needs (never above ``MAX_QUERY_PIXELS``), and dropped after the search:
    it is never written to disk, and its DICOM header is not read beyond what decoding needs.
    Unreadable: 415; too many pixels once decoded: 413."""
    paging = params.paging()
    data = await request.body()
    if not data:
        raise HTTPException(400, "aucune image dans la requête : envoyez le fichier (PNG, JPEG ou DICOM) comme corps")
    pixels = await run_in_threadpool(load_query_image, data, UPLOAD_NAME)
    del data

    def run() -> ResultPage:
        with _live(request).use() as engine:
            start = time.perf_counter()
            hits = engine.search_image(pixels, paging.page * paging.per_page + 1,
                                       where=where_clause(params.filters()), group_by=params.group_by)
            return result_page(hits, paging, (time.perf_counter() - start) * 1000)

    return await run_in_threadpool(run)


@router.get("/studies/{study_uid}", response_model=StudyDetail, summary="A study: images and full report")
def study(request: Request, study_uid: StudyUid) -> StudyDetail:
    with _live(request).use() as engine:
        detail = study_detail(engine.store.con, study_uid)
    if detail is None:
        raise HTTPException(404, NO_STUDY)
    return detail


@router.post("/studies/{study_uid}/similar", response_model=ResultPage, summary="« Cas similaires »: similar studies")
def similar_studies(request: Request, study_uid: StudyUid,
                    body: Annotated[SimilarRequest, Body(default_factory=SimilarRequest)]) -> ResultPage:
    """The studies whose study vectors are closest to this study's, among those matching ``filters``."""
    with _live(request).use() as engine:
        if study_detail(engine.store.con, study_uid) is None:
            raise HTTPException(404, NO_STUDY)
        start = time.perf_counter()
        hits = engine.search_study(study_uid, body.page * body.per_page + 1, where=where_clause(body.filters))
        took = (time.perf_counter() - start) * 1000
    return result_page(hits, body, took)


@router.get("/images/{image_id}/thumbnail", summary="The cached greyscale picture (PNG)",
            response_class=Response, responses={200: {"content": {"image/png": {}}}})
def thumbnail(request: Request, image_id: ImageId) -> Response:
    with _live(request).use() as engine:
        file = pixel_files(engine.store, [image_id]).get(image_id)
    if file is None:
        raise HTTPException(404, "aucune image avec cet identifiant dans la base (effacée, ou identifiant inexact)")
    return Response(file.read_bytes(), media_type="image/png")


class SessionRequest(BaseModel):
    token: str


@router.post("/session", status_code=204, summary="Exchange the access token for a session cookie")
def open_session(request: Request, body: SessionRequest) -> Response:
    token = request.app.state.token
    if token is None:
        return Response(status_code=204)
    if not tokens_match(body.token, token):
        raise HTTPException(401, "jeton d'accès invalide")
    response = Response(status_code=204)
    response.set_cookie(SESSION_COOKIE, cookie_value(token), httponly=True, samesite="strict", path="/api",
                        secure=request.url.scheme == "https")
    return response


@router.delete("/session", status_code=204, summary="Drop the session cookie")
def close_session() -> Response:
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/api")
    return response

