"""Guided rollback: pick how far back, see what each step drops and the rows at risk,
and confirm (by typing the database's name when any data is at risk)."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from migtui.tui import engine
from migtui.tui.messages import RollbackPreviewReady
from migtui.tui.project_view import ProjectView, Row
from migtui.tui.run_actions import RunRequest


class RollbackScreen(ModalScreen[RunRequest | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, project: ProjectView, dsn: str, selected: str | None) -> None:
        super().__init__()
        self.project = project
        self.dsn = dsn
        self.database = project.target.database if project.target else ""
        self.applied = [r for r in reversed(project.rows()) if _is_applied(r)]
        self.selected = selected
        self.request: RunRequest | None = None
        #: the version the highlighted target keeps (None: roll back everything)
        self.keeping: str | None = None
        self.at_risk = False
        #: Down sections check expects to fail, which the operator may still run.
        self.failing_downs: tuple = ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog rollback"):
            yield Label(f"Guided rollback of {self.database}", classes="dialog-title")
            if not self.applied:
                yield Static("Nothing is applied: there is nothing to roll back.")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Back", id="cancel", variant="primary")
                return
            yield Static("Undo back to and including:", classes="dialog-text")
            yield OptionList(
                *(Option(_option_text(row), id=row.version) for row in self.applied),
                id="rollback-targets",
            )
            with VerticalScroll(id="rollback-preview-box"):
                yield Static("choose how far back to go", id="rollback-preview")
            with Vertical(classes="dialog-footer"):
                yield Static("", id="rollback-summary")
                yield Input(placeholder=f"type {self.database} to confirm", id="rollback-confirm")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Back", id="cancel", variant="primary")
                    yield Button("Roll back", id="go", variant="error", disabled=True)

    def on_mount(self) -> None:
        if not self.applied:
            return
        self.query_one(Input).display = False
        targets = self.query_one(OptionList)
        versions = [r.version for r in self.applied]
        targets.highlighted = versions.index(self.selected) if self.selected in versions else 0
        targets.focus()

    @on(OptionList.OptionHighlighted, "#rollback-targets")
    def _target_changed(self, event: OptionList.OptionHighlighted) -> None:
        index = event.option_index
        everything = index == len(self.applied) - 1
        keep = None if everything else self.applied[index + 1].version
        self.keeping = keep
        self.request = None
        self.query_one("#go", Button).disabled = True
        self.query_one("#rollback-preview", Static).update(Text("reading what it drops…", "dim"))
        self._read_preview(keep, everything)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rollback-preview")
    def _read_preview(self, keep: str | None, everything: bool) -> None:
        try:
            plan, risks = engine.rollback_preview(self.dsn, self.project, keep, everything)
            failing = ()
            if plan.blockers and all(b.overridable for b in plan.blockers):
                # only down sections check expects to fail: show what running them
                # anyway would do, and let the operator decide by typing the name
                failing = plan.blockers
                plan, risks = engine.rollback_preview(
                    self.dsn, self.project, keep, everything, force=True
                )
        except Exception as exc:
            self.post_message(RollbackPreviewReady(keep, None, str(exc)))
            return
        message = RollbackPreviewReady(keep, plan, risks)
        message.failing_downs = failing
        self.post_message(message)

    @on(RollbackPreviewReady)
    def _show_preview(self, message: RollbackPreviewReady) -> None:
        if message.target != self.keeping:
            return  # the preview of a target highlighted before, come late
        box = self.query_one("#rollback-preview", Static)
        plan = message.plan
        if plan is None:
            box.update(Text(f"cannot read the preview: {message.preview}", style="bold red"))
            return
        if plan.blockers:
            box.update(Group(*(Text(f"✗ {b}", style="bold red") for b in plan.blockers)))
            return
        self.failing_downs = tuple(getattr(message, "failing_downs", ())) + tuple(
            f"{risk.version} {risk.file}:{line}: drops {obj}, which {self.database} does not "
            "have: the step would fail there"
            for risk in message.preview
            for obj, line in risk.absent_drops
        )
        self.at_risk = any(risk.at_risk for risk in message.preview)
        box.update(_describe(plan, message.preview, self.at_risk, self.failing_downs))
        self.query_one("#rollback-summary", Static).update(
            _summary_line(message.preview, self.at_risk, self.failing_downs)
        )
        self.request = RunRequest(
            "rollback",
            to=message.target,
            rollback_all=message.target is None,
            force_down=bool(self.failing_downs),
        )
        go = self.query_one("#go", Button)
        go.label = "Run anyway" if self.failing_downs else "Roll back"
        confirm = self.query_one(Input)
        confirm.display = self.at_risk or bool(self.failing_downs)
        confirm.value = ""
        self._update_go()

    @on(Input.Changed, "#rollback-confirm")
    def _typed(self) -> None:
        self._update_go()

    @on(Input.Submitted, "#rollback-confirm")
    def _submitted(self) -> None:
        self._go()

    def _update_go(self) -> None:
        typed = self.query_one(Input).value.strip()
        asks = self.at_risk or bool(self.failing_downs)
        ready = self.request is not None and (not asks or typed == self.database)
        self.query_one("#go", Button).disabled = not ready

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self._go()
        else:
            self.dismiss(None)

    def _go(self) -> None:
        if not self.query_one("#go", Button).disabled:
            self.dismiss(self.request)


def _is_applied(row: Row) -> bool:
    return row.status is not None and row.status.is_applied


def _option_text(row: Row) -> Text:
    text = Text(f"{row.version:<8}", style="bold")
    applied_at = getattr(row.status, "applied_at", None) or ""
    text.append(f"{applied_at[:16].replace('T', ' '):<18}", style="dim")
    text.append(row.name)
    return text


def _describe(plan, risks, at_risk: bool, failing=()) -> Group:
    parts: list[Text] = [Text(f"✗ {b}", style="bold red") for b in failing]
    if failing:
        parts.append(
            Text(
                "check expects these down statements to fail: the step would roll back "
                "and stop there. Type the database name to run it anyway.",
                style="red",
            )
        )
    for risk in risks:
        head = Text(f"↺ {risk.version} {risk.name}", style="bold")
        parts.append(head)
        if risk.drops:
            for item in risk.drops:
                parts.append(Text(f"    drops {item}", style="dark_orange"))
        else:
            parts.append(Text("    drops nothing", style="dim"))
        for table in risk.tables:
            style = "bold red" if table.at_risk else "dim"
            for line in table.lines():
                parts.append(Text(f"    {line}", style=style))
    return Group(*parts)


def _summary_line(risks, at_risk: bool, failing=()) -> Text:
    """One line beside the name to type: what confirming costs."""
    from migtui.db.preview import summary

    if at_risk:
        return Text(f"{summary(risks)} Type the database name to confirm.", "bold red")
    if failing:
        return Text("Type the database name to run the failing step anyway.", "bold red")
    return Text("No data at risk.", style="green")
