"""Lotwise device bridge: forwards serial scanner scans and logger readings to the server."""

__version__ = "0.1.0"
