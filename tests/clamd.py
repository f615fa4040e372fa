"""A real ClamAV daemon for the tests (issue 12, "Uploads").

Debian's clamav-daemon is installed by .ci/run, but there is no signature database here and no
way to download one: the daemon is started with a database of one signature, written on the spot,
that matches the standard EICAR anti-virus test file by its MD5 (an .hdb line, the format of
ClamAV's own hash signatures), and with its socket and log in a temporary directory."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

# The standard EICAR anti-virus test file: 68 harmless bytes every scanner reports as malware.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"


def clamd_path() -> str | None:
    return shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )


def clamd_required() -> bool:
    """In CI the daemon is installed (.ci/run): its absence fails the tests instead of skipping."""
    return os.environ.get("CI") == "true" or os.environ.get("REQUIRE_CLAMD") == "1"


def _ping(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


class Clamd:
    """A clamd process with the one-signature database, running in `directory`."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.socket = str(directory / "clamd.sock")
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Clamd:
        exe = clamd_path()
        assert exe, "clamd is not installed (apt-get install clamav-daemon)"
        d = self.directory
        (d / "db").mkdir(exist_ok=True)
        (d / "db" / "eicar.hdb").write_text(
            f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:{SIGNATURE}\n"  # noqa: S324
        )
        conf = d / "clamd.conf"
        conf.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"LocalSocket {self.socket}",
                    f"DatabaseDirectory {d / 'db'}",
                    f"LogFile {d / 'clamd.log'}",
                    f"TemporaryDirectory {d}",
                    f"PidFile {d / 'clamd.pid'}",
                    "StreamMaxLength 100M",
                    "SelfCheck 0",
                    "",
                ]
            )
        )
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            [exe, "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _ping(self.socket):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        log = (d / "clamd.log").read_text() if (d / "clamd.log").exists() else ""
        self.stop()
        raise RuntimeError(f"clamd did not answer PING:\n{log[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
