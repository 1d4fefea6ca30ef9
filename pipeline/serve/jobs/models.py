"""A job's models: the server's options with the job's own, the pipeline the batch run
drives with them, and how its documents are computed (in the server's model process, or
in this one), so every job shares the models the server loaded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...run.compute import compute_stream
from .engine import ComputeFn
from .store import JobSpec

if TYPE_CHECKING:
    from ...chain import BilingualPipeline
    from ...options import PipelineOptions

#: Pipelines kept for jobs whose options differ from the server's.
KEPT = 2


class JobModels:
    """The server's pipeline and the models it computes with (``models``: the model
    process, or the pipeline itself), seen from the jobs."""

    def __init__(self, pipeline: BilingualPipeline, models: Any):
        self.pipeline = pipeline
        self.models = models
        self._pipelines: dict[Any, BilingualPipeline] = {}

    def options(self, spec: JobSpec, folder: Path) -> PipelineOptions:
        """The server's options with the job's own (a UsageError when they do not go)."""
        options = self.pipeline.worker_options
        changes: dict[str, Any] = {}
        if spec.source_lang:
            self.pipeline.registry.check_code(spec.source_lang)
            changes["source_lang"] = spec.source_lang
        if spec.summary_length:
            changes["summary_length"] = spec.summary_length
        if spec.checks:
            changes["checks"] = spec.checks
        if spec.glossary:
            changes["glossary"] = folder / spec.glossary
        return replace(options, **changes).check() if changes else options

    def driver(self, options: PipelineOptions) -> BilingualPipeline:
        """The pipeline a job's batch run drives with (the server's for its options; its
        models load only where computed)."""
        if options == self.pipeline.worker_options:
            return self.pipeline
        if options not in self._pipelines:
            from ...chain import BilingualPipeline

            while len(self._pipelines) >= KEPT:
                self._pipelines.pop(next(iter(self._pipelines)))
            self._pipelines[options] = BilingualPipeline(options, registry=self.pipeline.registry)
        return self._pipelines[options]

    def compute_fn(self, options: PipelineOptions) -> ComputeFn:
        """How a job's tasks are computed: by the model process (``pipeline serve``), or
        by the pipeline in this process."""
        models = self.models
        if hasattr(models, "compute"):  # the model process
            return lambda job, emit, deliver: models.compute(options, job, emit, deliver)
        pipeline = self.driver(options)

        def compute(job: Any, emit: Any, deliver: Any) -> None:
            for computed in compute_stream(pipeline, job, emit):
                deliver(computed)

        return compute
