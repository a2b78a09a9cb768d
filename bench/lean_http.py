"""A minimal HTTP/1.1 keep-alive client for load runs: the load generator shares the 2-core machine with the
server, and httpx spends ~8 ms of CPU per request (measured in bench/load_replicas.py), enough to cap a
cheap cached answer's rate at the client. This one does only what a JSON POST needs (Content-Length bodies,
keep-alive, one reconnect), ~0.2 ms a request, so the rate measures the server."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit


class LeanConnection:
    def __init__(self, url: str, timeout: float = 60):
        parts = urlsplit(url)
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
            self.writer = self.reader = None

    async def post_json(self, path: str, payload: dict) -> tuple[int, dict | None]:
        """(status, parsed JSON body or None); reconnects once when the server closed the idle connection."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        for attempt in (1, 2):
            if self.writer is None:
                await self._open()
            try:
                self.writer.write(head + body)
                return await asyncio.wait_for(self._response(), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                await self.close()
                if attempt == 2:
                    raise ConnectionError(f"connection lost: {exc}") from exc
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, dict | None]:
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length, close = 0, False
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise ConnectionError("chunked responses are not supported by this load client")
        data = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, None
