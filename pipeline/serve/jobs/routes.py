"""The jobs API: ``POST /v1/jobs`` (202 and the job's id), ``GET /v1/jobs`` (the caller's
jobs), ``GET /v1/jobs/{id}`` (where it stands), ``GET /v1/jobs/{id}/result`` (the output
folder as a zip), ``GET /v1/jobs/{id}/files/{path}`` (one file), ``DELETE
/v1/jobs/{id}`` (cancelled and removed). A caller sees only the jobs made with its key."""

# No ``from __future__ import annotations``: FastAPI reads the handlers' parameter types at
# run time, and FastAPI is imported inside the function (it is an optional extra).
import asyncio
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...documents.limits import ReadLimits
from ...errors import UsageError
from ..requests import HTTPError, multipart_parts
from ..service import Gone, Service
from .progress import counts, recorded
from .runner import JobRunner, JobsFull, owner_of
from .store import JobRecord
from .uploads import JobUpload, form_upload, json_upload

if TYPE_CHECKING:
    from fastapi import APIRouter
    from fastapi.responses import Response
    from starlette.requests import Request

#: The result's zip, beside the job's output folder (made once the job is done).
RESULT_NAME = "result.zip"


def job_view(runner: JobRunner, record: JobRecord) -> dict[str, Any]:
    """Where a job stands: its state, each document's status and reason, sentences
    translated of those read, seconds left (estimated), and the counts."""
    progress = runner.running.get(record.id)
    if progress is not None:
        documents = progress.snapshot()
        sentences = {"done": progress.translated, "total": progress.sentences}
        eta = progress.eta_s()
    else:
        documents, translated = recorded(runner.output_dir(record.id))
        sentences = {"done": translated, "total": translated}
        eta = 0.0 if record.finished else None
    done = sum(1 for d in documents if d.status not in ("queued", "running"))
    return {
        "id": record.id,
        "state": record.state,
        "error": record.error,
        "created": record.created,
        "updated": record.updated,
        "progress": {
            "documents": {"done": done, "total": max(record.documents, len(documents))},
            "sentences": sentences,
            "eta_s": eta,
        },
        "counts": counts(documents),
        "documents": [
            {"path": d.path, "status": d.status, "reason": d.reason, "outputs": list(d.outputs)}
            for d in documents
        ],
        "result": f"/v1/jobs/{record.id}/result",
    }


def result_zip(out_dir: Path, target: Path) -> Path:
    """The output folder as a zip (the tool's hidden state left out), made once."""
    if target.exists():
        return target
    partial = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder, dirs, files in os.walk(out_dir):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or name.endswith(".tmp"):
                    continue
                path = Path(folder, name)
                archive.write(path, path.relative_to(out_dir).as_posix())
    partial.replace(target)
    return target


async def read_upload(service: Service, runner: JobRunner, request: "Request") -> JobUpload:
    """The job a ``POST /v1/jobs`` carries, within ``--max-job-mb`` (413) and the zip
    check; files or web addresses, not both (addresses only with ``--allow-urls``)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = runner.limits.max_bytes
    body = await service.read_body(request, limit)
    limits = ReadLimits(max_unpacked_bytes=limit, max_file_bytes=limit)
    if media == "multipart/form-data":
        parts = multipart_parts(body, request.headers["content-type"])
        asked = await asyncio.to_thread(form_upload, parts, limits)
    elif media == "application/json":
        asked = json_upload(body)
    else:
        raise HTTPError(415, "expected multipart/form-data (files) or JSON (urls)")
    if asked.spec.urls and not service.limits.urls.allowed:
        raise HTTPError(403, "this server does not fetch web addresses (--allow-urls)")
    if asked.spec.urls and asked.documents:
        raise HTTPError(400, "give either files or web addresses, not both")
    if not asked.spec.urls and not asked.documents:
        raise HTTPError(400, "nothing to translate: send files, a .zip or web addresses")
    if asked.size > limit:
        raise HTTPError(413, f"the job's documents are over --max-job-mb ({limit} bytes)")
    return asked


def caller_job(service: Service, runner: JobRunner, request: "Request", job_id: str) -> JobRecord:
    """The caller's job (a 401 without a key, a 404 when it is not the caller's)."""
    record = runner.find(owner_of(service.check_key(request)), job_id)
    if record is None:
        raise HTTPError(404, f"no job {job_id} (or not yours)")
    return record


def output_file(out_dir: Path, path: str) -> Path:
    """One file of a job's outputs; a 404 for anything else (a path that leaves the
    folder, the tool's hidden state)."""
    out = out_dir.resolve()
    target = (out / path).resolve()
    hidden = any(p.startswith(".") for p in Path(path).parts)
    if hidden or not target.is_relative_to(out) or not target.is_file():
        raise HTTPError(404, f"no file {path} in the job's outputs")
    return target


def json_error(exc: HTTPError) -> "Response":
    """An error as the API gives every one: JSON ``{"error": ...}``."""
    from fastapi.responses import JSONResponse

    return JSONResponse({"error": exc.message}, exc.status, headers=exc.headers)


def jobs_router(service: Service, runner: JobRunner) -> "APIRouter":
    """The jobs endpoints over ``service`` (keys, limits) and ``runner``."""
    from fastapi import APIRouter, Request
    from fastapi.responses import FileResponse, JSONResponse, Response

    router = APIRouter()

    def job_of(request: Request, job_id: str) -> JobRecord:
        return caller_job(service, runner, request, job_id)

    @router.post("/v1/jobs")
    async def create(request: Request) -> Response:
        try:
            owner = owner_of(service.check_key(request))
            runner.check_room(owner)
            asked = await read_upload(service, runner, request)
            record = await asyncio.to_thread(runner.submit, owner, asked)
        except HTTPError as exc:
            return json_error(exc)
        except JobsFull as exc:
            return json_error(HTTPError(429, str(exc)))
        except UsageError as exc:
            return json_error(HTTPError(400, str(exc)))
        except Gone:
            return Response(status_code=400)
        headers = {"Location": f"/v1/jobs/{record.id}"}
        return JSONResponse(job_view(runner, record), 202, headers=headers)

    @router.get("/v1/jobs")
    async def listing(request: Request) -> Response:
        try:
            owner = owner_of(service.check_key(request))
        except HTTPError as exc:
            return json_error(exc)
        records = runner.store.owned(owner) if runner.store is not None else []
        return JSONResponse(
            {"jobs": [{"id": r.id, "state": r.state, "created": r.created} for r in records]}
        )

    @router.get("/v1/jobs/{job_id}")
    async def status(request: Request, job_id: str) -> Response:
        try:
            record = job_of(request, job_id)
        except HTTPError as exc:
            return json_error(exc)
        return JSONResponse(await asyncio.to_thread(job_view, runner, record))

    @router.get("/v1/jobs/{job_id}/result")
    async def result(request: Request, job_id: str) -> Response:
        try:
            record = job_of(request, job_id)
            if record.state != "done":
                raise HTTPError(409, f"the job is {record.state}: its result is not ready")
        except HTTPError as exc:
            return json_error(exc)
        out = runner.output_dir(job_id)
        path = await asyncio.to_thread(result_zip, out, out.parent / RESULT_NAME)
        return FileResponse(path, media_type="application/zip", filename=f"job-{job_id}.zip")

    @router.get("/v1/jobs/{job_id}/files/{path:path}")
    async def one_file(request: Request, job_id: str, path: str) -> Response:
        try:
            job_of(request, job_id)
            target = output_file(runner.output_dir(job_id), path)
        except HTTPError as exc:
            return json_error(exc)
        return FileResponse(target, filename=target.name)

    @router.delete("/v1/jobs/{job_id}")
    async def delete(request: Request, job_id: str) -> Response:
        try:
            record = job_of(request, job_id)
        except HTTPError as exc:
            return json_error(exc)
        await asyncio.to_thread(runner.cancel, record)
        return JSONResponse({"id": job_id, "state": "cancelled", "removed": True})

    return router
