"""What a job's upload carries: its documents (files, a folder chosen in a browser, a
``.zip`` of a folder, or web addresses) written under the job's folder, no path escaping
it, and the batch options it asks for."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ...documents.archive import check_archive
from ...documents.formats import SUPPORTED_SUFFIXES
from ...documents.limits import ReadLimits
from ...errors import PipelineError, UsageError
from ...options import CHECKS, SUMMARY_LENGTHS, check_choice
from ...run.plan import OUTPUTS, parse_outputs
from ...run.urls import parse_url_list
from ..requests import FormPart, HTTPError, error_status, parse_flag
from .store import JobSpec

#: A job's uploaded documents, under its folder.
INPUT_DIR = "input"
#: Field names of a job's form (multipart) or JSON body.
FILES_FIELD = "files"
GLOSSARY_SUFFIXES = (".tsv", ".csv", ".tbx")


@dataclass(frozen=True)
class JobUpload:
    """A job as uploaded: its documents (relative path, bytes), the options it asks for,
    and its glossary file (name, bytes)."""

    documents: tuple[tuple[PurePosixPath, bytes], ...]
    spec: JobSpec
    glossary: tuple[str, bytes] | None = None

    @property
    def size(self) -> int:
        """Bytes of its documents."""
        return sum(len(data) for _, data in self.documents)


def safe_relative(name: str, archive: str | None = None) -> PurePosixPath:
    """``name`` as a path inside the job's folder; a 400 when it would leave it (an
    absolute path, a drive, ``..``: a zip slip)."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    where = f"{archive}: " if archive else ""
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        raise HTTPError(400, f"{where}{name}: a path outside the job's folder (refused)")
    if not parts:
        raise HTTPError(400, f"{where}an entry without a name")
    return PurePosixPath(*parts)


def unpack_zip(data: bytes, name: str, limits: ReadLimits) -> list[tuple[PurePosixPath, bytes]]:
    """The files of a zip of a folder, checked first by the one zip check
    (:func:`pipeline.documents.archive.check_archive`: a bomb is a 413 with its reason);
    an entry that would land outside the job's folder is a 400. Links are not followed
    (a zip's symbolic link is refused)."""
    try:
        check_archive(data, name, limits)
    except PipelineError as exc:
        raise HTTPError(error_status(exc), str(exc)) from None
    files = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            relative = safe_relative(member.filename, name)
            if member.is_dir():
                continue
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise HTTPError(400, f"{name}: {member.filename}: a symbolic link (refused)")
            files.append((relative, archive.read(member)))
    return files


def job_documents(
    parts: Sequence[FormPart], limits: ReadLimits
) -> list[tuple[PurePosixPath, bytes]]:
    """The documents of a job's form: each file of the ``files`` field (a folder chosen
    in a browser sends its files with their paths), a zip unpacked in place."""
    documents: list[tuple[PurePosixPath, bytes]] = []
    for part in parts:
        if part.name != FILES_FIELD or not (part.filename or part.data):
            continue
        relative = safe_relative(part.filename or "upload")
        if relative.suffix.lower() == ".zip":
            # Its files beside it, as unzipping it there would put them.
            unpacked = unpack_zip(part.data, relative.name, limits)
            documents += [(relative.parent / p, d) for p, d in unpacked]
        elif relative.suffix.lower() in SUPPORTED_SUFFIXES:
            documents.append((relative, part.data))
        else:
            raise HTTPError(
                415,
                f"{relative}: unsupported format '{relative.suffix}' (expected one of: "
                f"{', '.join((*SUPPORTED_SUFFIXES, '.zip'))})",
            )
    seen: set[PurePosixPath] = set()
    for relative, _ in documents:
        if relative in seen:
            raise HTTPError(400, f"{relative}: two files of the job have that name")
        seen.add(relative)
    return documents


def job_spec(values: dict[str, str], urls: Sequence[str], glossary: str | None) -> JobSpec:
    """The options a job asks for (form fields or JSON keys, as the batch's flags name
    them): ``write``, ``source_lang``, ``summary_length``, ``check``, ``strict``,
    ``max_risk``; a 400 naming what is wrong."""
    try:
        write = parse_outputs(values.get("write") or ",".join(OUTPUTS))
        length = values.get("summary_length") or None
        if length is not None:
            check_choice(length, SUMMARY_LENGTHS, "summary_length")
        checks = tuple(c for c in (values.get("check") or "").split(",") if c.strip())
        for check in checks:
            check_choice(check.strip(), CHECKS, "check")
        risk = values.get("max_risk") or None
        strict = parse_flag(values.get("strict"), "strict")
        max_risk = float(risk) if risk is not None else None
        if max_risk is not None and (not strict or not 0 <= max_risk <= 1):
            raise UsageError("max_risk: a number between 0 and 1, with strict")
    except ValueError:
        raise HTTPError(400, f"max_risk: expected a number, got '{risk}'") from None
    except UsageError as exc:
        raise HTTPError(400, str(exc)) from None
    return JobSpec(
        write=tuple(o for o in OUTPUTS if o in write),
        source_lang=(values.get("source_lang") or "").strip() or None,
        summary_length=length,
        checks=tuple(c.strip() for c in checks),
        strict=strict,
        max_risk=max_risk,
        glossary=glossary,
        urls=tuple(urls),
    )


def form_upload(parts: Sequence[FormPart], limits: ReadLimits) -> JobUpload:
    """A job's multipart form: ``files`` (several), ``urls`` (one address a line),
    ``glossary`` (a file) and the options of :func:`job_spec`."""
    values = {p.name: p.data.decode("utf-8", "replace") for p in parts if p.filename is None}
    glossary = next((p for p in parts if p.name == "glossary" and p.filename), None)
    pair = None
    if glossary is not None:
        suffix = PurePosixPath(glossary.filename or "").suffix.lower()
        if suffix not in GLOSSARY_SUFFIXES:
            raise HTTPError(415, f"glossary: expected one of {', '.join(GLOSSARY_SUFFIXES)}")
        pair = (f"glossary{suffix}", glossary.data)
    urls = parse_url_list(values.get("urls", ""))
    spec = job_spec(values, urls, pair[0] if pair else None)
    return JobUpload(tuple(job_documents(parts, limits)), spec, pair)


def json_upload(body: bytes) -> JobUpload:
    """A job's JSON body: ``{"urls": [...], "write": "md,json", ...}``."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise HTTPError(400, "the body is not valid JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("urls"), list):
        raise HTTPError(400, 'expected {"urls": ["https://...", ...]} (files: multipart)')
    urls = [str(u) for u in payload.pop("urls")]
    values = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in payload.items()}
    return JobUpload((), job_spec(values, urls, None))


def write_inputs(upload: JobUpload, folder: Path) -> None:
    """The job's documents (and glossary) under ``folder``, whole or not at all: written
    to a temporary folder, then renamed."""
    staging = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    inputs = staging / INPUT_DIR
    inputs.mkdir(parents=True)
    for relative, data in upload.documents:
        target = inputs.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if upload.glossary is not None:
        (staging / upload.glossary[0]).write_bytes(upload.glossary[1])
    staging.rename(folder)
