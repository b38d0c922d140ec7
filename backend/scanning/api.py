"""POST /api/v1/scans: what a scanned string is, and what the user may do next."""

import datetime as dt
from typing import Annotated, Any, Final, Literal

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody
from litestar.types import ASGIApp, HTTPResponseStartEvent, Receive, Scope, Send

from backend.auth.guards import CurrentActor, actor_for_scope, requires
from backend.auth.rules import Permission
from backend.core import clock, db
from backend.core.actor import Actor
from backend.core.errors import InvalidInput, Lang
from backend.core.problems import PROBLEM, domain_problem_body
from backend.core.structs import Input, Output
from backend.scanning import rules, service
from backend.scanning.decoding import BarcodeError, ScannerProfile
from backend.scanning.profiles import PROFILES
from backend.scanning.service import INLINE_PROFILE, Resolution

# Longer than the decoder's limit (4096) on purpose: such a scan is still decoded, refused as
# BARCODE_TOO_LONG and logged; only absurd bodies are turned away by validation.
MAX_RAW_BODY = 16384


class ProfileIn(Input, kw_only=True):
    """A scanner profile given inline instead of by name."""

    terminator: Literal["\r", "\n", "\r\n", "\t"] | None = None
    gs_standin: Annotated[str, msgspec.Meta(min_length=1, max_length=8)] | None = None


class ScanIn(Input, kw_only=True):
    raw: Annotated[
        str,
        msgspec.Meta(
            max_length=MAX_RAW_BODY,
            description="The scan exactly as received; GS as U+001D. Nothing is stripped.",
        ),
    ]
    profile: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=40,
                description="A named profile: " + ", ".join(PROFILES),
            ),
        ]
        | ProfileIn
        | None
    ) = None
    station: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None


class WarningOut(Output, kw_only=True):
    code: str
    message: str


class DecodedOut(Output, kw_only=True):
    agency: str
    di: str | None
    gtin: str | None
    lot: str | None
    serial: str | None
    expiry: dt.date | None
    production_date: dt.date | None
    quantity: int | None
    symbology: str | None
    warnings: list[WarningOut]


class ProductOut(Output, kw_only=True):
    id: int
    code: str
    name: str
    name_en: str | None
    model: str
    tracking: str
    base_unit: str
    active: bool
    level: str
    """The packaging level scanned: each, box, case or pallet."""
    base_units: int
    """Base units in one of the scanned level."""


class LotOut(Output, kw_only=True):
    id: int
    lot_number: str
    expiry: dt.date | None
    status: str


class SerialOut(Output, kw_only=True):
    id: int
    serial: str
    status: str


class LocationOut(Output, kw_only=True):
    id: int
    code: str
    name: str | None
    kind: str
    warehouse_id: int
    warehouse_code: str


class DocumentOut(Output, kw_only=True):
    type: str
    id: str
    status: str | None


class ActionOut(Output, kw_only=True):
    code: str
    label: str


class ScanOut(Output, kw_only=True):
    outcome: str
    """product, product_unknown, location, location_unknown, lot_unknown, pick_list,
    pick_list_unknown, document or unsupported."""
    log_id: int
    decoded: DecodedOut
    product: ProductOut | None
    lot: LotOut | None
    serial: SerialOut | None
    location: LocationOut | None
    document: DocumentOut | None
    actions: list[ActionOut]
    warnings: list[WarningOut]
    """Status warnings (expired, near expiry, on hold, recalled, not released, ...)."""


def _profile(data: ScanIn) -> tuple[ScannerProfile, str | None]:
    if data.profile is None:
        return PROFILES["default"], None
    if isinstance(data.profile, ProfileIn):
        return ScannerProfile(data.profile.terminator, data.profile.gs_standin), INLINE_PROFILE
    if data.profile not in PROFILES:
        raise InvalidInput(field="profile", reason="one of " + ", ".join(PROFILES))
    return PROFILES[data.profile], data.profile


def _out(r: Resolution, lang: Lang) -> ScanOut:
    d = r.decoded
    product: ProductOut | None = None
    if r.product is not None:
        p: dict[str, Any] = r.product.product
        product = ProductOut(
            id=p["id"],
            code=p["code"],
            name=p["name"],
            name_en=p["name_en"],
            model=p["model"],
            tracking=p["tracking"],
            base_unit=p["base_unit"],
            active=bool(p["active"]),
            level=r.product.level,
            base_units=r.product.quantity,
        )
    lot, serial = r.unit.lot, r.unit.serial
    loc = r.location
    return ScanOut(
        outcome=r.outcome,
        log_id=r.log_id,
        decoded=DecodedOut(
            agency=d.agency,
            di=d.di,
            gtin=d.gtin,
            lot=d.lot,
            serial=d.serial,
            expiry=d.expiry,
            production_date=d.production_date,
            quantity=d.quantity,
            symbology=d.symbology,
            warnings=[WarningOut(code=w.code, message=w.message(lang)) for w in d.warnings],
        ),
        product=product,
        lot=LotOut(
            id=lot["id"],
            lot_number=lot["lot_number"],
            expiry=db.as_date(lot["expiry"]),
            status=lot["status"],
        )
        if lot
        else None,
        serial=SerialOut(id=serial["id"], serial=serial["serial"], status=serial["status"])
        if serial
        else None,
        location=LocationOut(
            id=loc["id"],
            code=loc["code"],
            name=loc["name"],
            kind=loc["kind"],
            warehouse_id=loc["warehouse"],
            warehouse_code=loc["warehouse_code"],
        )
        if loc
        else None,
        document=DocumentOut(type=r.document[0], id=r.document[1], status=r.document_status)
        if r.document
        else None,
        actions=[ActionOut(code=a, label=rules.action_label(a, lang)) for a in r.actions],
        warnings=[WarningOut(code=w.code, message=w.message(lang)) for w in r.warnings],
    )


async def _scan(actor: Actor, data: ScanIn) -> ScanOut:
    profile, profile_name = _profile(data)
    resolution = await service.scan(
        actor,
        data.raw,
        profile=profile,
        profile_name=profile_name,
        station=data.station,
        today=clock.today(),
    )
    return _out(resolution, actor.lang)


FAST_PATH_MAX_BODY: Final = 256 * 1024
"""Larger bodies (far beyond any scan) go to the handler, which applies the app's limit."""
_decode_scan_in: Final = msgspec.json.Decoder(ScanIn, strict=True)
_encode: Final = msgspec.json.Encoder()
_JSON_HEADERS: Final = (b"content-type", b"application/json")


def scan_fast_path(app: ASGIApp) -> ASGIApp:
    """Route middleware of ``POST /api/v1/scans``: a well-formed scan is served here, without
    Litestar's per-request handler machinery (request object, signature model, dependency
    injection, the before-request hook, response object), which cost more than decoding,
    resolving and logging a scan together. Authentication, the permission and the other
    middleware have run already; errors raised here reach the same exception handlers.

    The body is decoded exactly as ``strict_body`` does for an ``Input`` (strictly, unknown
    fields refused) and the answer is the handler's (``_scan``) encoded as Litestar encodes
    it. Anything else, a body that does not decode above all, goes to the declared handler
    unchanged, so refusals are the handler's own (and the API document is unchanged)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size = 0
        message: Any = {"more_body": True}
        while message.get("more_body", False) and size <= FAST_PATH_MAX_BODY:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)
        data: ScanIn | None = None
        if message["type"] == "http.request" and not message.get("more_body", False):
            try:
                data = _decode_scan_in.decode(body)
            except msgspec.DecodeError:  # the handler answers with its own refusal
                data = None
        if data is None:
            await app(scope, _replay(body, message, receive), send)
            return
        actor = actor_for_scope(scope)
        try:
            answer = _encode.encode(await _scan(actor, data))
        except BarcodeError as error:
            # A refused scan is an everyday answer (one beep in ten, say), not worth the
            # exception's long way out: the problem document the exception handler would
            # write for it (``problems.domain_error_handler``).
            body = _encode.encode(domain_problem_body(error, actor.lang))
            await _respond(send, error.status, body, (b"content-type", PROBLEM.encode()),
                           (b"content-language", actor.lang.encode()))  # fmt: skip
            return
        await _respond(send, 200, answer, _JSON_HEADERS)

    return middleware


async def _respond(send: Send, status: int, body: bytes, *headers: tuple[bytes, bytes]) -> None:
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": [*headers, (b"content-length", str(len(body)).encode())],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _replay(body: bytes, last: Any, receive: Receive) -> Receive:
    """``receive`` for the handler: the body read so far, then the rest of the stream."""
    pending: list[Any] = [
        {"type": "http.request", "body": body, "more_body": last.get("more_body", False)}
    ]
    if last["type"] != "http.request":
        pending.append(last)

    async def replay() -> Any:
        return pending.pop(0) if pending else await receive()

    return replay


class ScanController(Controller):
    path = "/api/v1/scans"
    tags = ["scanning"]

    @post("/", status_code=200, middleware=[scan_fast_path], **requires(Permission.scan))
    async def resolve_scan(self, actor: CurrentActor, data: JSONBody[ScanIn]) -> ScanOut:
        """Decode a scan and say what it is; an undecodable one answers 422 with its code.
        Every scan, either way, is logged. (Well-formed scans are served by
        ``scan_fast_path``, with this same code.)"""
        return await _scan(actor, data)


CONTROLLERS = [ScanController]
