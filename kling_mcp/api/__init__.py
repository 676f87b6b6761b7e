"""The useapi Kling API v1 client layer: ``client.py`` (KlingClient), ``models.py`` (the wire shapes), ``errors.py``
(one error hierarchy with stable codes) and ``retry.py`` (what may be resent, and when). It knows nothing of MCP: its
errors state what happened, and the MCP layer and the batch attach their own next steps.

Importing this package imports nothing else, so ``config`` can read the default address without loading the client.
"""

DEFAULT_BASE_URL = "https://api.useapi.net"  # reference §1: every endpoint is under https://api.useapi.net/v1/kling
