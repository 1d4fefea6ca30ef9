"""Batch jobs on the server: a folder of documents uploaded, translated by the batch
runner with the server's models, kept across restarts (see :mod:`.runner`)."""

from .runner import JobLimits, JobRunner, owner_of
from .store import default_jobs_dir

__all__ = ["JobLimits", "JobRunner", "default_jobs_dir", "owner_of"]
