"""Logging parts named by the LOGGING setting.

The application's log file (issue 12) holds one JSON object per line, for a log collector
(Filebeat, Fluent Bit, Vector, Promtail: each reads JSON lines as they are). The formatter is
ours, not python-json-logger's: the record has a dozen fixed keys, which is a few lines, and one
more dependency would buy nothing here."""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import logging.handlers
import os
import re
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

# What the running request contributes to every record logged while it runs.
_request_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "qingdao_request_context", default=None
)
# An id the reverse proxy sends (nginx: proxy_set_header X-Request-ID $request_id) is kept, so
# the proxy's access log and ours share it; anything else is replaced by a fresh one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Keys a LogRecord has of its own; whatever else a caller passed in `extra` is written too, when
# it is a plain value (django.request's status_code; not its request object).
_RECORD_KEYS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_PLAIN = (str, int, float, bool, type(None))


class ExpectedClientErrors(logging.Filter):
    """A 403 or 404 is an answer, not a fault: django.request logs it in one line, without the
    traceback of the PermissionDenied or Http404 that produced it (issue 8)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404):
            record.exc_info = None
            record.exc_text = None
        return True


class RequestContext(logging.Filter):
    """Stamps the running request's id, user id and client address on the record (None outside
    a request: the worker, management commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _request_context.get() or {}
        for key in ("request_id", "user_id", "client_address"):
            if not hasattr(record, key):
                setattr(record, key, context.get(key))
        return True


class RequestContextMiddleware:
    """Sets the logging context of a request: its id (the proxy's X-Request-ID, or a new one,
    echoed in the response), the signed-in user's id and the client's address as the lockout
    reads it behind the proxy (django-ipware). Placed after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from qingdao_groups.lockout import client_address

        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        user = getattr(request, "user", None)
        context = {
            "request_id": request_id,
            "user_id": user.pk if user is not None and user.is_authenticated else None,
            "client_address": client_address(request),
        }
        token = _request_context.set(context)
        try:
            response = self.get_response(request)
        finally:
            _request_context.reset(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: timestamp (ISO 8601 with the zone), level, logger, message,
    module, process, request_id, user_id, client_address, exception (the traceback, when
    there is one), and any plain `extra` values."""

    def __init__(self, time_zone: str | None = None):
        super().__init__()
        self.zone = ZoneInfo(time_zone) if time_zone else datetime.UTC

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, self.zone).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "module": record.module,
            "process": record.process,
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
            "client_address": getattr(record, "client_address", None),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_KEYS and key not in entry and isinstance(value, _PLAIN):
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class JsonLinesFileHandler(logging.handlers.RotatingFileHandler):
    """RotatingFileHandler that also follows a rotation done by someone else, as
    WatchedFileHandler does: the web's workers and the Celery worker write the same file, so
    when one of them (or logrotate) moves it away, the others reopen the path instead of writing
    on into the moved file. max_bytes=0: no rotation of its own (logrotate's job)."""

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is not None:
            try:
                moved = not os.path.samestat(
                    os.stat(self.baseFilename), os.fstat(self.stream.fileno())
                )
            except FileNotFoundError:
                moved = True
            if moved:
                self.stream.close()
                self.stream = None  # opened again below
        super().emit(record)


def json_file_handler(
    *, log_dir: str, max_bytes: int, backup_count: int, filename: str = "app.jsonl"
) -> JsonLinesFileHandler:
    """The JSON-lines file handler of the LOGGING setting (and of the Celery worker, which
    replaces the root logger's handlers with its own: qingdao_groups.celery)."""
    from django.conf import settings

    Path(log_dir).mkdir(parents=True, exist_ok=True)
    handler = JsonLinesFileHandler(
        Path(log_dir) / filename,
        maxBytes=max_bytes,
        backupCount=backup_count,
        encoding="utf-8",
        delay=True,
    )
    handler.setFormatter(JsonLinesFormatter(settings.TIME_ZONE))
    return handler
