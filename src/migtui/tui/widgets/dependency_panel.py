"""What the selected migration needs, where each need is met, and what needs it."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from migtui.core.project import (
    FROM_ASSUME,
    FROM_DATABASE,
    FROM_LAYOUT,
    FROM_MIGRATION,
    FROM_SELF,
    MigrationInfo,
    Requirement,
)
from migtui.tui import states
from migtui.tui.project_view import ProjectView


class DependencyPanel(VerticalScroll):
    """Needs (met in green with their source, unmet in red with the hint) and dependents."""

    def compose(self):
        yield Static(id="dependency-text")

    def show(self, project: ProjectView | None, version: str | None) -> None:
        self.query_one("#dependency-text", Static).update(describe(project, version))


def describe(project: ProjectView | None, version: str | None) -> Group | Text:
    if project is None:
        return Text("reading the migrations…", style="dim")
    row = project.row(version) if version else None
    if row is None:
        return Text("no migration selected", style="dim")
    if row.info is None:
        return Text.assemble(
            (f"{row.version} ", "bold"),
            (row.state, states.STYLES.get(row.state, "")),
            "\nThe ledger records it as applied, but its file is not in this folder.",
        )
    parts: list = []
    note = getattr(row.status, "note", None)
    if note:  # migtui's ledger and the layout tool's disagree about it
        parts.append(Text(f"! {note}", style="yellow"))
    if row.info.own_transactions:
        parts.append(Text("runs in the transactions its file marks", style="dark_orange"))
    elif not row.info.transactional:
        parts.append(Text("runs outside a transaction", style="dark_orange"))
    parts.extend(_needs(project, row.info))
    parts.extend(_failures(row.info))
    parts.extend(_rollback_failures(row.info))
    parts.extend(_dependents(project, row.info))
    parts.extend(_provides(row.info))
    return Group(*parts)


def _needs(project: ProjectView, info: MigrationInfo) -> list[Text]:
    if not info.requires:
        return [Text("Needs nothing that exists before it.", style="dim")]
    out = [Text("Needs", style="bold underline")]
    unmet = [r for r in info.requires if not r.met]
    shown: set[str] = set()
    for req in unmet + [r for r in info.requires if r.met]:
        # An object used on several lines is one need: shown once, at its first use.
        if str(req.ref) in shown:
            continue
        shown.add(str(req.ref))
        out.append(_requirement_line(project, info, req))
        if not req.met:
            hint = _hint_for(info, req)
            if hint:
                out.append(Text(f"    hint: {hint}", style="cyan"))
    return out


def _failures(info: MigrationInfo) -> list[Text]:
    """The up section's other errors (a drop something depends on, a type
    change without USING …): why the migration is blocked when every need is met."""
    unmet = {str(r.ref) for r in info.requires if not r.met}
    errors = [
        p
        for p in info.problems
        if str(p.severity) == "error" and p.section in (None, "up") and p.object not in unmet
    ]
    return _error_block("Will fail", errors)


def _rollback_failures(info: MigrationInfo) -> list[Text]:
    """Its down section's errors: a rollback through it would stop there."""
    return _error_block(f"Rollback will fail {states.DOWN_FAILS}", info.down_failures)


def _error_block(title: str, errors) -> list[Text]:
    """A heading and each error with its line and hint; nothing when none."""
    if not errors:
        return []
    out = [Text(title, style="bold underline")]
    for problem in errors:
        where = f"line {problem.line}: " if problem.line else ""
        out.append(Text(f"  ✗ {where}{problem.message}", style="red"))
        if problem.hint:
            out.append(Text(f"    hint: {problem.hint}", style="cyan"))
    return out


def _requirement_line(project: ProjectView, info: MigrationInfo, req: Requirement) -> Text:
    line = Text("  ")
    if req.met:
        line.append("✓ ", style="green")
        line.append(str(req.ref))
        line.append(f"  {_source_words(project, req)}", style="dim")
    elif req.guarded:
        line.append("? ", style="yellow")
        line.append(str(req.ref), style="yellow")
        line.append(f"\n    line {req.line}: only inside an existence test; it may skip", "dim")
    elif (doubt := _doubt(info, req)) is not None:
        # nothing makes it by name, but something migtui cannot read may
        line.append("! ", style="yellow")
        line.append(str(req.ref), style="yellow")
        line.append(f"\n    line {req.line}: {doubt}", "dim")
    else:
        line.append("✗ ", style="bold red")
        line.append(str(req.ref), style="bold red")
        line.append(f"\n    line {req.line}: nothing creates it before {info.version}", "red")
    return line


def _doubt(info: MigrationInfo, req: Requirement) -> str | None:
    """Why a need nothing meets is only a warning (SQL built at run time, a
    code migration or an extension may make it), or None when it is an error."""
    spelled = str(req.ref)
    for problem in info.problems:
        if problem.object == spelled and problem.kind == "unknown_origin":
            return problem.message.split("; ", 1)[-1]
    return None


def _source_words(project: ProjectView, req: Requirement) -> str:
    if req.source == FROM_MIGRATION and req.met_by:
        other = project.analysis.get(req.met_by)
        return f"from {req.met_by} {other.name if other else ''}".rstrip()
    return {
        FROM_DATABASE: "already in the database",
        FROM_ASSUME: "assumed (config: assume)",
        FROM_LAYOUT: "made by the migration tool",
        FROM_SELF: "made earlier in this migration",
    }.get(req.source or "", req.source or "")


def _hint_for(info: MigrationInfo, req: Requirement) -> str:
    spelled = str(req.ref)
    for problem in info.problems:
        if problem.object == spelled and problem.hint:
            return problem.hint
    return ""


def _dependents(project: ProjectView, info: MigrationInfo) -> list[Text]:
    after = project.analysis.dependents(info.version)
    if not after:
        return [Text("Nothing later depends on it.", style="dim")]
    out = [Text("Needed by", style="bold underline")]
    for version in after:
        other = project.analysis.get(version)
        edge_objects = next(
            (
                e.objects
                for e in project.analysis.edges
                if e.source == info.version and e.target == version
            ),
            (),
        )
        line = Text(f"  {version} {other.name if other else ''}")
        if edge_objects:
            line.append(f"  ({', '.join(edge_objects)})", style="dim")
        out.append(line)
    return out


def _provides(info: MigrationInfo) -> list[Text]:
    if not info.provides:
        return []
    out = [Text("Creates", style="bold underline")]
    out.extend(Text(f"  {ref}", style="green") for ref in info.provides)
    return out
