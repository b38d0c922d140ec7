"""/api/v1/devices (admin: register and revoke bridges) and /api/v1/stations (sign in at one)."""

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.params import JSONBody, PathParameter

from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core.crud_api import RetireIn
from backend.core.structs import Input, Output
from backend.devices import service

StationName = Annotated[str, PathParameter(min_length=1, max_length=100)]


class DeviceOut(Output, kw_only=True):
    id: int
    name: str
    token_hint: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_seen_at: dt.datetime | None


class DeviceCreated(Output, kw_only=True):
    device: DeviceOut
    token: str
    """Shown once: configure it in the bridge (LOTWISE_DEVICE_TOKEN); it cannot be read again."""


class DeviceIn(Input, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


def _out(view: service.DeviceView) -> DeviceOut:
    return msgspec.convert(view, DeviceOut, from_attributes=True)


class DeviceController(Controller):
    path = "/api/v1/devices"
    tags = ["devices"]

    @get("/", **requires(Permission.devices_read))
    async def list_devices(self) -> list[DeviceOut]:
        return [_out(v) for v in await service.list_devices()]

    @post("/", **requires(Permission.devices_write))
    async def create_device(self, actor: CurrentActor, data: JSONBody[DeviceIn]) -> DeviceCreated:
        view, token = await service.create_device(actor, data.name)
        return DeviceCreated(device=_out(view), token=token)

    @post("/{device_id:int}/revoke", status_code=200, **requires(Permission.devices_write))
    async def revoke_device(
        self,
        actor: CurrentActor,
        device_id: Annotated[int, PathParameter(ge=1)],
        data: JSONBody[RetireIn],
    ) -> DeviceOut:
        return _out(await service.revoke_device(actor, device_id, data.reason))


class StationController(Controller):
    path = "/api/v1/stations"
    tags = ["devices"]

    @post("/{station:str}/session", status_code=204, **requires(Permission.station_use))
    async def sign_in(self, actor: CurrentActor, station: StationName) -> None:
        await service.sign_in_at_station(actor, station)

    @delete("/{station:str}/session", status_code=204, **requires(Permission.station_use))
    async def sign_out(self, actor: CurrentActor, station: StationName) -> None:
        await service.sign_out_of_station(actor, station)


CONTROLLERS = [DeviceController, StationController]
