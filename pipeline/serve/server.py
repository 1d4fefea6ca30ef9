"""Running the server: the extra it needs, where it may listen, warming the models up, and
the uvicorn loop."""

import contextlib
import ipaddress
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .app import create_app
from .jobs import JobLimits
from .model_process import ModelWorker, warm_up_models
from .settings import ServeLimits

if TYPE_CHECKING:
    from ..chain import BilingualPipeline

#: Environment variable that holds the API key when ``--api-key`` is not given.
API_KEY_ENV = "PIPELINE_API_KEY"
INSTALL_HINT = "pipeline serve needs the serve extra: pip install 'bilingual-pipeline[serve]'"


def require_serve_extra() -> None:
    """Raise UsageError with the install command when FastAPI, uvicorn or python-multipart
    is missing."""
    try:
        import fastapi  # noqa: F401
        import python_multipart  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL_HINT) from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, api_key: "str | Sequence[str] | None") -> None:
    """Refuse to serve beyond loopback without an API key."""
    if not is_loopback(host) and not api_key:
        raise UsageError(
            f"--host {host} accepts connections from other machines: set --api-key or "
            f"{API_KEY_ENV} (or bind 127.0.0.1)"
        )


def warm_up(pipeline: "BilingualPipeline", model_worker: ModelWorker | None = None) -> None:
    """Load what every request needs before the first one arrives: the language
    identifier here (documents are read here), the models in ``model_worker``'s process
    (or here, without one).

    With ``--source-lang auto`` a language's translators load on its first document.
    """
    from ..documents.langid import identify

    identify("warm-up")  # the language identifier loads on first use
    if model_worker is not None:
        model_worker.warm_up()
    else:
        warm_up_models(pipeline)


def serve(
    pipeline: "BilingualPipeline",
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    api_key: "str | Sequence[str] | None" = None,
    limits: ServeLimits | None = None,
    jobs: JobLimits | None = None,
    log_level: str = "warning",
    on_ready: Any = None,
    max_memory: int | None = None,
) -> None:
    """Bind ``host:port``, load the models and serve until interrupted.

    The socket is bound here first, so an address in use is one error (UsageError) before
    any model loads; ``on_ready(url)`` is called once it listens. The models work in a
    process of their own (:class:`~pipeline.serve.model_process.ModelWorker`, under
    ``max_memory`` bytes; default a share of the machine), started again should a
    request crash it.
    """
    import signal
    import socket

    import uvicorn

    check_bind(host, api_key)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    model_worker = ModelWorker(pipeline.worker_options, pipeline.registry, max_memory=max_memory)
    try:
        warm_up(pipeline, model_worker)
    except BaseException:
        model_worker.close()
        sock.close()
        raise
    app = create_app(pipeline, api_key=api_key, limits=limits, model_worker=model_worker, jobs=jobs)
    sock.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    bound = sock.getsockname()[1]
    url = f"http://{f'[{host}]' if family == socket.AF_INET6 else host}:{bound}/"
    config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready(url)
    # uvicorn shuts down gracefully on SIGINT or SIGTERM, then raises the signal again; both
    # arrive here as KeyboardInterrupt, and stopping a server that way is a normal end.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        model_worker.close()
