"""The exports phase: the whole school export (XLSX and CSV) and the groups with their members
of the day (issue 8: `/exports/groups/`) downloaded through gunicorn while the workers' resident
memory is sampled (issue 7: exports stream in bounded memory; the XLSX of 200,000 schools in
under 20 s). The bench's server sets no threshold for background exports
(`EXPORT_ASYNC_THRESHOLD`), so every export is measured as one download.

The body is read in chunks into a temporary file (never held), timed to the first and the last
byte; the rows are counted from that file afterwards, so the counting is not timed. Reading
``/proc``, counting rows and working out the peak are pure functions, tested."""

from __future__ import annotations

import http.client
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CHUNK = 64 * 1024
SAMPLE_EVERY_S = 0.02
SHEET = "xl/worksheets/sheet1.xml"


@dataclass(frozen=True)
class ExportTarget:
    """One export as one role downloads it; `expected_rows` is the role's row count (schools, or
    memberships of the day in the groups the role sees)."""

    role: str
    fmt: str
    expected_rows: int
    list: str = "schools"

    @property
    def key(self) -> str:
        prefix = "" if self.list == "schools" else f"{self.list}-"
        return f"{prefix}{self.fmt}:{self.role}"

    @property
    def path(self) -> str:
        if self.list == "schools":
            return f"/schools/export/?format={self.fmt}"
        return f"/exports/{self.list}/?format={self.fmt}"


# --- counting rows --------------------------------------------------------------------------


def count_csv_rows(chunks: Iterable[bytes]) -> int:
    """Records after the header: line ends outside quoted fields (a quoted field may hold a line
    end; a doubled quote inside one toggles twice and changes nothing). A last record without
    a line end counts too."""
    in_quotes = False
    ends = 0
    last = b""
    for chunk in chunks:
        if not chunk:
            continue
        for index, part in enumerate(chunk.split(b'"')):
            if index:
                in_quotes = not in_quotes
            if not in_quotes:
                ends += part.count(b"\n")
        last = chunk[-1:]
    if last and last != b"\n":
        ends += 1
    return max(0, ends - 1)


def count_xlsx_rows(file: IO[bytes]) -> int:
    """Rows of the first sheet after the header, read from the archive in chunks."""
    count = 0
    tail = b""
    with zipfile.ZipFile(file) as archive, archive.open(SHEET) as sheet:
        while block := sheet.read(CHUNK):
            data = tail + block
            count += data.count(b"<row ")
            # A tag split across two blocks: keep the last few bytes, counted with the next
            # block only (they cannot hold a whole "<row " on their own).
            tail = data[-4:]
    return max(0, count - 1)


def count_rows(fmt: str, file: IO[bytes]) -> int:
    file.seek(0)
    if fmt == "xlsx":
        return count_xlsx_rows(file)
    return count_csv_rows(iter(lambda: file.read(CHUNK), b""))


# --- memory -------------------------------------------------------------------------------


def parse_status(text: str) -> dict[str, int]:
    """VmRSS and VmHWM (kB) from a /proc/<pid>/status text."""
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def parent_pid(stat: str) -> int:
    """The parent's pid from a /proc/<pid>/stat text (the name in brackets may hold spaces)."""
    return int(stat.rsplit(")", 1)[1].split()[1])


def worker_pids(master_pid: int) -> list[int]:
    """gunicorn's workers: the master's children."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if parent_pid((entry / "stat").read_text()) == master_pid:
                pids.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return sorted(pids)


def read_status(pid: int) -> dict[str, int]:
    try:
        return parse_status(Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return {}


def peak_kb(before: dict[int, int], after: dict[int, int], sampled: dict[int, int]) -> int:
    """The highest resident memory of any worker during the download: the sampled maximum,
    or — exact — a worker's high-water mark (VmHWM) when it rose during the download (when it
    did not, the peak lies below the mark set earlier and the samples are all there is)."""
    peaks = list(sampled.values())
    peaks += [hwm for pid, hwm in after.items() if hwm > before.get(pid, 0)]
    return max(peaks, default=0)


class RssSampler:
    """VmRSS of the given workers every few milliseconds in a thread, with their VmHWM before
    and after: `peak_mb` once stopped."""

    def __init__(self, pids: list[int], every_s: float = SAMPLE_EVERY_S):
        self.pids, self.every_s = pids, every_s
        self.sampled: dict[int, int] = {}
        self.before = self._marks()
        self.after: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _marks(self) -> dict[int, int]:
        return {pid: read_status(pid).get("VmHWM", 0) for pid in self.pids}

    def rss_kb(self) -> dict[int, int]:
        return {pid: read_status(pid).get("VmRSS", 0) for pid in self.pids}

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid, kb in self.rss_kb().items():
                self.sampled[pid] = max(kb, self.sampled.get(pid, 0))
            self._stop.wait(self.every_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.after = self._marks()

    @property
    def peak_mb(self) -> float:
        return round(peak_kb(self.before, self.after, self.sampled) / 1024, 1)


# --- downloading ----------------------------------------------------------------------------


@dataclass
class Download:
    status: int
    seconds: float  # request sent -> last byte
    first_byte_s: float | None
    bytes: int
    content_length: int | None
    error: str = ""


def download(port: int, cookie: str, path: str, sink: IO[bytes], timeout_s: float) -> Download:
    """GET `path` and write the body into `sink` chunk by chunk; a connection cut half way (a
    worker killed by gunicorn's timeout) is an error with the time it happened."""
    started = time.monotonic()
    first: float | None = None
    size = 0
    status, length = 0, None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        status = response.status
        header = response.getheader("Content-Length")
        length = int(header) if header else None
        while block := response.read1(CHUNK):
            if first is None:
                first = time.monotonic() - started
            sink.write(block)
            size += len(block)
        error = ""
        if length is not None and size != length:
            error = f"body cut at {size:,} of {length:,} bytes"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}".rstrip(": ")
    finally:
        conn.close()
    return Download(status, time.monotonic() - started, first, size, length, error)


def measure_export(
    port: int, cookie: str, target: ExportTarget, master_pid: int, timeout_s: float
) -> dict:
    """One download of `target` with the workers' memory sampled; the row for results.json."""
    with tempfile.TemporaryFile() as sink:
        with RssSampler(worker_pids(master_pid)) as sampler:
            got = download(port, cookie, target.path, sink, timeout_s)
        error = got.error or ("" if got.status == 200 else f"status {got.status}")
        rows = None
        if not error:
            try:
                rows = count_rows(target.fmt, sink)
            except (zipfile.BadZipFile, KeyError) as exc:
                error = f"not a readable XLSX: {exc}"
    row = {
        "role": target.role,
        "format": target.fmt,
        "path": target.path,
        "seconds": round(got.seconds, 2),
        "first_byte_s": round(got.first_byte_s, 2) if got.first_byte_s is not None else None,
        "bytes": got.bytes,
        "rows": rows,
        "expected_rows": target.expected_rows,
        "peak_rss_mb": sampler.peak_mb,
    }
    if error:
        row["error"] = error
    return row
