"""The whole project's dependency graph, as a tree or in layers."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Label, Static, Tree

from migtui.core.project import Analysis
from migtui.tui import states
from migtui.tui.project_view import ProjectView
from migtui.tui.widgets.target_header import TargetHeader


class GraphScreen(Screen[str | None]):
    """Full screen; enter picks a migration and goes back to it in the console."""

    BINDINGS = [
        Binding("l", "toggle_layout", "Tree / layers"),
        Binding("escape,g,q", "close", "Back"),
    ]

    def __init__(self, project: ProjectView, selected: str | None) -> None:
        super().__init__()
        self.project = project
        self.selected = selected

    def compose(self) -> ComposeResult:
        header = TargetHeader(id="header")
        header.folder = "dependency graph"
        header.mode = "live" if self.project.live else "offline"
        header.target = self.project.target
        yield header
        with Vertical(id="graph-body"):
            yield Label(_legend(), id="graph-legend")
            with ContentSwitcher(initial="graph-tree", id="graph-switcher"):
                yield _tree(self.project)
                with VerticalScroll(id="graph-layers"):
                    yield Static(layers_text(self.project))
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        tree.focus()
        if self.selected:
            for node in tree.root.children:
                if node.data == self.selected:
                    tree.move_cursor(node)
                    break

    def action_toggle_layout(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "graph-layers" if switcher.current == "graph-tree" else "graph-tree"

    def action_close(self) -> None:
        self.dismiss(None)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data:
            self.dismiss(event.node.data)


def _legend() -> Text:
    return Text.assemble(
        ("each migration lists what it needs; ", "dim"),
        ("✗ red", "bold red"),
        (": nothing creates it  ", "dim"),
        ("l", "bold"),
        (": tree / layers  ", "dim"),
        ("enter", "bold"),
        (": open in the console", "dim"),
    )


def _label(project: ProjectView, version: str) -> Text:
    row = project.row(version)
    if row is None:
        return Text(version)
    text = Text(f"{version} ", style="bold red" if row.blocked else "bold")
    text.append(row.name)
    text.append("  ")
    text.append_text(states.state_text(row.state))
    return text


def _tree(project: ProjectView) -> Tree:
    """Each migration, its prerequisites below it (what it needs, and where from)."""
    analysis = project.analysis
    tree: Tree[str] = Tree(
        Text(f"{len(analysis.migrations)} migrations", style="bold"), id="graph-tree"
    )
    tree.show_root = False
    for info in analysis.migrations:
        node = tree.root.add(_label(project, info.version), data=info.version, expand=True)
        for edge in analysis.dependencies(info.version):
            objects = f"  ({', '.join(edge.objects)})" if edge.objects else ""
            declared = "  declared" if edge.declared else ""
            leaf = _label(project, edge.source)
            leaf.append(objects + declared, style="dim")
            node.add_leaf(Text("needs ").append_text(leaf), data=edge.source)
        for req in info.requires:
            if not req.met and not req.guarded:
                node.add_leaf(
                    Text(
                        f"✗ needs {req.ref}  (line {req.line}; nothing creates it)",
                        style="bold red",
                    ),
                    data=info.version,
                )
    return tree


def layers(analysis: Analysis) -> list[list[str]]:
    """Migrations by depth: layer 0 needs no earlier migration, layer n needs layer n-1."""
    depth: dict[str, int] = {}
    for info in analysis.migrations:
        before = [depth.get(e.source, 0) for e in analysis.dependencies(info.version)]
        depth[info.version] = 1 + max(before) if before else 0
    out: list[list[str]] = []
    for info in analysis.migrations:
        level = depth[info.version]
        while len(out) <= level:
            out.append([])
        out[level].append(info.version)
    return out


def layers_text(project: ProjectView) -> Text:
    text = Text()
    for level, versions in enumerate(layers(project.analysis)):
        text.append(f"layer {level}\n", style="bold underline")
        for version in versions:
            text.append("  ")
            text.append_text(_label(project, version))
            needs = [e.source for e in project.analysis.dependencies(version)]
            if needs:
                text.append(f"  ← {', '.join(needs)}", style="dim")
            text.append("\n")
    return text
