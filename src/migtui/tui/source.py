"""What the console is opened on: a migrations folder and, perhaps, a target database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class ConsoleSource:
    """The folder and target of one console session.

    ``dsn`` None means offline: the analysis, graph and SQL are shown, and
    actions that need a server say so. ``demo`` means the target is a fresh
    database on the embedded server, made by the console itself, and the
    scenario picker is offered.
    """

    root: Path
    dsn: str | None = None
    layout: str | None = None
    assume: tuple[str, ...] = ()
    #: Start (or reuse) the embedded server and use its ``postgres`` database.
    embedded: bool = False
    #: Demo mode: a fresh database per scenario on the embedded server.
    demo: bool = False
    #: The bundled scenario (or "fixed" for the bundled chain) shown in demo mode.
    scenario: str | None = None
    output_lines: int = 5000
    lock_timeout: str = "5s"
    statement_timeout: str | None = None
    #: The layout tool's ledger table when not its default name (config).
    ledger_table: str | None = None
    #: Lock hint rules not to show (config).
    lint_off: tuple[str, ...] = ()
    #: Shown instead of the folder's path (screenshots and snapshots use it).
    root_label: str | None = None

    @property
    def folder_label(self) -> str:
        """The folder as the operator would type it: relative to here when it is below."""
        if self.root_label:
            return self.root_label
        try:
            return str(self.root.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(self.root)

    @property
    def wants_database(self) -> bool:
        return self.dsn is not None or self.embedded or self.demo

    def with_root(self, root: Path, scenario: str | None) -> ConsoleSource:
        return replace(self, root=root, scenario=scenario, dsn=None, root_label=None)
