"""The start-up floor: a minimal MCPServer with one tool, on the same SDK, served over stdio."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("floor")


@server.tool()
def ping(text: str = "") -> str:
    """Answer with the text."""
    return text


if __name__ == "__main__":
    server.run()
