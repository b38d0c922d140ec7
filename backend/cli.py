"""`lotwise` commands: serve, worker, migrate, demo, create-user, verify, openapi."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable
from typing import Any, TypeVar

import click

T = TypeVar("T")


def _run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        from backend.core import db
        from backend.settings import get_settings

        await db.start(get_settings())
        try:
            return await coro
        finally:
            await db.stop()

    return asyncio.run(main())


@click.group(
    help="Lotwise: inventory for medical devices. Settings come from the environment "
    "(DATABASE_URL, REDIS_URL, SECRET_KEY, LOTWISE_TIMEZONE; see README)."
)
def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    import piccolo_conf  # noqa: F401  (binds the engine from DATABASE_URL before any table use)


@main.command(help="Serve the API, WebSockets and the PWA.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Server processes (PostgreSQL + Redis only).",
)
def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
    )


@main.command(help="Run an arq worker: outbox dispatch, jobs and the cron table (needs REDIS_URL).")
def worker() -> None:
    from arq import run_worker

    from backend.settings import get_settings
    from backend.worker import worker_settings

    settings = get_settings()
    if not settings.redis_url:
        raise click.ClickException(
            "REDIS_URL is not set: without Redis the server runs jobs in-process, no worker needed"
        )
    run_worker(worker_settings(settings.redis_url))


async def migrate_database() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="lotwise")
    if not result.success:
        raise click.ClickException(f"migration failed: {result.message}")


@main.command(help="Bring the database schema up to date.")
def migrate() -> None:
    _run(migrate_database())


@main.command(help="Load the demo data set (refuses a database that already has products).")
@click.option("--if-empty", is_flag=True, help="Do nothing, successfully, if data exists.")
@click.option("--seed", default=20261121, show_default=True, type=int)
def demo(if_empty: bool, seed: int) -> None:
    from backend.demo.build import build_demo, has_data

    async def go() -> dict[str, Any] | None:
        if await has_data():
            if if_empty:
                return None
            raise click.ClickException("the database already has data; demo needs an empty one")
        return await build_demo(seed=seed)

    summary = _run(go())
    if summary is None:
        click.echo("demo: database already has data, nothing loaded")
        return
    click.echo("demo data loaded: " + ", ".join(f"{k} {v}" for k, v in summary["counts"].items()))
    click.echo(f"demo logins (password for all: {summary['password']}):")
    for username, role in summary["users"]:
        click.echo(f"  {username:<12} {role}")


@main.command("create-user", help="Create a user; the password is read from standard input.")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--full-name", default=None)
@click.option("--warehouse", "warehouses", multiple=True, type=int, help="Warehouse id in scope.")
@click.option("--department", "departments", multiple=True, type=int, help="Department id.")
def create_user(
    username: str,
    roles: tuple[str, ...],
    full_name: str | None,
    warehouses: tuple[int, ...],
    departments: tuple[int, ...],
) -> None:
    from backend.auth import service
    from backend.core.actor import SYSTEM
    from backend.core.errors import DomainError

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        view = _run(
            service.create_user(
                SYSTEM,
                username=username,
                full_name=full_name or username,
                password=password,
                roles=list(roles),
                warehouse_ids=list(warehouses),
                department_ids=list(departments),
            )
        )
    except DomainError as exc:
        raise click.ClickException(f"{exc.code}: {exc.message('en')}") from None
    click.echo(f"created user {view.username} (id {view.id}) with roles {', '.join(view.roles)}")


@main.command(help="Check every invariant (audit chain, ...); exit 1 naming each violation.")
def verify() -> None:
    from backend.verify import run_all

    violations = _run(run_all())
    for v in violations:
        click.echo(f"VIOLATION {v.check}: {v.detail}", err=True)
    if violations:
        sys.exit(1)
    click.echo("verify: all invariants hold")


@main.command(help="Print the OpenAPI schema as JSON (the PWA generates its API types from it).")
def openapi() -> None:
    from backend.app import create_app

    schema = create_app().openapi_schema.to_schema()
    click.echo(json.dumps(schema, ensure_ascii=False, indent=1))
