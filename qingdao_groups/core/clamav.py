"""A small client of the ClamAV daemon's INSTREAM command (issue 12, "Uploads"): every upload is
scanned before it is stored when settings.CLAMAV_SOCKET (a unix socket, e.g. Debian's
/run/clamav/clamd.ctl) or settings.CLAMAV_TCP ("host:port") names a daemon.

The protocol (clamd(8)): send `zINSTREAM\\0`, then the data as chunks each preceded by its length
as a 4-byte big-endian integer, then a zero length; the daemon answers `stream: OK` or
`stream: <signature> FOUND` (or `… ERROR`), terminated by NUL. The daemon's StreamMaxLength must
be at least the largest upload (settings.UPLOAD_MAX_BYTES), or it answers with an error, which
refuses the upload: scanning fails closed."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

DEFAULT_TIMEOUT = 30
CHUNK = 64 * 1024
_MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """The daemon could not be reached or did not give a verdict."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


def clamav_configured() -> bool:
    return bool(getattr(settings, "CLAMAV_SOCKET", "") or getattr(settings, "CLAMAV_TCP", ""))


def _connect() -> socket.socket:
    timeout = float(getattr(settings, "CLAMAV_TIMEOUT_SECONDS", DEFAULT_TIMEOUT))
    path = getattr(settings, "CLAMAV_SOCKET", "")
    try:
        if path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect(path)
            except BaseException:
                sock.close()
                raise
            return sock
        host, _sep, port = settings.CLAMAV_TCP.rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable(f"cannot connect to clamd: {exc}") from exc


def _reply(sock: socket.socket) -> str:
    data = b""
    while b"\0" not in data and len(data) < _MAX_REPLY:
        part = sock.recv(1024)
        if not part:
            break
        data += part
    return data.split(b"\0", 1)[0].decode("utf-8", errors="replace").strip()


def clamav_command(command: str) -> str:
    """A one-line command (PING, VERSION) and the daemon's answer."""
    with _connect() as sock:
        try:
            sock.sendall(b"z" + command.encode() + b"\0")
            return _reply(sock)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd {command} failed: {exc}") from exc


def clamav_scan(chunks: Iterable[bytes]) -> Verdict:
    """Scan the bytes given as chunks; raises ScannerUnavailable when no verdict is had."""
    with _connect() as sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK):
                    part = chunk[start : start + CHUNK]
                    sock.sendall(struct.pack(">I", len(part)) + part)
            sock.sendall(struct.pack(">I", 0))
            answer = _reply(sock)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd INSTREAM failed: {exc}") from exc
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if answer.endswith(": OK"):
        return Verdict(clean=True)
    if answer.endswith(" FOUND"):
        signature = answer.removesuffix(" FOUND").partition(": ")[2] or answer
        return Verdict(clean=False, signature=signature)
    raise ScannerUnavailable(f"clamd gave no verdict: {answer!r}")
