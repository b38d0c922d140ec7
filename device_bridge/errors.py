"""The bridge's own errors, so no caller ever handles pyserial, sqlite3 or websockets exceptions.

The tree::

    BridgeError
     ├── ConfigError            the config file is missing or wrong; fatal at start-up
     ├── QueueUnavailable       the durable queue file cannot be opened; fatal at start-up
     ├── PortError              a serial port problem; the port's reader retries with backoff
     │    ├── PortUnavailable   the port cannot be opened (unplugged, busy, no such device)
     │    └── PortLost          an open port stopped working (USB unplug, Bluetooth link down)
     └── UplinkError            the server connection failed; the uplink retries with backoff
          ├── AuthRejected      the server refused the device token (HTTP 401/403, close 4401)
          └── ProtocolViolation the server sent something the protocol does not allow

Library exceptions are translated in one place per edge: ``ports.serial_errors`` for pyserial,
``uplink.open_session`` for websockets.
"""

from __future__ import annotations


class BridgeError(Exception):
    """Base of every error the bridge raises on purpose."""


class ConfigError(BridgeError):
    """The configuration cannot be used."""


class QueueUnavailable(BridgeError):
    """The SQLite queue file cannot be opened or created."""


class PortError(BridgeError):
    """A serial port could not be used."""

    def __init__(self, port: str, reason: str) -> None:
        self.port = port
        self.reason = reason
        super().__init__(f"port {port}: {reason}")


class PortUnavailable(PortError):
    """The port could not be opened."""


class PortLost(PortError):
    """An open port failed while reading."""


class UplinkError(BridgeError):
    """The connection to the server failed or ended."""


class AuthRejected(UplinkError):
    """The server does not accept this bridge's device token."""


class ProtocolViolation(UplinkError):
    """The server sent a message the protocol does not allow."""
