"""Applying from the console: the plan, the target, what it destroys, asked once
(by typing the database's name when data is at risk, as the CLI asks)."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from migtui.tui import engine
from migtui.tui.project_view import ProjectView
from migtui.tui.run_actions import RunRequest


class ApplyPreviewReady(Message):
    """What the plan's steps destroy, read from the server (or why not)."""

    def __init__(self, risks: list | None, error: str = "") -> None:
        super().__init__()
        self.risks = risks
        self.error = error


class ApplyScreen(ModalScreen[RunRequest | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, project: ProjectView, dsn: str, plan, request: RunRequest) -> None:
        super().__init__()
        self.project = project
        self.dsn = dsn
        self.plan = plan
        self.request = request
        self.database = project.target.database if project.target else ""
        self.at_risk = False
        self.ready = False

    def compose(self) -> ComposeResult:
        verb = "Step through" if self.request.step else "Apply"
        with Vertical(classes="dialog apply"):
            yield Label(f"{verb} {self._count()} on {self.database}", classes="dialog-title")
            with VerticalScroll(id="apply-plan-box"):
                yield Static(_plan_text(self.plan, self.project.analysis.hints), id="apply-plan")
                yield Static(Text("reading what it destroys…", "dim"), id="apply-risk")
            with Vertical(classes="dialog-footer"):
                yield Static("", id="apply-summary")
                yield Input(placeholder=f"type {self.database} to confirm", id="apply-confirm")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Back", id="cancel")
                    yield Button(verb, id="go", variant="warning", disabled=True)

    def _count(self) -> str:
        n = len(self.plan.steps)
        return f"{n} migration{'s' * (n != 1)}"

    def on_mount(self) -> None:
        self.query_one(Input).display = False
        self.query_one("#cancel", Button).focus()
        self._read_risks()

    @work(thread=True, exclusive=True, exit_on_error=False, group="apply-preview")
    def _read_risks(self) -> None:
        try:
            risks = engine.plan_preview(self.dsn, self.project, self.plan)
        except Exception as exc:  # noqa: BLE001 - said in the dialog, never a crash
            self.post_message(ApplyPreviewReady(None, " ".join(str(exc).split())))
            return
        self.post_message(ApplyPreviewReady(risks))

    @on(ApplyPreviewReady)
    def _show_risks(self, message: ApplyPreviewReady) -> None:
        from migtui.db.preview import summary

        box = self.query_one("#apply-risk", Static)
        if message.risks is None:
            # Counting failed: ask as if data were at risk, and say why.
            self.at_risk = True
            box.update(Text(f"cannot read what it destroys: {message.error}", "bold red"))
        else:
            self.at_risk = any(r.at_risk for r in message.risks)
            parts: list[Text] = []
            for risk in message.risks:
                if not (risk.drops or risk.at_risk):
                    continue
                parts.append(Text(f"▲ {risk.version} {risk.name}", style="bold"))
                parts += [Text(f"    drops {d}", style="dark_orange") for d in risk.drops]
                for table in risk.tables:
                    style = "bold red" if table.at_risk else "dim"
                    parts += [Text(f"    {line}", style=style) for line in table.lines()]
            box.update(Group(*parts) if parts else Text("It drops nothing.", style="dim"))
            self.query_one("#apply-summary", Static).update(
                Text(f"{summary(message.risks)} Type the database name to confirm.", "bold red")
                if self.at_risk
                else Text("No data at risk.", style="green")
            )
        self.ready = True
        confirm = self.query_one(Input)
        confirm.display = self.at_risk
        if self.at_risk:
            confirm.focus()
        self._update_go()
        if not self.at_risk:
            self.query_one("#go", Button).focus()

    @on(Input.Changed, "#apply-confirm")
    def _typed(self) -> None:
        self._update_go()

    @on(Input.Submitted, "#apply-confirm")
    def _submitted(self) -> None:
        self._go()

    def _update_go(self) -> None:
        typed = self.query_one(Input).value.strip()
        ok = self.ready and (not self.at_risk or typed == self.database)
        self.query_one("#go", Button).disabled = not ok

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self._go()
        else:
            self.dismiss(None)

    def _go(self) -> None:
        if not self.query_one("#go", Button).disabled:
            self.dismiss(self.request)


def _plan_text(plan, hints=()) -> Group:
    lines = []
    for step in plan.steps:
        n = len(step.statements)
        text = Text(f"▲ {step.version} ", style="bold")
        text.append(step.name)
        text.append(f"  {n} statement{'s' * (n != 1)}", style="dim")
        if step.own_transactions:
            text.append("  in the transactions the file marks", style="dark_orange")
        elif not step.transactional:
            text.append("  outside a transaction", style="dark_orange")
        mine = sorted((h for h in hints if h.migration == step.version), key=lambda h: h.line or 0)
        if mine:
            rules = dict.fromkeys(h.rule for h in mine)
            text.append(f"  ◆ {len(mine)} lock hint{'s' * (len(mine) != 1)}", style="magenta")
            text.append(f" ({', '.join(rules)})", style="dim")
        lines.append(text)
    for warning in plan.warnings:
        lines.append(Text(f"! {warning}", style="yellow"))
    return Group(*lines)
