"""sqitch: its registry schema ``sqitch``; ``changes`` has a row per deployed
change with the SHA-1 of its deploy script, ``events`` logs every deploy,
revert and failure. migtui reads it; writing it as sqitch does (change ids,
events, tags, dependencies) is left to sqitch, so migtui refuses to apply
or roll back a database whose registry sqitch keeps.
"""

from __future__ import annotations

import hashlib

from migtui.core.project import MigrationInfo
from migtui.core.tools.base import ToolLedger, ToolState


class Sqitch(ToolLedger):
    tool = "sqitch"
    layout = "sqitch"
    table = "sqitch.changes"
    columns = frozenset({"change_id", "script_hash", "change", "project"})
    writes = False

    def key(self, info: MigrationInfo) -> str:
        return info.migration.name

    def select(self, table: str) -> str:
        events = table.rsplit(".", 1)[0] + ".events" if "." in table else "events"
        return (
            f"SELECT change, script_hash, committed_at::text, 'deploy' FROM {table}"
            f" UNION ALL SELECT e.change, NULL, e.committed_at::text, e.event FROM {events} e"
            f" WHERE e.event = 'fail' AND NOT EXISTS"
            f" (SELECT 1 FROM {table} c WHERE c.change_id = e.change_id)"
        )

    def states(self, rows, infos):
        deployed = {r[0]: r for r in rows if r[3] == "deploy"}
        failed = {r[0] for r in rows if r[3] == "fail"}
        out: dict[str, ToolState] = {}
        for info in infos:
            row = deployed.get(self.key(info))
            if row is None:
                if self.key(info) in failed:
                    out[info.version] = ToolState(applied=False, failed=True)
                continue
            stored = row[1]
            up = info.migration.up
            matches = None
            if stored and up is not None:
                try:
                    matches = hashlib.sha1(up.path.read_bytes()).hexdigest() == stored
                except OSError:
                    matches = None
            out[info.version] = ToolState(
                applied=True, checksum=stored, matches=matches, applied_at=row[2]
            )
        return out
