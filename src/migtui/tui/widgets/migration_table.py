"""The migrations table: version, name and state; the cursor row drives the other panes."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from migtui.tui import states
from migtui.tui.project_view import ProjectView


class MigrationTable(DataTable):
    """One row per migration, in run order, with its state in words and colour."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._overlay: dict[str, str] = {}
        self._project: ProjectView | None = None

    def on_mount(self) -> None:
        self.add_column(" ", key="mark", width=1)
        self.add_column("version", key="version")
        self.add_column("state", key="state")
        self.add_column("name", key="name")

    @property
    def selected_version(self) -> str | None:
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return key.value

    def show(self, project: ProjectView) -> None:
        """Fill the table, keeping the cursor on the same migration when it is still there."""
        # the cursor stays where the operator put it, not where a listing put it
        listed = self._project is not None and self._project.listed_only
        keep = None if listed else self.selected_version
        self._project = project
        self._overlay.clear()
        self.clear()
        for row in project.rows():
            self.add_row(*self._cells(row.version, row.name, row.state), key=row.version)
        if keep is not None:
            self.select(keep)
        elif self.row_count:
            self.select(self._first_interesting(project))

    def _first_interesting(self, project: ProjectView) -> str:
        rows = project.rows()
        for row in rows:
            if row.state in (states.BLOCKED, states.DIRTY, states.DRIFTED):
                return row.version
        for row in rows:
            if row.state == states.PENDING:
                return row.version
        return rows[0].version

    def select(self, version: str) -> None:
        try:
            index = self.get_row_index(version)
        except Exception:  # the version is not in the table (after a switch of folder)
            return
        self.move_cursor(row=index, scroll=True)

    def mark(self, version: str, state: str | None) -> None:
        """Show a run's progress on a row (running, failed); None restores the ledger's state."""
        if self._project is None:
            return
        row = self._project.row(version)
        if row is None:
            return
        shown = state or row.state
        if state:
            self._overlay[version] = state
        else:
            self._overlay.pop(version, None)
        mark, _, word, _ = self._cells(version, row.name, shown)
        try:
            self.update_cell(version, "mark", mark)
            self.update_cell(version, "state", word)
        except Exception:  # the row went away with a refresh
            pass

    @staticmethod
    def _cells(version: str, name: str, state: str) -> tuple[Text, Text, Text, Text]:
        """Marker, version, state, name: the state before the name, so it shows at 80 columns."""
        style = "bold red" if state == states.BLOCKED else ""
        return (
            states.marker_text(state),
            Text(version, style=style),
            states.state_text(state),
            Text(name, style=style, overflow="ellipsis", no_wrap=True),
        )
