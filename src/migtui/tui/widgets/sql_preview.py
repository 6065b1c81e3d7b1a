"""The selected migration's SQL: up, down and verify as tabs, with the file's line numbers.

During a run the statement that is running is selected, and a failing line is
selected with the server's error shown beside the editor.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static, TabbedContent, TabPane, TextArea
from textual.widgets.text_area import Selection

from migtui.core.project import MigrationInfo

SECTIONS = ("up", "down", "verify")


def _sql_language(area: TextArea) -> str | None:
    """ "sql" when the syntax extra (tree-sitter) is installed, else plain text."""
    return "sql" if "sql" in area.available_languages else None


class SqlPreview(Vertical):
    """Read-only SQL of one migration, highlighted by Textual's tree-sitter support."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._info: MigrationInfo | None = None
        self._starts: dict[str, int] = {}

    def compose(self):
        with TabbedContent(id="sql-tabs"):
            for kind in SECTIONS:
                with TabPane(kind, id=f"sql-{kind}"):
                    area = TextArea(
                        "",
                        read_only=True,
                        show_line_numbers=True,
                        soft_wrap=False,
                        id=f"sql-text-{kind}",
                        classes="sql-text",
                    )
                    area.cursor_blink = False
                    yield area
        yield Static("", id="sql-note")

    def on_mount(self) -> None:
        for kind in SECTIONS:
            area = self._area(kind)
            area.language = _sql_language(area)

    @property
    def version(self) -> str | None:
        return self._info.version if self._info else None

    @property
    def section(self) -> str:
        active = self.query_one(TabbedContent).active or "sql-up"
        return active.removeprefix("sql-")

    def _area(self, kind: str) -> TextArea:
        return self.query_one(f"#sql-text-{kind}", TextArea)

    def show(self, info: MigrationInfo | None) -> None:
        """Load the migration's sections; keep the tab the operator is on."""
        if info is not None and self._info is not None and info.version == self._info.version:
            self._info = info
            return
        self._info = info
        self.note("")
        for kind in SECTIONS:
            section = info.migration.section(kind) if info else None
            area = self._area(kind)
            if section is None:
                area.line_number_start = 1
                area.load_text(f"-- {info.migration.label if info else ''}: no {kind} section")
                self._starts[kind] = 1
            else:
                area.line_number_start = section.start_line
                area.load_text(section.text.rstrip("\n"))
                self._starts[kind] = section.start_line
            area.move_cursor((0, 0))
            area.scroll_home(animate=False)

    def show_section(self, kind: str) -> None:
        if kind in SECTIONS:
            self.query_one(TabbedContent).active = f"sql-{kind}"

    def select_lines(self, kind: str, first: int, last: int | None = None) -> None:
        """Select file lines ``first``..``last`` of a section and scroll them into view."""
        self.show_section(kind)
        area = self._area(kind)
        start = max(0, first - self._starts.get(kind, 1))
        end = max(start, (last or first) - self._starts.get(kind, 1))
        end = min(end, area.document.line_count - 1)
        end_col = len(area.document.get_line(end))
        # The cursor (the selection's end) goes to the first line, column 0, so the
        # view never scrolls sideways to the end of a long last line.
        area.selection = Selection((end, end_col), (start, 0))
        area.scroll_to(x=0, y=max(0, start - 2), animate=False)

    def note(self, message: str | Text, *, error: bool = False) -> None:
        """The line under the editor: the error beside a failing line, or nothing."""
        widget = self.query_one("#sql-note", Static)
        widget.update(message)
        widget.set_class(bool(message), "-shown")
        widget.set_class(error, "-error")
