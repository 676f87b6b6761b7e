"""kling-mcp: a Model Context Protocol server for Kling AI video generation through useapi.net's Kling API v1."""

__version__ = "0.1.0"
