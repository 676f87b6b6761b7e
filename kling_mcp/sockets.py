"""Listening sockets for the HTTP servers (the MCP transport and the simulator)."""

from __future__ import annotations

import socket


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket with TCP_NODELAY, which accepted connections inherit.

    uvicorn does not set TCP_NODELAY, and on loopback Nagle's algorithm meeting delayed ACKs costs about 40 ms per
    small response (measured: 44 ms -> 2 ms per GET on the simulator).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
