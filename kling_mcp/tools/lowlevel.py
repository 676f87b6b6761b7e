"""The only place kling-mcp reaches past ``MCPServer``'s public surface, to the low-level ``Server`` it wraps
(``MCPServer._lowlevel_server``), for three things SDK 2.3 offers no public way to do:

- serve ``logging/setLevel``: the SDK's own advice (``MethodBinding``'s docstring) is the low-level
  ``Server.add_request_handler``, since extensions may not bind spec methods;
- serve ``completion/complete`` with the lifespan state (``MCPServer.completion()``'s handlers get the params only,
  and kling-mcp completes from the job ledger);
- run one connection over given message streams (``run_stdio_async`` opens its own, and kling-mcp answers lines that
  are not JSON-RPC before they reach the SDK: ``transport.py``).

An SDK upgrade that renames the attribute fails loudly here (AttributeError at start-up), not silently; tests cover
all three.
"""

from __future__ import annotations

from typing import Any

from anyio.abc import ObjectReceiveStream, ObjectSendStream
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.server.mcpserver import MCPServer
from mcp.shared.message import SessionMessage
from mcp.types import CompleteRequestParams, CompleteResult, EmptyResult, SetLevelRequestParams

from kling_mcp.tools.completion import Completers, complete
from kling_mcp.tools.context import set_client_log_level


def _lowlevel(server: MCPServer[Any]) -> Server[Any]:
    lowlevel: Server[Any] = server._lowlevel_server
    return lowlevel


def serve_protocol_methods(server: MCPServer[Any], completers: Completers) -> None:
    """Serve logging/setLevel and completion/complete (each also advertises its capability, as the SDK derives
    capabilities from the handlers it has)."""

    async def set_level(ctx: ServerRequestContext[Any], params: SetLevelRequestParams) -> EmptyResult:
        """logging/setLevel (protocol versions up to 2025-11-25): the least level of the log messages the client
        gets."""
        set_client_log_level(ctx.session, params.level)
        return EmptyResult()

    async def completion(ctx: ServerRequestContext[Any], params: CompleteRequestParams) -> CompleteResult:
        return CompleteResult(completion=await complete(completers, ctx.lifespan_context, params))

    _lowlevel(server).add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
    _lowlevel(server).add_request_handler("completion/complete", CompleteRequestParams, completion)


async def serve_streams(
    server: MCPServer[Any],
    read_stream: ObjectReceiveStream[SessionMessage | Exception],
    write_stream: ObjectSendStream[SessionMessage],
) -> None:
    """Serve one connection over the given message streams, as ``MCPServer.run_stdio_async`` does over its own."""
    lowlevel = _lowlevel(server)
    await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
