"""What happened to each document of a batch, and to the batch as a whole."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..records import Coverage, ModelsUsed, Quality, Risk
from ..units import UnitCount


@dataclass(frozen=True)
class DocumentTimings:
    """Seconds spent on one document, by stage."""

    read_s: float = 0.0
    translate_s: float = 0.0
    summarize_s: float = 0.0
    write_s: float = 0.0
    total_s: float = 0.0


@dataclass(frozen=True)
class DocumentOutcome:
    """What happened to one document of a batch."""

    relative: str
    status: str  # "done", "failed" or "skipped"
    reason: str | None = None
    sha256: str | None = None
    language: str | None = None
    models: ModelsUsed | None = None
    coverage: Coverage | None = None
    quality: Quality | None = None
    timings: DocumentTimings | None = None
    outputs: tuple[Path, ...] = ()
    summary_en: str | None = None
    #: Source words (for throughput figures); 0 when the document was not processed.
    words: int = 0
    #: True when the document failed because a model it needs could not be loaded.
    model_error: bool = False
    #: Its sentences' highest and mean risk (None when it was not translated).
    risk: Risk | None = None
    #: The web address a page was fetched from (``relative`` names it too).
    url: str | None = None
    #: Outputs of a done document that could not be written, and why, as (output, reason).
    unwritten: tuple[tuple[str, str], ...] = ()
    #: The document written back: its units read and written, by kind, and how many of a
    #: PDF's blocks were set below the type floor to fit (empty when none was written).
    units: tuple[UnitCount, ...] = ()
    unfitted: int = 0

    def manifest_record(self, run_id: str) -> dict[str, Any]:
        """This outcome as a manifest line."""
        return {
            "run_id": run_id,
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "path": self.relative,
            "sha256": self.sha256,
            "language": self.language,
            "status": self.status,
            "reason": self.reason,
            "models": asdict(self.models) if self.models else None,
            "timings": asdict(self.timings) if self.timings else None,
            "coverage": asdict(self.coverage) if self.coverage else None,
            "quality_flags": self.quality.counts() if self.quality else None,
            "risk": (
                {"max": round(self.risk.max, 4), "mean": round(self.risk.mean, 4)}
                if self.risk
                else None
            ),
            "outputs": [p.name for p in self.outputs],
            "unwritten": dict(self.unwritten),
            **({"url": self.url} if self.url is not None else {}),
            **(
                {
                    "document_units": [asdict(c) for c in self.units],
                    "unfitted_units": self.unfitted,
                }
                if self.units
                else {}
            ),
        }


@dataclass(frozen=True)
class BatchSummary:
    """Counts and throughput of a finished batch."""

    done: int
    failed: int
    skipped: int
    sentences: int = 0
    words: int = 0
    seconds: float = 0.0
    #: Documents done with an output that could not be written (the manifest says why).
    unwritten: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[DocumentOutcome], seconds: float = 0.0) -> BatchSummary:
        """Count outcomes by status and add up what was translated."""
        outcomes = list(outcomes)
        counts = Counter(o.status for o in outcomes)
        processed = [o for o in outcomes if o.coverage is not None and o.timings is not None]
        return cls(
            counts["done"],
            counts["failed"],
            counts["skipped"],
            sum(o.coverage.translated_sentences for o in processed),  # type: ignore[union-attr]
            sum(o.words for o in processed),
            seconds,
            sum(1 for o in outcomes if o.unwritten),
        )

    @property
    def words_per_second(self) -> float:
        """Source words translated and summarized per second of wall time."""
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        total = self.done + self.failed + self.skipped
        line = f"{total} documents: {self.done} done, {self.failed} failed, {self.skipped} skipped"
        if self.unwritten:
            line += f" ({self.unwritten} done without every output: see the manifest)"
        return line
