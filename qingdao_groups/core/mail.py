"""Mail in development: each message one readable UTF-8 text file (issue 8).

Django's file backend writes the raw MIME of a whole connection into one file: Chinese subjects
and bodies arrive base64-encoded and several messages share a file. This backend writes what a
person would read — sender, recipients, subject, date, the text body, the HTML alternative and
the attachments' names — one file per message under EMAIL_FILE_PATH (`var/mail/` for `make
run`)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class ReadableFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        path: str = file_path or str(getattr(settings, "EMAIL_FILE_PATH", "var/mail"))
        self.file_path = Path(path)

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.file_path.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            now = timezone.localtime()
            path = self.file_path / f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.txt"
            path.write_text(self._text(message, now), encoding="utf-8")
            sent += 1
        return sent

    @staticmethod
    def _text(message, now) -> str:
        lines = [f"From: {message.from_email}", f"To: {', '.join(message.to)}"]
        if message.cc:
            lines.append(f"Cc: {', '.join(message.cc)}")
        if message.bcc:
            lines.append(f"Bcc: {', '.join(message.bcc)}")
        lines += [
            f"Date: {now:%Y-%m-%d %H:%M:%S %z}",
            f"Subject: {message.subject}",
            "",
            message.body,
        ]
        for content, mimetype in getattr(message, "alternatives", []) or []:
            lines += ["", f"--- {mimetype} ---", str(content)]
        names = [a[0] if isinstance(a, tuple) else a.get_filename() for a in message.attachments]
        if names:
            lines += ["", "Attachments: " + ", ".join(str(n) for n in names)]
        return "\n".join(lines) + "\n"
