"""The chain: a document read, its sentences translated, ranked, summarized in English and
the summary translated back, each stage over a window of documents at once
(:mod:`.pipeline`, its list of stages in :func:`.pipeline.stages`); the models it runs
with (:mod:`.models`) and their translation memory (:mod:`.recall`)."""

from .models import ChainModels
from .pipeline import BilingualPipeline, stages

__all__ = ["BilingualPipeline", "ChainModels", "stages"]
