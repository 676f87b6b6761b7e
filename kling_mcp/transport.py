"""Running the MCP server: stdio, or Streamable HTTP (optionally behind a bearer token for remote use)."""

from __future__ import annotations

import hmac
import json
from typing import Any

from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr

ASGIApp = Any


def run_stdio(server: MCPServer[Any]) -> None:
    server.run()


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
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listening_socket(host, port)])
