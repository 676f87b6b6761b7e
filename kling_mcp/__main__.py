"""``python -m kling_mcp`` does what the ``kling-mcp`` command does."""

from kling_mcp.cli import main

if __name__ == "__main__":
    main()
