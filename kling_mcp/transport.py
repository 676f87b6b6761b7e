"""Running the MCP server: stdio, or Streamable HTTP (optionally behind a bearer token for remote use)."""

from __future__ import annotations

import hmac
import json
import logging
import sys
from contextlib import suppress
from typing import Any

import anyio
from anyio.abc import ObjectReceiveStream, ObjectSendStream
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp.types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import SecretStr, ValidationError

from kling_mcp.tools.lowlevel import serve_streams

ASGIApp = Any
logger = logging.getLogger(__name__)


def run_stdio(server: MCPServer[Any]) -> None:
    anyio.run(serve_stdio, server)


async def serve_stdio(server: MCPServer[Any]) -> None:
    """MCP over stdin/stdout. The SDK's stdio transport hands a line it cannot parse to the server as an exception,
    which drops it without a word, so the client waits for its own timeout. Here such a line is answered as JSON-RPC
    2.0 says: -32700 Parse error, or -32600 Invalid Request (batches included: MCP has none since 2025-06-18), with
    the request's id when it can be read, else null."""
    async with stdio_server() as (read_stream, write_stream):
        send, receive = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        async with anyio.create_task_group() as tg:
            tg.start_soon(answer_unparsable, read_stream, send, write_stream)
            await serve_streams(server, receive, write_stream)
            tg.cancel_scope.cancel()


async def answer_unparsable(
    incoming: ObjectReceiveStream[SessionMessage | Exception],
    to_server: ObjectSendStream[SessionMessage | Exception],
    to_client: ObjectSendStream[SessionMessage],
) -> None:
    """Pass every message on to the server; answer each line that is not one with a JSON-RPC error."""
    async with to_server:
        async for item in incoming:
            if not isinstance(item, Exception):
                await to_server.send(item)
                continue
            error = unparsable_line_error(item)
            if error is None:
                continue
            logger.warning("stdio: answered a line that is not a JSON-RPC message: %s", error.error.message)
            with suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):  # the client is gone: nobody to tell
                await to_client.send(SessionMessage(error))


def unparsable_line_error(exc: Exception) -> JSONRPCError | None:
    """The JSON-RPC error for a line the SDK could not read as a message (None for a blank line)."""
    if not isinstance(exc, ValidationError):
        return _rpc_error(None, PARSE_ERROR, f"Parse error: {type(exc).__name__}.")
    problems = exc.errors(include_url=False, include_context=False)
    if problems and problems[0]["type"] == "json_invalid":
        text = problems[0].get("input")
        if isinstance(text, str) and not text.strip():
            return None  # a blank line between messages is no message at all
        return _rpc_error(None, PARSE_ERROR, f"Parse error: {problems[0]['msg']}.")
    # Valid JSON that fits no message shape: the whole value is the input of an error about the value itself
    # (loc: the union member) or about a field missing from it (loc: member, field).
    line = next(
        (p["input"] for p in problems if len(p["loc"]) == 1 or (p["type"] == "missing" and len(p["loc"]) == 2)),
        None,
    )
    request_id = line.get("id") if isinstance(line, dict) and "method" in line else None  # a broken request's id
    if isinstance(request_id, bool) or not isinstance(request_id, str | int):
        request_id = None
    if isinstance(line, list):
        message = "Invalid Request: JSON-RPC batches are not supported (MCP has none since 2025-06-18)."
    else:
        message = "Invalid Request: not a JSON-RPC 2.0 request, notification or response."
    return _rpc_error(request_id, INVALID_REQUEST, message)


def _rpc_error(request_id: str | int | None, code: int, message: str) -> JSONRPCError:
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))


class BearerTokenMiddleware:
    """Refuse every HTTP request that does not carry ``Authorization: Bearer <KLING_MCP_HTTP_TOKEN>``.

    The comparison runs in constant time. The token is never echoed.
    """

    def __init__(self, app: ASGIApp, token: SecretStr) -> None:
        self.app = app
        self._expected = f"Bearer {token.get_secret_value()}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"authorization", b"")
        if hmac.compare_digest(given, self._expected):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "unauthorized", "message": "Send Authorization: Bearer <KLING_MCP_HTTP_TOKEN>."})
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="kling-mcp"')],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def http_app(server: MCPServer[Any], *, host: str, stateless: bool, http_token: SecretStr | None) -> ASGIApp:
    """The Streamable HTTP app at /mcp. Bound to loopback, the SDK turns on its Host/Origin (DNS-rebinding) checks."""
    app: ASGIApp = server.streamable_http_app(stateless_http=stateless, host=host)
    if http_token is not None:
        app = BearerTokenMiddleware(app, http_token)
    return app


def run_http(server: MCPServer[Any], *, host: str, port: int, stateless: bool, http_token: SecretStr | None) -> None:
    import uvicorn

    from kling_mcp.sockets import listening_socket

    app = http_app(server, host=host, stateless=stateless, http_token=http_token)
    sock = listening_socket(host, port)
    # Said whatever the log level: it is what the user pastes into an MCP client (the simulator's URL is not).
    sys.stderr.write(f"kling-mcp: MCP endpoint (Streamable HTTP): {endpoint_url(host, sock.getsockname()[1])}\n")
    sys.stderr.flush()
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def endpoint_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/mcp"
