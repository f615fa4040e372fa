"""Logging parts named by the LOGGING setting."""

import logging


class ExpectedClientErrors(logging.Filter):
    """A 403 or 404 is an answer, not a fault: django.request logs it in one line, without the
    traceback of the PermissionDenied or Http404 that produced it (issue 8)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (403, 404):
            record.exc_info = None
            record.exc_text = None
        return True
