"""The console's calls into the engine, made on worker threads.

Each function here only strings engine calls together (read the folder, the
catalog, the ledger) and returns plain values; what a migration needs, what a
plan runs and what a rollback drops is decided by the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from migtui.config import redact_dsn
from migtui.core.folder import analyze_folder, cached_analysis
from migtui.core.project import Analysis, MigrationInfo
from migtui.tui.project_view import ProjectView, TargetInfo
from migtui.tui.source import ConsoleSource

if TYPE_CHECKING:
    from migtui.core.layouts import LoadResult

Progress = Callable[[str], None]


def read_offline(
    source: ConsoleSource, listed: Callable[[ProjectView], None] | None = None
) -> ProjectView:
    """The analysis of the folder alone: no database involved. ``listed`` gets
    the migrations as soon as the files are read, before they are analysed, so
    a big history shows its rows at once."""

    def show_rows(loaded: LoadResult) -> None:
        if listed is not None:
            listed(ProjectView(_unread(loaded), listed_only=True))

    # an unchanged folder comes from the cache without importing the readers
    analysis = analyze_folder(
        source.root, layout=source.layout, assume=source.assume, cache=True, listed=show_rows
    )
    return ProjectView(analysis.without_rules(source.lint_off))


def read_cached(source: ConsoleSource) -> ProjectView | None:
    """The analysis of an unchanged folder as it was kept, or None. Quick enough
    to show in the console's first frame (2,000 migrations: about 0.1 s)."""
    try:
        analysis = cached_analysis(source.root, layout=source.layout, assume=source.assume)
    except Exception:  # noqa: BLE001 - the full read says what is wrong
        return None
    return ProjectView(analysis.without_rules(source.lint_off)) if analysis else None


def _unread(loaded: LoadResult) -> Analysis:
    """The migrations of a folder, not analysed yet."""
    return Analysis(
        root=loaded.root,
        layout=loaded.layout,
        migrations=tuple(MigrationInfo(migration=m) for m in loaded.migrations),
        repeatables=tuple(MigrationInfo(migration=m) for m in loaded.repeatables),
    )


def demo_database_name(scenario: str | None) -> str:
    """One database per demo scenario, made anew each time it is opened."""
    return f"migtui_demo_{(scenario or 'chain').replace('-', '_')}"


def open_target(source: ConsoleSource, progress: Progress) -> str:
    """The DSN to use: the given one, the embedded server's, or a fresh demo database."""
    if source.dsn is not None:
        return source.dsn
    from migtui.db import embedded

    progress("starting the embedded PostgreSQL")
    if source.demo:
        return embedded.create_database(demo_database_name(source.scenario), fresh=True)
    return embedded.ensure_server()


def read_live(source: ConsoleSource, dsn: str, progress: Progress) -> ProjectView:
    """The analysis with the target's catalog, and the ledger's state of each migration."""
    from migtui.core.graph import analyze
    from migtui.core.layouts import load
    from migtui.db.catalog import read_catalog
    from migtui.db.connect import connect, server_version
    from migtui.db.ledger import read_state
    from migtui.db.lock import find_holder

    loaded = load(source.root, source.layout)
    progress("reading the catalog")
    with connect(dsn) as conn:
        catalog = read_catalog(conn)
        version = server_version(conn)
        database = conn.info.dbname
        analysis = analyze(loaded, assume=source.assume, catalog=catalog, cache=True)
        analysis = analysis.without_rules(source.lint_off)
        progress("reading the ledger")
        state = read_state(conn, analysis, source.ledger_table)
        statuses = {s.version: s for s in state.statuses}
        holder = find_holder(conn)
    target = TargetInfo(
        dsn_shown=redact_dsn(dsn),
        database=database,
        server_version=version,
        lock_holder=holder.describe() if holder else "",
        ledger=state.tool.describe() if state.tool else "",
        ledger_notes=state.notes,
    )
    return ProjectView(analysis, target=target, statuses=statuses)


def history_folder(database: str) -> Path:
    """Where the console keeps each run's output, beside the engine's own data."""
    from migtui.db.embedded import data_dir

    return data_dir() / "history" / (database or "default")


def rollback_preview(
    source_dsn: str, project: ProjectView, to: str | None, everything: bool, force: bool = False
):
    """The rollback plan down to ``to`` (or of everything) and, per step, what it
    destroys. With ``force``, the plan runs through down sections check expects
    to fail (their problems stay in ``plan``'s warnings for the dialog to show)."""
    from migtui.core.plan import build_rollback_plan
    from migtui.db.connect import connect
    from migtui.db.preview import rollback_preview as preview

    statuses = list(project.statuses.values())
    plan = build_rollback_plan(project.analysis, statuses, to=to, all=everything, force=force)
    if plan.blockers or not plan.steps:
        return plan, []
    with connect(source_dsn) as conn:
        return plan, preview(conn, project.analysis, plan)


def plan_preview(dsn: str, project: ProjectView, plan) -> list:
    """What each step of ``plan`` destroys, counted on the target."""
    from migtui.db.connect import connect
    from migtui.db.preview import preview_plan

    with connect(dsn) as conn:
        return preview_plan(conn, project.analysis, plan)


def dirty_evidence(dsn: str, analysis, version: str):
    """What the history and the catalog say of a dirty migration's half run."""
    from migtui.db.resolve import evidence

    return evidence(dsn, analysis, version)


def resolve_dirty(
    dsn: str,
    analysis,
    row,
    *,
    applied: bool,
    ledger_table: str | None = None,
    confirm: str | None = None,
    reason: str | None = None,
) -> None:
    """Record the operator's decision about a dirty migration, through the engine."""
    from migtui.db.resolve import resolve

    resolve(
        dsn,
        analysis,
        row.version,
        applied=applied,
        ledger_table=ledger_table,
        confirm=confirm,
        reason=reason,
    )


def read_history(dsn: str, limit: int = 200) -> list:
    """The target's history, newest last."""
    from migtui.db import ledger
    from migtui.db.connect import connect

    with connect(dsn) as conn:
        return ledger.read_history(conn, limit)
