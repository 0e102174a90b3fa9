"""A cheap, honest HTTP load client for the API benchmark (``bench/bench_api.py``).

:class:`RawConn` is a minimal HTTP/1.1 client on asyncio streams: one kept-alive
connection, requests written by hand, responses read by ``Content-Length`` or chunked
framing; no HTTP library (httpx cost a large share of the 2 cores the server shares).
:class:`Meter` reports the CPU of this client, of the server and its children, of the
whole machine, and the load average, so a result says how much of the machine the
client itself took.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any

__all__ = ["NET_ERRORS", "Meter", "RawConn", "cpu_line", "multipart"]

#: Errors a request of :class:`RawConn` may end with (counted, never raised out of a phase).
NET_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


class RawConn:
    """One kept-alive HTTP/1.1 connection on asyncio streams.

    Writes ``METHOD path HTTP/1.1`` with ``Host`` (and ``Content-Length`` for a body),
    reads the status line and headers up to the blank line, then the body by
    ``Content-Length`` or chunked framing (or to the end of the stream). A response with
    ``Connection: close``, or any error, closes the connection; the next request opens
    a new one.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0

    async def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        timeout: float = 60.0,
    ) -> tuple[int, bytes]:
        """Send one request; ``(status, body)``. Raises one of :data:`NET_ERRORS`."""
        try:
            return await asyncio.wait_for(self._request(method, path, headers, body), timeout)
        except BaseException:
            self.close()
            raise

    async def _request(
        self, method: str, path: str, headers: dict[str, str] | None, body: bytes
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.connects += 1
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method in ("POST", "PUT"):
            head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        hdrs = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                hdrs[k.strip().lower()] = v.strip()
        if "content-length" in hdrs:
            data = await self.reader.readexactly(int(hdrs["content-length"]))
        elif hdrs.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append((await self.reader.readexactly(size + 2))[:-2])
            data = b"".join(parts)
        else:
            data = await self.reader.read()
            hdrs["connection"] = "close"
        if hdrs.get("connection", "").lower() == "close":
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    """``(content_type, body)`` of a multipart/form-data request."""
    b = "critmin-bench-boundary"
    out = b""
    for name, value in fields.items():
        out += f'--{b}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for name, (fname, data) in files.items():
        out += (
            (
                f'--{b}\r\nContent-Disposition: form-data; name="{name}"; filename="{fname}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    return f"multipart/form-data; boundary={b}", out + f"--{b}--\r\n".encode()


class Meter:
    """CPU of this client, of the server and its children, of the machine; load average.

    ``/proc/PID/stat`` fields 14-17 (utime, stime, cutime, cstime) in clock ticks give the
    server process (event loop and its threads) and its children (read workers, runs; live
    ones summed, ended ones through cutime/cstime); ``/proc/stat``'s first line gives the
    whole machine's busy time; :func:`resource.getrusage` this client's.
    """

    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.hz = os.sysconf("SC_CLK_TCK")
        self.loads: list[float] = []

    def _stat(self, pid: int) -> list[int] | None:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return [int(f[1]), int(f[11]), int(f[12]), int(f[13]), int(f[14])]  # ppid, u, s, cu, cs

    def _tree(self) -> tuple[float, float]:
        me = self._stat(self.pid)
        if me is None:
            return float("nan"), float("nan")
        kids: dict[int, list[int]] = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                st = self._stat(int(d.name))
                if st is not None:
                    kids.setdefault(st[0], []).append(int(d.name))
        children = me[3] + me[4]
        todo = list(kids.get(self.pid, []))
        while todo:
            p = todo.pop()
            st = self._stat(p)
            if st is not None:
                children += sum(st[1:])
            todo += kids.get(p, [])
        return (me[1] + me[2]) / self.hz, children / self.hz

    @staticmethod
    def _machine() -> float:
        f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        v = [int(x) for x in f]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    def snap(self) -> dict[str, float]:
        r = resource.getrusage(resource.RUSAGE_SELF)
        server, children = self._tree()
        return {
            "t": time.perf_counter(),
            "client": r.ru_utime + r.ru_stime,
            "server": server,
            "children": children,
            "machine": self._machine(),
        }

    async def sample_load(self, seconds: float, every: float = 2.0) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            self.loads.append(os.getloadavg()[0])
            await asyncio.sleep(every)

    def report(self, a: dict[str, float], b: dict[str, float]) -> dict[str, Any]:
        dt = b["t"] - a["t"]
        out: dict[str, Any] = {
            k: (b[k] - a[k]) / dt for k in ("client", "server", "children", "machine")
        }
        out["others"] = out["machine"] - out["client"] - out["server"] - out["children"]
        loads = self.loads or [os.getloadavg()[0]]
        out["load"] = (min(loads), statistics.median(loads), max(loads))
        return out


def cpu_line(c: dict[str, Any]) -> str:
    """One line of CPU use in cores (of 2) and the load average."""
    lo, med, hi = c["load"]
    return (
        f"CPU in cores: load client {c['client']:.2f}, server process {c['server']:.2f}, "
        f"server children (read workers, runs) {c['children']:.2f}, other processes "
        f"{c['others']:.2f}, machine busy {c['machine']:.2f} of {os.cpu_count()}; "
        f"1-min load average during the phase {lo:.1f}-{hi:.1f} (median {med:.1f})"
    )
