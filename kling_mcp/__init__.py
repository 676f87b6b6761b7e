"""kling-mcp: a Model Context Protocol server for Kling AI video generation through useapi.net's Kling API v1."""

# The one version source: pyproject.toml reads it ([tool.hatch.version]), scripts/release.py writes it into
# manifest.json and server.json, and tests/release checks that every copy agrees.
__version__ = "0.1.0"
