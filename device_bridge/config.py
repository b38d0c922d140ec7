"""The bridge's TOML configuration: read once at start-up, checked strictly, documented per field.

See ``docs/device-bridge.md`` and ``device_bridge/sample-config.toml`` for a commented example.
"""

from __future__ import annotations

import codecs
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from websockets.exceptions import InvalidURI
from websockets.uri import parse_uri

from device_bridge.errors import ConfigError

#: Environment variable that, when set, overrides the ``token`` of the config file.
TOKEN_ENV = "LOTWISE_DEVICE_TOKEN"

NAMED_TERMINATORS: dict[str, bytes] = {
    "CR": b"\r",
    "LF": b"\n",
    "CRLF": b"\r\n",
    "TAB": b"\t",
}

PositiveSeconds = Annotated[float, msgspec.Meta(gt=0)]


def parse_terminator(spec: str) -> bytes:
    """``CR``, ``LF``, ``CRLF``, ``TAB``, or ``hex:`` followed by the bytes (``hex:03``)."""
    if spec in NAMED_TERMINATORS:
        return NAMED_TERMINATORS[spec]
    if spec.startswith("hex:"):
        try:
            value = bytes.fromhex(spec[4:])
        except ValueError:
            value = b""
        if value:
            return value
    raise ConfigError(
        f"terminator {spec!r} is not CR, LF, CRLF, TAB or hex:<bytes> (for example hex:03)"
    )


class BackoffConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """How long to wait between reconnection attempts."""

    initial_s: PositiveSeconds = 0.5
    uplink_cap_s: PositiveSeconds = 30.0
    port_cap_s: PositiveSeconds = 10.0
    auth_retry_s: PositiveSeconds = 60.0


class ProfileConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """How one scanner model or setup encodes its data."""

    gs_standin: str | None = None


class PortConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One serial or Bluetooth-SPP device."""

    name: Annotated[str, msgspec.Meta(min_length=1)]
    url: Annotated[str, msgspec.Meta(min_length=1)]
    kind: Literal["scanner", "logger"] = "scanner"
    baud: Annotated[int, msgspec.Meta(gt=0)] = 9600
    bytesize: Literal[5, 6, 7, 8] = 8
    parity: Literal["N", "E", "O", "M", "S"] = "N"
    stopbits: float = 1
    terminator: str = "CR"
    encoding: str = "utf-8"
    profile: str | None = None
    max_frame_bytes: Annotated[int, msgspec.Meta(ge=16)] = 8192

    @property
    def terminator_bytes(self) -> bytes:
        """The terminator as bytes (checked at load time)."""
        return parse_terminator(self.terminator)


class Config(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The whole configuration file."""

    server_url: str
    station: Annotated[str, msgspec.Meta(min_length=1)]
    queue_path: str = "bridge-queue.sqlite3"
    token: str | None = None
    window: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 64
    ping_interval_s: PositiveSeconds = 20.0
    hello_timeout_s: PositiveSeconds = 10.0
    ack_timeout_s: PositiveSeconds = 60.0
    backoff: BackoffConfig = msgspec.field(default_factory=BackoffConfig)
    profiles: dict[str, ProfileConfig] = msgspec.field(default_factory=dict)
    ports: list[PortConfig] = msgspec.field(default_factory=list)

    def profile_for(self, port: PortConfig) -> ProfileConfig | None:
        """The profile a port names, if any."""
        return self.profiles[port.profile] if port.profile is not None else None

    def require_token(self) -> str:
        """The device token, or a ConfigError saying where to put it."""
        if not self.token:
            raise ConfigError(f"no device token: set `token` in the config or {TOKEN_ENV}")
        return self.token


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read, check and resolve a config file; every problem is a ConfigError naming it."""
    path = Path(path)
    environ = os.environ if environ is None else environ
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from exc
    try:
        config = msgspec.convert(data, Config)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"config {path}: {exc}") from exc
    token = environ.get(TOKEN_ENV) or config.token
    # A relative queue path follows the config file, not whatever directory a service starts in.
    queue_path = (path.parent / config.queue_path).resolve()
    config = msgspec.structs.replace(config, token=token, queue_path=str(queue_path))
    _check(config, path)
    return config


def _check(config: Config, path: Path) -> None:
    try:
        parse_uri(config.server_url)
    except (InvalidURI, ValueError):
        raise ConfigError(
            f"config {path}: server_url {config.server_url!r} must be ws:// or wss://host/..."
        ) from None
    seen: set[str] = set()
    for port in config.ports:
        where = f"config {path}: port {port.name!r}"
        if port.name in seen:
            raise ConfigError(f"{where} is defined twice")
        seen.add(port.name)
        if port.stopbits not in (1, 1.5, 2):
            raise ConfigError(f"{where} has stopbits {port.stopbits:g}; use 1, 1.5 or 2")
        if port.profile is not None and port.profile not in config.profiles:
            raise ConfigError(f"{where} names unknown profile {port.profile!r}")
        try:
            codecs.lookup(port.encoding)
        except LookupError:
            raise ConfigError(f"{where} has unknown encoding {port.encoding!r}") from None
        try:
            port.terminator_bytes  # noqa: B018 - parsing it is the check
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    for name, profile in config.profiles.items():
        if profile.gs_standin == "":
            raise ConfigError(f"config {path}: profile {name!r} has an empty gs_standin")
