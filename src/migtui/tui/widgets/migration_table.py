"""The migrations table: version, name and state; the cursor row drives the other panes."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets._data_table import DuplicateKey, Row, RowKey

from migtui.tui import states
from migtui.tui.project_view import ProjectView

#: Narrower than this, the table drops the state column for the name's sake:
#: the marker and the version's colour still say the state, and the panel
#: below names it for the selected row.
NARROW = 46


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
        self.narrow = False
        #: Each column's widest cell among the rows shown, by column key.
        self._widths: dict[str, int] = {}

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        self.add_column(" ", key="mark", width=1)
        self.add_column("version", key="version")
        if not self.narrow:
            self.add_column("state", key="state")
        self.add_column("name", key="name")

    def _narrow_for(self, width: int) -> bool:
        """Whether the state column must give way at this width: below NARROW,
        or when versions are so long (Prisma's and sql-migrate's are whole
        names) that the state would be cut off."""
        if width <= 0:
            return self.narrow  # not laid out yet
        if width < NARROW:
            return True
        if not self._widths:
            return False
        # each cell has a column of padding either side; the scrollbar takes two
        needed = 3 + self._widths["version"] + 2 + self._widths["state"] + 2 + 2
        return needed > width

    def on_resize(self, event) -> None:
        self._fit(event.size.width)

    def _fit(self, width: int | None = None) -> None:
        """Drop or bring back the state column for this width (the table's own
        when not given), keeping the rows, the cursor and a run's marks."""
        narrow = self._narrow_for(self.size.width if width is None else width)
        if narrow == self.narrow:
            return
        self.narrow = narrow
        keep, overlay = self.selected_version, dict(self._overlay)
        self.clear(columns=True)
        self._add_columns()
        if self._project is not None:
            self.show(self._project)
            if keep is not None:
                self.select(keep)
            for version, state in overlay.items():
                self.mark(version, state)

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
        rows = project.rows()
        self._widths = _widest(rows)
        narrow = self._narrow_for(self.size.width)
        if narrow != self.narrow:  # these versions fit beside the state, or no longer do
            self.narrow = narrow
            self.clear(columns=True)
            self._add_columns()
        self._add_rows(
            [
                (row.version, self._cells(row.version, row.name, row.state, _down_fails(row)))
                for row in rows
            ]
        )
        if keep is not None:
            self.select(keep)
        elif self.row_count:
            self.select(self._first_interesting(project))
        if self.size.width <= 0:  # shown before the first layout: fit once it is known
            self.call_after_refresh(self._fit)

    def _add_rows(self, rows: list[tuple[str, tuple[Text, ...]]]) -> None:
        """``add_row`` for each, with the table's bookkeeping done once for all
        instead of once a row (its cursor, its refresh): a third of the time a
        2,000-row history took to fill the table."""
        if not rows:
            return
        if not all(hasattr(self, name) for name in ("_row_locations", "_data", "_new_rows")):
            for version, cells in rows:  # a Textual whose table keeps its rows otherwise
                self.add_row(*cells, key=version)
            return
        columns = [column.key for column in self.ordered_columns]
        start = self.row_count
        locations, data, table_rows, new = (
            self._row_locations,
            self._data,
            self.rows,
            self._new_rows,
        )
        for offset, (version, cells) in enumerate(rows):
            key = RowKey(version)
            if key in locations:
                raise DuplicateKey(f"The row key {key!r} already exists.")
            locations[key] = start + offset
            data[key] = dict(zip(columns, cells, strict=True))
            table_rows[key] = Row(key, 1)
            new.add(key)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if start == 0 and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += len(rows)
        self.check_idle()

    def _update_dimensions(self, new_rows) -> None:
        """Size the columns from the widths ``show`` knows instead of measuring
        every new cell through rich (most of the time a 2,000-row history took
        to appear). The cells are single lines of plain text, so their width is
        their text's; a cell changed later (``mark``) is measured by the table,
        and the table still works out its scrollable size."""
        if self._widths:
            for column in self.ordered_columns:
                width = self._widths.get(str(column.key.value), 0)
                column.content_width = max(column.content_width, width)
            new_rows = ()
        super()._update_dimensions(new_rows)

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
        cells = self._cells(version, row.name, shown, _down_fails(row))
        try:
            self.update_cell(version, "mark", cells[0])
            if self.narrow:
                self.update_cell(version, "version", cells[1])
            else:
                self.update_cell(version, "state", cells[2])
        except Exception:  # the row went away with a refresh
            pass

    def _cells(
        self, version: str, name: str, state: str, down_fails: bool = False
    ) -> tuple[Text, ...]:
        """Marker, version, state, name: the state before the name, so it shows at 80
        columns; in a narrow table the version takes the state's colour instead.
        A migration whose down section is known to fail says so after its state
        (before its name in a narrow table): ``↶✗``."""
        style = "bold red" if state == states.BLOCKED else ""
        marker = states.marker_text(state)
        label = Text(name, style=style, overflow="ellipsis", no_wrap=True)
        if self.narrow:
            if down_fails:
                label = Text.assemble((states.DOWN_FAILS, states.DOWN_FAILS_STYLE), " ", label)
            return marker, Text(version, style=states.STYLES.get(state, "")), label
        shown = states.state_text(state)
        if down_fails:
            shown.append(f" {states.DOWN_FAILS}", style=states.DOWN_FAILS_STYLE)
        return marker, Text(version, style=style), shown, label


def _down_fails(row) -> bool:
    return row.info is not None and bool(row.info.down_failures)


def _widest(rows) -> dict[str, int]:
    """The width of each column's widest cell (``_cells``' texts)."""
    if not rows:
        return {}
    return {
        "mark": 1,
        "version": max(cell_len(row.version) for row in rows),
        "state": max(
            cell_len(row.state) + (1 + cell_len(states.DOWN_FAILS) if _down_fails(row) else 0)
            for row in rows
        ),
        "name": max(cell_len(row.name) for row in rows),
    }
