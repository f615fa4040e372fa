"""Running wrk and reading what it says (the parsing is pure, and tested)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("bench.lua")
MARKER = "BENCH_JSON "


@dataclass(frozen=True)
class Measure:
    """One wrk run of one page: throughput, latency percentiles, errors."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_wrk_output(text: str) -> Measure:
    """The figures from the line bench.lua's done() prints. Errors are the socket errors
    (connect, read, write, timeout) plus every response with a status other than the expected
    one (which includes wrk's own count of statuses >= 400)."""
    for line in text.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            break
    else:
        raise ValueError(f"no {MARKER.strip()} line in wrk output:\n{text}")
    errors = sum(data[k] for k in ("connect", "read", "write", "timeout")) + data["unexpected"]
    return Measure(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
    )


def wrk_command(
    url: str, *, seconds: float, connections: int, timeout_s: int, threads: int = 1
) -> list[str]:
    return [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={timeout_s}s",
        f"--script={LUA_SCRIPT}",
        url,
    ]


def headers_env(headers: dict) -> str:
    """BENCH_HEADERS for bench.lua: one "Name: value" a line."""
    for name, value in headers.items():
        if "\n" in name + value or ":" in name:
            raise ValueError(f"header {name!r} cannot go through BENCH_HEADERS")
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def run_wrk(
    url: str,
    *,
    cookie: str,
    seconds: float,
    connections: int,
    timeout_s: int,
    method: str = "GET",
    body: str = "",
    csrf: str = "",
    expect: int = 200,
    headers: dict | None = None,
) -> Measure:
    env = {
        **os.environ,
        "BENCH_COOKIE": cookie,
        "BENCH_METHOD": method,
        "BENCH_BODY": body,
        "BENCH_CSRF": csrf,
        "BENCH_EXPECT": str(expect),
        "BENCH_HEADERS": headers_env(headers or {}),
    }
    result = subprocess.run(  # noqa: S603 - wrk with our own arguments
        wrk_command(url, seconds=seconds, connections=connections, timeout_s=timeout_s),
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + timeout_s + 30,
        check=True,
    )
    return parse_wrk_output(result.stdout)
