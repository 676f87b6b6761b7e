"""The useapi Kling API v1 client layer. It knows nothing of MCP."""

from kling_mcp.api.client import CreateAttempt, KlingClient
from kling_mcp.api.errors import KlingError

__all__ = ["CreateAttempt", "KlingClient", "KlingError"]
