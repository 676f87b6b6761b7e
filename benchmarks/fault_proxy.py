"""A fault-injecting HTTP/1.1 reverse proxy for loopback soaks: it stands between kling-mcp and the simulator and,
for a share of requests, answers badly on purpose.

    .venv/bin/python benchmarks/fault_proxy.py --upstream http://127.0.0.1:8765 [--port 8766] [--seconds 600]

Faults, each drawn per request (shares are configurable, see ``FaultConfig``):

- ``trickle``: the answer's body arrives one byte every 0.5-2 s for a few seconds, then the rest at once;
- ``trickle_long``: the same for longer than kling-mcp's own deadlines (60 s for a create, 90 s for a read);
- ``drop``: the status line, the headers and half the body, then the connection is cut;
- ``error_before``: 502 or 503 without forwarding the request (nothing reached the upstream);
- ``error_after``: the request is forwarded and answered upstream, then the client gets 502 or 503 instead, as a
  gateway that lost the upstream's answer would (on a create, the task exists and is billed);
- ``death`` (periodic, see ``FaultProxy.deaths``): the listening socket closes and every open connection is cut
  for a few seconds (connections are refused), then the proxy listens again on the same port. A body that is
  trickling goes on trickling (else no slow body would outlive the next death).

The proxy records the ground truth of billing: every create (``POST /v1/kling/videos/...``) that the upstream
answered with a task id, with the ``soak-key:...`` word of its prompt, whatever the client then got. The ``Host``
header is passed through unchanged, so the simulator's media URLs point back at the proxy. It listens on 127.0.0.1
only, and forwards only to the upstream it was given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

# Headers that describe one hop of the connection, not the message (RFC 9110 §7.6.1), plus those the proxy
# recomputes because it re-frames the body.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "content-encoding",
}
_KEY = re.compile(r"soak-key:(\S+)")
_CREATE = re.compile(r"^/v1/kling/videos/")
_REASONS = {200: "OK", 206: "Partial Content", 502: "Bad Gateway", 503: "Service Unavailable"}
MAX_HEAD = 64 * 1024


@dataclass
class FaultConfig:
    """Shares of requests that get each fault (drawn independently per request, in this order), and timings."""

    trickle: float = 0.03
    trickle_long: float = 0.006
    drop: float = 0.04
    error_before: float = 0.03
    error_after: float = 0.03
    trickle_seconds: tuple[float, float] = (3.0, 8.0)
    trickle_long_seconds: tuple[float, float] = (65.0, 95.0)
    trickle_gap: tuple[float, float] = (0.5, 2.0)
    death_every: tuple[float, float] = (8.0, 16.0)
    death_seconds: tuple[float, float] = (2.0, 5.0)

    def scaled(self, factor: float) -> FaultConfig:
        """The same faults, each share multiplied by ``factor`` (0 turns per-request faults off)."""
        return FaultConfig(
            trickle=self.trickle * factor,
            trickle_long=self.trickle_long * factor,
            drop=self.drop * factor,
            error_before=self.error_before * factor,
            error_after=self.error_after * factor,
            trickle_seconds=self.trickle_seconds,
            trickle_long_seconds=self.trickle_long_seconds,
            trickle_gap=self.trickle_gap,
            death_every=self.death_every,
            death_seconds=self.death_seconds,
        )


@dataclass
class Create:
    """A create the upstream answered with a task id: billed, whatever reached the client."""

    task_id: int
    key: str | None
    fault: str
    at: float


@dataclass
class FaultProxy:
    upstream: str
    config: FaultConfig = field(default_factory=FaultConfig)
    port: int = 0
    seed: int | None = None
    creates: list[Create] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    enabled: bool = True  # False: per-request faults off (deaths are driven separately)
    creates_in_flight: int = 0  # creates received and not yet fully answered
    last_create_at: float = 0.0  # monotonic time a create last arrived or ended

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._trickling: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._http: httpx.AsyncClient | None = None
        self._alive = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self._alive

    async def start(self) -> None:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(120.0),
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
                follow_redirects=False,
            )
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._alive = True

    async def _close_listener(self, spare_trickles: bool = False) -> int:
        """Stop listening and cut every open connection (but trickling ones, if asked); how many were cut."""
        self._alive = False
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None
        cut = 0
        for writer in list(self._writers):
            if spare_trickles and writer in self._trickling:
                continue
            if not writer.transport.is_closing():
                cut += 1
            writer.transport.abort()
            self._writers.discard(writer)
        return cut

    async def stop(self) -> None:
        await self._close_listener()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def die(self, seconds: float) -> None:
        """Refuse connections for ``seconds`` (listening socket closed, open connections cut), then listen again
        on the same port."""
        self.faults["death"] += 1
        self.faults["connections_cut_by_death"] += await self._close_listener(spare_trickles=True)
        await asyncio.sleep(seconds)
        for _ in range(50):  # the port is ours; rebinding can only race a TIME_WAIT, which SO_REUSEADDR allows
            try:
                await self.start()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the fault proxy could not listen again on port {self.port}")

    async def deaths(self, until: float) -> None:
        """Die for a while, every while, until the monotonic time ``until``."""
        low, high = self.config.death_every
        while True:
            wait = self._rng.uniform(low, high)
            if time.monotonic() + wait >= until:
                return
            await asyncio.sleep(wait)
            await self.die(self._rng.uniform(*self.config.death_seconds))

    def ground_truth(self) -> dict[int, str | None]:
        """Every billed task id with the key of its prompt."""
        return {c.task_id: c.key for c in self.creates}

    def fault_counts(self) -> dict[str, int]:
        """Faults injected by kind, naming each kind even when the dice never chose it."""
        kinds = ("trickle", "trickle_long", "drop", "error_before", "error_after", "death")
        return {**dict.fromkeys(kinds, 0), **self.faults}

    def summary(self) -> dict[str, Any]:
        return {"requests": self.requests, "faults": self.fault_counts(), "creates_billed": len(self.creates)}

    # --- one connection ---------------------------------------------------------------------------------------

    def _choose(self) -> str:
        if not self.enabled:
            return "none"
        c = self.config
        for name, share in (
            ("trickle", c.trickle),
            ("trickle_long", c.trickle_long),
            ("drop", c.drop),
            ("error_before", c.error_before),
            ("error_after", c.error_after),
        ):
            if self._rng.random() < share:
                return name
        return "none"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                method, target, headers, body = request
                if not await self._serve(method, target, headers, body, writer):
                    return
                if any(k == "connection" and v.lower() == "close" for k, v in headers):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, OSError):
            return
        except asyncio.CancelledError:  # stop(): this task is the connection's top level, nobody awaits it
            return
        finally:
            self._writers.discard(writer)
            self._trickling.discard(writer)
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _serve(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the connection must end."""
        if not (method == "POST" and _CREATE.match(target.split("?")[0])):
            return await self._answer(method, target, headers, body, writer)
        self.creates_in_flight += 1
        self.last_create_at = time.monotonic()
        try:
            return await self._answer(method, target, headers, body, writer)
        finally:
            self.creates_in_flight -= 1
            self.last_create_at = time.monotonic()

    async def _answer(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        if not self._alive:  # a connection that outlived a death (it was trickling) takes no new request
            return False
        self.requests += 1
        fault = self._choose()
        if fault == "error_before":
            self.faults[fault] += 1
            await _write(writer, *_gateway_error(self._rng))
            return True
        assert self._http is not None
        forward = [(k, v) for k, v in headers if k not in _HOP_BY_HOP]
        forward.append(("accept-encoding", "identity"))
        try:
            answer = await self._http.request(method, self.upstream + target, headers=forward, content=body)
        except httpx.HTTPError:
            self.faults["simulator unreachable (not injected)"] += 1
            await _write(writer, *_gateway_error(self._rng))
            return True
        if writer.transport.is_closing():
            fault = "cut_by_death"  # the proxy died while the upstream answered: the client gets nothing
        if method == "POST" and _CREATE.match(target.split("?")[0]):
            self._record_create(body, answer, fault)
        if fault == "cut_by_death":
            return False
        status, reply_headers, payload = (
            answer.status_code,
            [(k, v) for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP],
            answer.content,
        )
        if fault == "none" or (fault in ("trickle", "trickle_long", "drop") and not payload):
            await _write(writer, status, reply_headers, payload)
            return True
        self.faults[fault] += 1
        if fault == "error_after":
            await _write(writer, *_gateway_error(self._rng))
            return True
        head = _head(status, reply_headers, len(payload))
        if fault == "drop":
            writer.write(head + payload[: len(payload) // 2])
            await writer.drain()
            writer.transport.abort()
            return False
        # trickle, trickle_long
        self._trickling.add(writer)
        writer.write(head)
        await writer.drain()
        span = self.config.trickle_long_seconds if fault == "trickle_long" else self.config.trickle_seconds
        deadline = time.monotonic() + self._rng.uniform(*span)
        sent = 0
        while sent < len(payload) - 1 and time.monotonic() < deadline and not writer.transport.is_closing():
            writer.write(payload[sent : sent + 1])
            await writer.drain()
            sent += 1
            await asyncio.sleep(self._rng.uniform(*self.config.trickle_gap))
        writer.write(payload[sent:])
        await writer.drain()
        self._trickling.discard(writer)
        return self._alive  # a connection spared by a death ends with its answer

    def _record_create(self, body: bytes, answer: httpx.Response, fault: str) -> None:
        if answer.status_code != 200:
            return
        try:
            task_id = int(answer.json()["task"]["id"])
        except (ValueError, KeyError, TypeError):
            self.faults["create_answer_unreadable"] += 1
            return
        key = None
        try:
            prompt = str(json.loads(body).get("prompt") or "")
        except (ValueError, AttributeError):
            prompt = body.decode("utf-8", "replace")
        if match := _KEY.search(prompt):
            key = match.group(1)
        self.creates.append(Create(task_id=task_id, key=key, fault=fault, at=time.time()))


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    """One HTTP/1.1 request (Content-Length or chunked body); None at a clean end of the connection."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise
        return None
    if len(raw) > MAX_HEAD:
        raise ValueError("request head too large")
    lines = raw.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))
    values = dict(headers)
    if "chunked" in values.get("transfer-encoding", "").lower():
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            body += await reader.readexactly(size)
            await reader.readexactly(2)
    else:
        length = int(values.get("content-length", "0") or 0)
        body = await reader.readexactly(length) if length else b""
    return method, target, headers, body


def _head(status: int, headers: list[tuple[str, str]], length: int) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines += [f"content-length: {length}", "connection: keep-alive", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _gateway_error(rng: random.Random) -> tuple[int, list[tuple[str, str]], bytes]:
    status = rng.choice((502, 503))
    body = json.dumps({"error": f"{_REASONS[status]} (fault proxy)"}).encode()
    return status, [("content-type", "application/json")], body


async def _write(writer: asyncio.StreamWriter, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    writer.write(_head(status, headers, len(body)) + body)
    await writer.drain()


async def _main(args: argparse.Namespace) -> None:
    proxy = FaultProxy(args.upstream.rstrip("/"), port=args.port, seed=args.seed)
    await proxy.start()
    print(proxy.base_url, flush=True)
    until = time.monotonic() + args.seconds
    try:
        if args.deaths:
            await proxy.deaths(until)
        await asyncio.sleep(max(0.0, until - time.monotonic()))
    finally:
        await proxy.stop()
        print(json.dumps({**proxy.summary(), "creates": [asdict(c) for c in proxy.creates]}, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True, help="the API to forward to, on loopback (e.g. the simulator)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=600.0, help="stop after this long")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--deaths", action="store_true", help="also die for a few seconds every 8-16 s")
    a = parser.parse_args()
    if httpx.URL(a.upstream).host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("--upstream must be a loopback address")
    asyncio.run(_main(a))
