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


def _share_highlight_queries() -> None:
    """Compile the highlighting query once per language, not once per text.

    A TextArea builds a new document, and compiles its language's highlight
    query (60 ms for SQL), every time its text is loaded: three times for each
    migration the cursor passes. A compiled query is read-only (each use runs
    it through a cursor of its own), so one serves every document.
    """
    try:
        from textual.document._syntax_aware_document import SyntaxAwareDocument
    except ImportError:  # no tree-sitter: plain text, nothing to compile
        return
    prepare = SyntaxAwareDocument.prepare_query
    if getattr(prepare, "shared", False):
        return
    compiled: dict = {}

    def prepare_once(self, query: str):
        key = (self.language, query)
        if key not in compiled:
            compiled[key] = prepare(self, query)
        return compiled[key]

    prepare_once.shared = True  # type: ignore[attr-defined]
    SyntaxAwareDocument.prepare_query = prepare_once  # type: ignore[method-assign]


_share_highlight_queries()


class SqlPreview(Vertical):
    """Read-only SQL of one migration, highlighted by Textual's tree-sitter support."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._info: MigrationInfo | None = None
        self._starts: dict[str, int] = {}
        #: sections whose text is the shown migration's (the others load when their tab opens)
        self._loaded: set[str] = set()
        #: The shown migration's lock hints, by the file line of their statement.
        self._hints: dict[int, list] = {}
        self._traces: dict[int, object] = {}
        self._hint_noted = False

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
        # Highlighting waits for the first paint: compiling its query takes
        # longer than drawing the whole screen. (After the next refresh is
        # still before the first frame is written: the one after it is not.)
        self.call_after_refresh(self.call_after_refresh, self._highlight)

    def _highlight(self) -> None:
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
        self._loaded.clear()
        self.note("")
        self._load(self.section)

    def _load(self, kind: str) -> None:
        """Put the shown migration's ``kind`` section into its editor, once."""
        if kind in self._loaded or kind not in SECTIONS:
            return
        self._loaded.add(kind)
        info = self._info
        section = info.migration.section(kind) if info else None
        area = self._area(kind)
        if section is None:
            area.line_number_start = 1
            area.load_text(f"-- {info.migration.label if info else ''}: no {kind} section")
            self._starts[kind] = 1
        else:
            area.line_number_start = section.start_line
            area.load_text(_as_written(section).rstrip("\n"))
            self._starts[kind] = section.start_line
        area.move_cursor((0, 0))
        area.scroll_home(animate=False)

    def show_hints(self, hints, traces=()) -> None:
        """The shown migration's lock hints, and the locks a rehearsal traced for
        its statements: said under the editor when the cursor is on the
        statement's first line."""
        self._hints = {}
        for hint in hints:
            self._hints.setdefault(hint.line, []).append(hint)
        self._traces = {trace.line: trace for trace in traces}

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        if event.text_area.id != "sql-text-up":
            return
        line = event.selection.end[0] + self._starts.get("up", 1)
        text = _lock_note(self._hints.get(line, ()), self._traces.get(line))
        if text is not None:
            self.note(text)
            self._hint_noted = True
        elif self._hint_noted:
            self.note("")
            self._hint_noted = False

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "sql-tabs":
            self._load(self.section)

    def show_section(self, kind: str) -> None:
        if kind in SECTIONS:
            self._load(kind)
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
        """The line under the editor: the error beside a failing line, a lock
        hint for the line the cursor is on, or nothing."""
        self._hint_noted = False
        widget = self.query_one("#sql-note", Static)
        widget.update(message)
        widget.set_class(bool(message), "-shown")
        widget.set_class(error, "-error")


def _lock_note(hints, trace) -> Text | None:
    """What the line under the editor says of a statement's locks: the hints
    read from its SQL, and what a rehearsal saw it take."""
    if not hints and trace is None:
        return None
    text = Text()
    for hint in hints:
        text.append("\n" if text else "")
        text.append("◆ ", style="magenta")
        text.append(f"{hint.rule}: ", style="bold")
        text.append(hint.message)
        text.append(f"  safer: {hint.hint}", style="cyan")
    if trace is not None:
        text.append("\n" if text else "")
        text.append("rehearsed: ", style="bold")
        taken = [f"{mode} on {relation}" for relation, mode in trace.locks]
        text.append(", ".join(taken) or "no lock on a table that existed before")
        if trace.rewrote:
            text.append(f"; rewrote {', '.join(trace.rewrote)}", style="magenta")
        scanned = [r for r in trace.scanned if r not in trace.rewrote]
        if scanned:
            text.append(f"; read whole {', '.join(scanned)}", style="dim")
        text.append(f"; {trace.duration_ms:.1f} ms", style="dim")
    return text


def _as_written(section) -> str:
    """A section's text as its file has it: a tern section expanded from its
    templates (``line_map``) is shown as written, so its line numbers are the
    file's, as the problems' are."""
    if not section.line_map:
        return section.text
    try:
        lines = section.path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return section.text
    # to the file line of its last line of text (not the marker line after it)
    last = section.file_line(section.start_line + section.text.rstrip("\n").count("\n"))
    return "\n".join(lines[section.start_line - 1 : last])
