"""``pipeline serve``: a page and an HTTP API over one pipeline, with requests that arrive
together summarized together. Needs the ``serve`` extra (FastAPI, uvicorn,
python-multipart)."""

from .app import create_app
from .server import API_KEY_ENV, check_bind, is_loopback, require_serve_extra, serve, warm_up
from .settings import ServeLimits, describe_models

__all__ = [
    "API_KEY_ENV",
    "ServeLimits",
    "check_bind",
    "create_app",
    "describe_models",
    "is_loopback",
    "require_serve_extra",
    "serve",
    "warm_up",
]
