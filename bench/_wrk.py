"""Load generators the HTTP benchmarks share: `wrk` (closed loop) and an open-loop driver.

``run_wrk(url, connections=…, duration=…)`` runs Debian's ``wrk`` (a compiled load
generator, ``apt-get install wrk``) with ``--latency`` and returns its figures as a
dict: ``rps``, ``p50_ms``, ``p90_ms``, ``p99_ms``, ``requests``, ``errors`` (socket
errors: connect, read, write, timeout), ``non2xx`` (answers outside 2xx/3xx), ``raw``
(wrk's own text), ``cpu_s`` (CPU seconds wrk itself used). ``lua`` is a path to a wrk
script or the script's text. A script may print one line ``KP-JSON <json>`` from its
``done()``; that object comes back as ``script``. ``healthz_reference`` is the same run against a service's ``/healthz``: the
ceiling the other figures are compared with.

``run_wrk_script(url, connections=…, lua=…)`` is for a fixed amount of work rather than
a fixed time (e.g. every voter votes once): the script prints ``KP-DONE`` from each
thread when its share is answered (and stops that thread); when every thread has, wrk is
interrupted (SIGINT, after which it still prints its figures and runs ``done()``). wrk's
own ``rps`` then counts the waiting time too, so such a script measures its own rate:
``LUA_CLOCK`` gives it ``kp_now()`` (a monotonic clock in seconds, LuaJIT's FFI).

``open_loop(base_url, requests, rate=…)`` is the open-loop driver for latency figures
(wrk2 is not packaged): request *i* is due at ``start + i / rate``, whether or not the
earlier ones have been answered. A request is sent on an idle keep-alive connection, or
on a new one when all are busy (up to ``max_connections``; beyond that it waits, and the
wait counts). Latency is measured from the request's *scheduled* time to the last byte
of its answer, so a server that falls behind shows as latency rather than as a slower
offered rate (no coordinated omission). It is asyncio with hand-written HTTP/1.1 on
plain sockets: at a few hundred requests per second it costs the machine little; the
``lag_ms`` figure says how late the driver itself sent (p99), to tell client from
server delay.
"""

from __future__ import annotations

import asyncio
import json
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench._common import percentile

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def have_wrk() -> bool:
    """Whether `wrk` is on PATH."""
    return shutil.which("wrk") is not None


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"wrk time {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict:
    """wrk's `--latency` text as figures (see the module docstring)."""
    result = {"raw": out, "errors": 0, "non2xx": 0, "script": None}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    result["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    result["requests"] = int(m.group(1)) if m else 0
    result["duration_s"] = _ms(m.group(2)) / 1000 if m else 0.0
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+\w+)\s*$", out, re.M)
        result[f"p{pct}_ms"] = _ms(m.group(1)) if m else float("nan")
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        result["errors"] = sum(int(x) for x in m.groups())
        result["timeouts"] = int(m.group(4))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        result["non2xx"] = int(m.group(1))
    m = re.search(r"^KP-JSON (.*)$", out, re.M)
    if m:
        result["script"] = json.loads(m.group(1))
    return result


def run_wrk(
    url: str,
    *,
    connections: int,
    duration: float,
    threads: int = 2,
    lua: str | Path | None = None,
    headers: dict | None = None,
    timeout: float = 10.0,
) -> dict:
    """Run wrk against the url (closed loop: each connection sends its next request when
    the answer is in); returns rps, p50_ms, p99_ms, errors, non2xx and more (module
    docstring). Raises RuntimeError when wrk is missing or fails."""
    if not have_wrk():
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    argv = [
        "wrk",
        "--latency",
        "-t",
        str(max(1, min(threads, connections))),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(duration))}s",
        "--timeout",
        f"{max(1, round(timeout))}s",
    ]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="kp-wrk-") as tmp:
        if lua is not None:
            path = Path(str(lua)) if "\n" not in str(lua) else None
            if path is None or not path.is_file():
                path = Path(tmp) / "script.lua"
                path.write_text(str(lua), encoding="utf-8")
            argv += ["-s", str(path)]
        argv.append(url)
        before = _children_cpu()
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=duration + timeout + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
    return {**parse_wrk(proc.stdout + proc.stderr), "cpu_s": _children_cpu() - before}


# A monotonic clock for wrk scripts (wrk's LuaJIT: FFI to clock_gettime(CLOCK_MONOTONIC)).
LUA_CLOCK = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } kp_timespec;
int clock_gettime(int clk, kp_timespec *tp);
]]
local kp_ts = ffi.new("kp_timespec")
function kp_now()
  ffi.C.clock_gettime(1, kp_ts)
  return tonumber(kp_ts.tv_sec) + tonumber(kp_ts.tv_nsec) * 1e-9
end
"""


def run_wrk_script(
    url: str,
    *,
    connections: int,
    lua: str,
    threads: int = 2,
    max_duration: float = 120.0,
    timeout: float = 10.0,
) -> dict:
    """Run wrk with a script whose threads each print ``KP-DONE`` when their share of the
    work is answered; interrupt wrk once all have (or after max_duration). Returns what
    run_wrk returns (``script``: the script's ``KP-JSON`` object); raises RuntimeError."""
    if not have_wrk():
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    threads = max(1, min(threads, connections))
    with tempfile.TemporaryDirectory(prefix="kp-wrk-") as tmp:
        path = Path(tmp) / "script.lua"
        path.write_text(lua, encoding="utf-8")
        argv = ["wrk", "--latency", "-t", str(threads), "-c", str(connections)]
        argv += ["-d", f"{round(max_duration)}s", "--timeout", f"{round(timeout)}s"]
        argv += ["-s", str(path), url]
        before = _children_cpu()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines, finished = [], 0
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("KP-DONE"):
                finished += 1
                if finished == threads:
                    proc.send_signal(signal.SIGINT)
                    break
        rest, err = proc.communicate(timeout=max_duration + timeout + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err.strip()[:500]}")
    return {**parse_wrk("".join(lines) + rest + err), "cpu_s": _children_cpu() - before}


def healthz_reference(
    base: str, *, connections: int, duration: float, threads: int = 2, path: str = "/healthz"
) -> dict:
    """run_wrk against the service's /healthz (base: scheme://host:port) with the same
    settings as the figure it is compared with."""
    return run_wrk(
        base.rstrip("/") + path, connections=connections, duration=duration, threads=threads
    )


# --- Open loop ------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, keep-alive) of one HTTP/1.1 answer, its body read and dropped."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    version, status = status_line.split()[:2]
    length, chunked, keep = 0, False, version == b"HTTP/1.1"
    status = int(status)
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection":
            keep = value != "close" and (keep or value == "keep-alive")
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, keep


def _request_bytes(host: str, method: str, path: str, headers: dict, body: bytes | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin1") + (body or b"")


async def _open_loop(base: str, requests: list, rate: float, max_connections: int) -> dict:
    parts = urlsplit(base)
    host, port = parts.hostname, parts.port or 80
    hostport = f"{host}:{port}"
    idle: list = []
    opened = 0
    slots = asyncio.Semaphore(max_connections)
    latencies, lags, statuses, errors = [], [], {}, []

    async def one(i: int, due: float, method: str, path: str, headers: dict, body):
        nonlocal opened
        async with slots:
            conn = idle.pop() if idle else None
            reused, lag = conn is not None, None
            try:
                while True:
                    if conn is None:
                        conn = await asyncio.open_connection(host, port)
                        opened += 1
                    reader, writer = conn
                    if lag is None:
                        lag = time.perf_counter() - due
                    writer.write(_request_bytes(hostport, method, path, headers, body))
                    await writer.drain()
                    try:
                        status, keep = await _read_response(reader)
                        break
                    except ConnectionError:
                        # an idle keep-alive connection the server had closed: once more, anew
                        if not reused:
                            raise
                        writer.close()
                        conn, reused = None, False
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(f"{i}: {exc.__class__.__name__}: {exc}")
                if conn is not None:
                    conn[1].close()
                return
            lags.append(lag)
            latencies.append(time.perf_counter() - due)
            statuses[status] = statuses.get(status, 0) + 1
            if keep:
                idle.append(conn)
            else:
                writer.close()

    tasks = []
    start = time.perf_counter() + 0.05
    for i, (method, path, headers, body) in enumerate(requests):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due, method, path, headers, body)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    for _, writer in idle:
        writer.close()
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    ms = [x * 1000 for x in latencies]
    return {
        "sent": len(requests),
        "offered_rate": rate,
        "achieved_rate": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "ok": ok,
        "non2xx": sum(statuses.values()) - ok,
        "statuses": statuses,
        "errors": len(errors),
        "first_errors": errors[:3],
        "connections": opened,
        "p50_ms": percentile(ms, 50) if ms else float("nan"),
        "p90_ms": percentile(ms, 90) if ms else float("nan"),
        "p99_ms": percentile(ms, 99) if ms else float("nan"),
        "max_ms": max(ms) if ms else float("nan"),
        "lag_ms": percentile([x * 1000 for x in lags], 99) if lags else float("nan"),
    }


def open_loop(base: str, requests: list, *, rate: float, max_connections: int = 256) -> dict:
    """Send requests [(method, path, headers, body bytes or None)] to base
    (scheme://host:port) open loop at `rate` per second; returns sent, ok, non2xx,
    statuses, errors, p50_ms, p90_ms, p99_ms, max_ms (from the scheduled send time),
    lag_ms (p99 of how late the driver sent), connections, achieved_rate."""
    return asyncio.run(_open_loop(base, requests, rate, max_connections))
