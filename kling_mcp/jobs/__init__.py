"""What makes long work safe: the job ledger, waiting, downloads and the job logic. Knows the client, not MCP."""
