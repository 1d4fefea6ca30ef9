"""What a translation memory holds: entries per route and origin, and its size."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .store import PAIR_PREFIX, TranslationMemory


@dataclass(frozen=True)
class RouteEntries:
    """The entries of one route (or language pair) and origin."""

    route: str
    #: The model id, or ``*`` for a language pair's entries (any model).
    model: str
    #: ``fr→en``, or empty where an earlier release did not record it.
    direction: str
    #: What else decides the route's translations (device, beams…), in short.
    settings: str
    origin: str
    entries: int
    #: The newest entry's date (ISO 8601, UTC).
    newest: str


@dataclass(frozen=True)
class MemoryStats:
    """A memory's file, its size on disk (its WAL journal included), its entries (in all
    and by route and origin) and the documents exported for review."""

    path: Path
    size: int
    entries: int
    routes: tuple[RouteEntries, ...]
    exported_documents: int

    def by_origin(self) -> dict[str, int]:
        """Entries per origin."""
        counts: dict[str, int] = {}
        for route in self.routes:
            counts[route.origin] = counts.get(route.origin, 0) + route.entries
        return counts


def memory_stats(memory: TranslationMemory) -> MemoryStats:
    """Count what ``memory`` holds (one pass over its entries)."""
    rows = memory.read(
        "SELECT route, origin, count(*), max(created) FROM translations GROUP BY route, origin"
    )
    described = {
        r: (m, d) for r, m, d in memory.read("SELECT route, model, description FROM routes")
    }
    directions = {
        r: f"{s}→{t}"
        for r, s, t in memory.read(
            "SELECT route, source, target FROM directions", table="directions"
        )
    }
    routes = []
    for route, origin, entries, newest in rows:
        model, description = described.get(route, ("", "{}"))
        routes.append(
            RouteEntries(
                route,
                model,
                directions.get(route, ""),
                _settings(route, description),
                origin,
                entries,
                newest,
            )
        )
    documents = memory.read("SELECT count(*) FROM documents", table="documents")
    size = sum(p.stat().st_size for p in (memory.path, Path(f"{memory.path}-wal")) if p.exists())
    return MemoryStats(
        memory.path,
        size,
        sum(r.entries for r in routes),
        tuple(sorted(routes, key=lambda r: (r.direction, r.model, r.origin, r.route))),
        documents[0][0] if documents else 0,
    )


def _settings(route: str, description: str) -> str:
    """A route's settings in short: ``ctranslate2 cpu int8, beams 4``."""
    if route.startswith(PAIR_PREFIX):
        return "any model"
    try:
        settings = json.loads(description).get("settings") or {}
    except (ValueError, AttributeError):
        return ""
    parts = [str(settings[k]) for k in ("runner", "device", "compute_type") if settings.get(k)]
    if settings.get("num_beams"):
        parts.append(f"beams {settings['num_beams']}")
    return " ".join(parts)
