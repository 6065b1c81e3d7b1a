"""The console built from fixed inputs, for snapshots: bundled folders, a fixed folder
label, no database (so no DSN, port or clock on screen)."""

from __future__ import annotations

from migtui import events as E
from migtui.tui.app import MigtuiApp
from migtui.tui.source import ConsoleSource
from tui.helpers import scenario_dir, wait_for

#: A fixed moment for events made here, so nothing on screen depends on the clock.
FIXED_TS = 1_750_000_000.0


def snapshot_app(scenario: str) -> MigtuiApp:
    return MigtuiApp(
        ConsoleSource(root=scenario_dir(scenario), root_label=f"sql/scenarios/{scenario}")
    )


async def wait_until_read(pilot) -> None:
    await wait_for(pilot, lambda: pilot.app.console_screen.loads_completed >= 1)
    await pilot.pause()


def step_events() -> list[E.Event]:
    """What the runner emits stepping into 0014, with fixed times and durations."""
    sql = "ALTER TABLE proposal_moves\n    ADD COLUMN IF NOT EXISTS baseline_updated_at timestamptz"
    file = "0014_rebalancing_concurrency_linkage.sql"
    return [
        E.LockAcquired(ts=FIXED_TS),
        E.PlanStarted(ts=FIXED_TS, direction="apply", steps=("0013_5", "0014"), step_mode=True),
        E.MigrationStarted(
            ts=FIXED_TS,
            version="0014",
            name="rebalancing_concurrency_linkage",
            direction="up",
            file=file,
            statements=7,
        ),
        E.StepPaused(ts=FIXED_TS, version="0014", section="up", index=0, line=16, sql=sql),
        E.StatementStarted(
            ts=FIXED_TS,
            version="0014",
            section="up",
            index=0,
            file=file,
            line=16,
            end_line=19,
            sql=sql,
        ),
        E.Notice(
            ts=FIXED_TS,
            version="0014",
            severity="NOTICE",
            message='column "metadata" of relation "proposal_moves" already exists, skipping',
        ),
        E.StatementFinished(
            ts=FIXED_TS,
            version="0014",
            section="up",
            index=0,
            command_tag="ALTER TABLE",
            rows=None,
            duration_ms=4.2,
            line=16,
        ),
        E.StepPaused(
            ts=FIXED_TS,
            version="0014",
            section="up",
            index=1,
            line=23,
            sql="CREATE INDEX IF NOT EXISTS idx_proposal_moves_source ON proposal_moves (source_event_id);",
        ),
    ]
