"""Options and helpers shared by the command modules.

Exit codes, everywhere: 0 done, 1 failed or refused, 2 usage or connection
error, 3 the migtui lock is held by another run.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import click

from migtui.config import Config, ConfigError, load_config, resolve_dir
from migtui.core.catalog import CatalogSnapshot
from migtui.core.project import Analysis

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3

F = TypeVar("F", bound=Callable)


def dir_option(func: F) -> F:
    return click.option(
        "--dir",
        "directory",
        metavar="DIR",
        help="Migrations folder (default: MIGTUI_DIR, config, ./sql/migrations, "
        "./migrations, ./db/migrations, then a tool's own: ./supabase/migrations, "
        "./prisma/migrations, ./drizzle, ./db/migration, ./src/main/resources/db/migration).",
    )(func)


def layout_option(func: F) -> F:
    from migtui.core.folder import LAYOUT_ALIASES, LAYOUT_NAMES

    return click.option(
        "--layout",
        type=click.Choice(LAYOUT_NAMES + tuple(LAYOUT_ALIASES)),
        callback=lambda _ctx, _param, value: LAYOUT_ALIASES.get(value, value),
        help="Folder layout (detected when omitted; dbmate is native).",
    )(func)


def dsn_option(func: F) -> F:
    return click.option(
        "--dsn",
        metavar="DSN",
        help="Target database (default: MIGTUI_DSN, DATABASE_URL, config, libpq's PG* settings).",
    )(func)


def embedded_option(func: F) -> F:
    return click.option(
        "--embedded", is_flag=True, help="Use migtui's embedded PostgreSQL (see `migtui db`)."
    )(func)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="text for people; json for scripts.",
    )(func)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]migtui:[/] {escape(message)}"
    )
    sys.exit(code)


def config_or_fail() -> Config:
    try:
        return load_config()
    except ConfigError as exc:
        fail(str(exc))


def load_analysis(
    directory: str | None,
    layout: str | None = None,
    *,
    catalog: CatalogSnapshot | None = None,
    config: Config | None = None,
) -> Analysis:
    """Read and analyse the migrations folder (with the target's catalog when given).
    A folder or config problem ends the command with one line and exit 2."""
    from migtui.core.folder import AssumeError, LayoutError, analyze_folder
    from migtui.core.memory import collector_paused

    config = config if config is not None else config_or_fail()
    try:
        root = resolve_dir(directory, config)
        with collector_paused():
            analysis = analyze_folder(
                root,
                layout=layout or config.layout,
                assume=config.assume,
                catalog=catalog,
                cache=True,
            )
            # It lives as long as the command: the collector, back on, would
            # otherwise walk every object of it at its next pass.
            gc.freeze()
    except (ConfigError, LayoutError) as exc:
        fail(str(exc))
    except AssumeError as exc:
        fail(f"{config.source}: {exc}")
    return analysis


def target_dsn(dsn: str | None, embedded: bool, config: Config | None = None) -> str:
    """The DSN to connect to, or exit 2 with one line saying what to pass."""
    from migtui.db.connect import ConnectError, resolve_target

    try:
        return resolve_target(dsn, embedded=embedded, config=config)
    except ConnectError as exc:
        fail(str(exc))


def read_target_catalog(target: str) -> CatalogSnapshot:
    """The target's catalog, or exit 2 naming the (redacted) target."""
    import psycopg

    from migtui.config import redact_dsn
    from migtui.db.catalog import read_catalog
    from migtui.db.connect import ConnectError, connect, without_password

    try:
        with connect(target) as conn:
            return read_catalog(conn)
    except ConnectError as exc:
        fail(str(exc))
    except psycopg.Error as exc:
        reason = without_password(" ".join(str(exc).split()) or type(exc).__name__, target)
        fail(f"cannot read the catalog of {redact_dsn(target)}: {reason}")
