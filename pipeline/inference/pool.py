"""The models a pipeline has loaded: the device and backend they run on (with the fallbacks
between backends), one runner per model id, and what each model resolves to here."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..errors import ModelLoadError, UsageError
from ..options import PipelineOptions
from .ct2_runner import CTranslate2Runner
from .hf_runner import TransformersRunner
from .registry import Registry
from .runners import Seq2SeqRunner
from .store import model_identity
from .weights import generation_digest, load_seq2seq, resolve_device

log = logging.getLogger(__name__)

#: The summarizer's batch budget (padded input tokens) when none is given: its inputs run
#: up to 1,024 tokens, so it gets its own. On CPU, the budget that did the summary stage of
#: the real-config distilbart-cnn (beam 4) with the least CPU time, measured with
#: ``benchmarks/summary_budget.py`` (README, "The summarizer's CPU batch budget"): 4,096,
#: against 2,048 +3%, 1,024 +11% and the former 16,384 +25%.
SUMMARY_BATCH_TOKENS = {"cpu": 4_096, "cuda": 65_536}


@dataclass(frozen=True)
class Decoding:
    """What decides a loaded model's outputs besides its weights: the runner class that
    runs it and the digest of the model's generation settings
    (:func:`.weights.generation_digest`)."""

    runner: str
    generation: str

    @classmethod
    def of(cls, runner: Seq2SeqRunner) -> Decoding:
        """A loaded runner's."""
        return cls(type(runner).__name__, generation_digest(runner.generation_config))


class ModelPool:
    """Loads each model once, on the device and backend ``options`` resolve to.

    ``backend`` ``auto`` is CTranslate2 when it is installed and can use the device, and
    transformers for a model CTranslate2 cannot convert; where CTranslate2 cannot run on
    the CUDA device at all, the whole pool switches to transformers (one warning). A model
    that failed to load fails again at once rather than being retried for every document.
    """

    def __init__(self, options: PipelineOptions, registry: Registry):
        self.options = options
        self.registry = registry
        self.device = resolve_device(options.device)
        self._backend: str | None = None
        self._runners: dict[str, Seq2SeqRunner] = {}
        self._load_errors: dict[str, ModelLoadError] = {}
        self._decodings: dict[str, Decoding] = {}
        self._check_compute_type()
        self._threads_set = False

    def _check_compute_type(self) -> None:
        if self.options.compute_type is None:
            return
        from . import ct2

        compute_type = ct2.resolve_compute_type(self.options.compute_type, self.device)
        if self.backend == "ctranslate2":
            import ctranslate2

            supported = ctranslate2.get_supported_compute_types(self.device)
            if compute_type not in supported:
                raise UsageError(
                    f"--compute-type {compute_type} is not supported on {self.device}; "
                    f"expected one of: {', '.join(sorted(supported))}"
                )

    @property
    def backend(self) -> str:
        """The engine models run on here: ``auto`` resolved to ``ctranslate2`` when it is
        installed and can use the device (a model it cannot convert still falls back to
        transformers)."""
        if self._backend is None:
            self._backend = self._resolve_backend()
        return self._backend

    def _resolve_backend(self) -> str:
        if self.options.backend != "auto":
            return self.options.backend
        from . import ct2

        if not ct2.available():
            return "transformers"
        if self.device == "cuda" and not ct2.cuda_available():
            self._fall_back_to_transformers("CTranslate2 cannot use the CUDA device")
            return "transformers"
        return "ctranslate2"

    def _fall_back_to_transformers(self, reason: str) -> None:
        self._backend = "transformers"
        log.warning("%s (a CPU-only build, or CUDA libraries missing); using transformers", reason)

    @property
    def compute_type(self) -> str | None:
        """The CTranslate2 weight type in use, resolved for the device; None on transformers."""
        if self.backend != "ctranslate2":
            return None
        from . import ct2

        return ct2.resolve_compute_type(self.options.compute_type, self.device)

    @property
    def summary_batch_tokens(self) -> int:
        """The summarizer's budget of padded input tokens per batch, resolved for the device."""
        return self.options.summary_batch_tokens or SUMMARY_BATCH_TOKENS[self.device]

    def runner(self, ref: str, role: str) -> Seq2SeqRunner:
        """The loaded model ``ref`` (loaded on first use), or the ModelLoadError it gave."""
        if ref in self._load_errors:
            raise self._load_errors[ref]
        if ref not in self._runners:
            self._set_threads()
            try:
                self._runners[ref] = self._load(ref, role)
            except ModelLoadError as exc:
                self._load_errors[ref] = exc
                raise
        return self._runners[ref]

    def _set_threads(self) -> None:
        """``--threads`` for torch, once, when the first model loads (a run that loads no
        model, every sentence served by the memory, never imports torch)."""
        if self.options.threads and not self._threads_set:
            import torch

            torch.set_num_threads(self.options.threads)
        self._threads_set = True

    def _load(self, ref: str, role: str) -> Seq2SeqRunner:
        from . import ct2

        revision = self.registry.revision(ref)
        store = self.options.model_store
        batch_tokens = (
            self.summary_batch_tokens if role == "summarizer" else self.options.max_batch_tokens
        )
        batching = {
            "batch_size": self.options.batch_size,
            "num_beams": self.options.num_beams,
            "max_batch_tokens": batch_tokens,
        }
        if self.backend == "ctranslate2":
            try:
                loaded = ct2.load_ctranslate2(
                    ref,
                    role=role,
                    revision=revision,
                    store=store,
                    device=self.device,
                    compute_type=self.options.compute_type,
                    threads=self.options.threads,
                )
                return CTranslate2Runner(loaded, **batching)
            except ct2.UnsupportedModelError:
                if self.options.backend != "auto":
                    raise
                log.info("%s %s: CTranslate2 cannot convert it; using transformers", role, ref)
            except ct2.DeviceUnusableError as exc:
                if self.options.backend != "auto":
                    raise
                # Every later model would fail the same way: switch the whole pool.
                self._fall_back_to_transformers(f"CTranslate2 cannot run on CUDA here ({exc})")
        loaded = load_seq2seq(ref, role=role, revision=revision, store=store, device=self.device)
        return TransformersRunner(loaded, **batching)

    def decoding(self, ref: str, role: str) -> Decoding | None:
        """How ``ref`` runs once loaded, known without loading it where that is certain: a
        model already loaded, or one CTranslate2 already converted here (None: only
        loading it tells). What lets a translation memory serve a window whose every
        sentence it holds without loading the model at all."""
        if ref in self._runners:
            return Decoding.of(self._runners[ref])
        if ref in self._load_errors or self.backend != "ctranslate2":
            return None
        if ref in self._decodings:
            return self._decodings[ref]
        from . import ct2

        generation = ct2.converted_generation_digest(
            ref,
            role=role,
            revision=self.registry.revision(ref),
            store=self.options.model_store,
            device=self.device,
            compute_type=self.options.compute_type,
        )
        if generation is None:
            return None
        self._decodings[ref] = Decoding(CTranslate2Runner.__name__, generation)
        return self._decodings[ref]

    def identity(self, ref: str) -> str:
        """What the model ``ref`` resolves to on this machine now (see
        :func:`pipeline.inference.store.model_identity`)."""
        return model_identity(
            ref, revision=self.registry.revision(ref), store=self.options.model_store
        )
