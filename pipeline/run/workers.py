"""What every worker process or Ray actor holds: one pipeline, built from the settings the
driver resolved (:mod:`pipeline.run.settings`), computing the jobs shipped to it under its
memory ceiling, and the loop a local worker process runs."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from ..errors import ModelLoadError
from ..options import PipelineOptions
from .ceiling import apply_ceiling, default_ceiling
from .compute import Computed, Task, compute_stream, failed, memory_error
from .events import Emit
from .settings import WorkerSettings, describe_node

if TYPE_CHECKING:
    from ..chain import BilingualPipeline
    from ..inference.registry import Registry

#: A document whose worker dies this many times while it runs alone is recorded as failed.
MAX_ATTEMPTS = 3

#: A job: documents shipped to one worker at once.
Job = Sequence[Task]
#: What a worker runs on a job: its results as they come, its events through ``emit``.
ComputeFn = Callable[[Job, Emit], Iterator[Computed]]


#: Modules a new worker finds already imported (forked from a server process that
#: imported them once). Not the model libraries (torch, transformers, CTranslate2): a
#: worker imports them when it first loads a model, and a run whose every sentence the
#: translation memory holds loads none (2 s saved on a re-run; a worker started again
#: after a crash pays them again).
_PRELOAD = ["pipeline.run.workers", "pipeline.chain"]


def process_context() -> Any:
    """A fork server where the system has one (a clean process that imports the heavy
    modules once, then forks each worker from itself: safe with CUDA and threads, and
    fast), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def available_cores() -> int:
    """CPU cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class WorkerSetup:
    """Everything a worker process needs to start: the settings the driver resolved (its
    options, the environment its libraries read, the paths its node must have) and the
    registry, when not the default; its memory ceiling, ``max_memory`` bytes or else its
    ``share`` of its machine (one of ``share`` workers there); and, for a local worker,
    the driver's environment (one forked from a long-lived server process must not keep
    that process's; None leaves a Ray actor's own, which the settings' environment is
    given to through its ``runtime_env``)."""

    settings: WorkerSettings
    registry: Registry | None = None
    max_memory: int | None = None
    share: int = 1
    environment: dict[str, str] | None = field(default_factory=lambda: dict(os.environ))
    #: The driver's logging level: a local worker's records go to the driver at it.
    log_level: int = field(default_factory=lambda: logging.getLogger().getEffectiveLevel())
    #: The driver's process id, for a worker on its machine: the worker leaves when the
    #: driver is gone (killed, it cannot stop its workers). None: a Ray actor's.
    driver: int | None = None

    @property
    def options(self) -> PipelineOptions:
        """The options the worker's pipeline is built from."""
        return self.settings.options


_worker_pipeline: BilingualPipeline | None = None
#: Why this worker cannot compute documents (a path the driver has missing on this node).
_worker_problem: ModelLoadError | None = None


def init_worker(
    settings: WorkerSettings, registry: Registry | None = None, node: str | None = None
) -> None:
    """Build this process's pipeline (models load on first use, once), unless something the
    driver relies on is missing on this node (``node`` names it in messages): then every
    document given to this worker fails with that reason."""
    from ..chain import BilingualPipeline

    global _worker_pipeline, _worker_problem
    _worker_problem = settings.missing_here(node or describe_node())
    _worker_pipeline = (
        None if _worker_problem else BilingualPipeline(settings.options, registry=registry)
    )


def start_worker(setup: WorkerSetup, node: str | None = None) -> None:
    """Set a worker process up: the driver's environment and the settings' own, the memory
    ceiling, the pipeline (``node`` names where it runs in messages). Ctrl-C is the
    driver's to handle: a worker finishes or is stopped by it."""
    if setup.environment is not None and os.environ != setup.environment:
        os.environ.clear()
        os.environ.update(setup.environment)
    os.environ.update(dict(setup.settings.env))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup.driver is not None:
        exit_with(setup.driver)
    apply_ceiling(setup.max_memory or default_ceiling(setup.share))
    init_worker(setup.settings, setup.registry, node)


def exit_with(pid: int, every: float = 1.0) -> None:
    """Leave this process within ``every`` seconds of process ``pid`` (the driver) ending:
    a driver that is killed cannot stop its workers, and one in the middle of a long job
    would go on computing for nobody, holding its memory and cores. Where ``/proc`` is,
    the driver is known by its id and start time (an id can be reused) and a zombie counts
    as ended; elsewhere by its id."""
    first = _stat(pid)

    def alive() -> bool:
        if first is None:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                pass
            return True
        now = _stat(pid)
        return now is not None and now[19] == first[19] and now[0] != "Z"

    def watch() -> None:
        while alive():
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-driver", daemon=True).start()


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first, start time
    at 19), or None where there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields if len(fields) > 19 else None


def compute_in_worker(job: Job, emit: Emit) -> Iterator[Computed]:
    """Compute ``job`` with this process's pipeline (see :func:`init_worker`)."""
    if _worker_problem is not None:
        return iter([failed(task, _worker_problem) for task in job])
    return compute_stream(worker_pipeline(), job, emit)


def worker_main(connection: Connection, setup: WorkerSetup, compute_fn: ComputeFn) -> None:
    """A local worker process: say ``("ready", None)``; then receive a job, send back
    ``("event", e)`` and ``("result", computed)`` messages as they come, then
    ``("done", None)``, or ``("error", exc)`` when the job as a whole raised; until told
    ``None`` (stop)."""
    sending = threading.Lock()

    def send(message: tuple[str, object]) -> None:
        with sending:
            connection.send(message)

    def emit(event: object) -> None:
        send(("event", event))

    forward_logs(send, setup.log_level)
    start_worker(setup)
    send(("ready", None))

    while True:
        try:
            job = connection.recv()
        except EOFError:  # the driver went away
            return
        if job is None:
            return
        try:
            for computed in compute_fn(job, emit):
                send(("result", computed))
        except BaseException as exc:
            # Named here, where the ceiling it went past is known.
            error = memory_error() if isinstance(exc, MemoryError) else exc
            send(("error", picklable(error)))
            continue
        send(("done", None))


def forward_logs(send: Callable[[tuple[str, object]], None], level: int) -> None:
    """Send this process's log records to the driver, which shows them as its own (above
    its progress bar)."""
    root = logging.getLogger()
    root.handlers = [_Forward(send)]
    root.setLevel(level)


def worker_pipeline() -> BilingualPipeline:
    """This worker's pipeline (see :func:`start_worker`)."""
    assert _worker_pipeline is not None, "worker not initialised"
    return _worker_pipeline


class _Forward(logging.Handler):
    """Sends each log record, formatted, to the driver as ``("log", (name, level, text))``."""

    def __init__(self, send: Callable[[tuple[str, object]], None]):
        super().__init__()
        self.send = send

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # the driver is gone: nothing to tell
            self.send(("log", (record.name, record.levelno, self.format(record))))


def picklable(exc: BaseException) -> BaseException:
    """``exc``, or a RuntimeError saying what it was when it cannot cross a process
    boundary."""
    import pickle

    try:
        pickle.dumps(exc)
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def describe_exit(exitcode: int | None) -> str:
    """How a worker ended, in words: ``killed by SIGKILL``, ``exit code 1``."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"killed by {name}{hint}"
    return f"exit code {exitcode}"
