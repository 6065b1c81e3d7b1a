"""``check``, ``graph`` and ``show``: the analysis, before anything touches a database."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migtui.cli import common
from migtui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    config_or_fail,
    dir_option,
    fail,
    layout_option,
    read_target_catalog,
    target_dsn,
)
from migtui.config import ConfigError, resolve_dir
from migtui.core.model import Problem, Severity
from migtui.core.project import (
    FROM_ASSUME,
    FROM_DATABASE,
    FROM_LAYOUT,
    FROM_MIGRATION,
    Analysis,
    MigrationInfo,
)
from migtui.report import check_json, graph_dot, graph_json, graph_mermaid, migration_json

if TYPE_CHECKING:
    from rich.console import Console


def _out() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def load_analysis(
    directory: str | None,
    layout: str | None,
    dsn: str | None = None,
    embedded: bool = False,
) -> Analysis:
    """Read the folder, and the target's catalog when a database is given."""
    config = config_or_fail()
    try:
        root = resolve_dir(directory, config)  # a wrong folder is said before any connection
    except ConfigError as exc:
        fail(str(exc))
    catalog = None
    if dsn is not None or embedded:
        catalog = read_target_catalog(target_dsn(dsn, embedded, config))
    return common.load_analysis(str(root), layout, catalog=catalog, config=config)


def analysis_options(func):
    """--dir, --layout, --dsn and --embedded, shared by the analysis commands."""
    func = click.option(
        "--embedded",
        is_flag=True,
        help="Check against migtui's embedded PostgreSQL (see `migtui db`).",
    )(func)
    func = click.option(
        "--dsn",
        metavar="DSN",
        help="Also read this database's catalog: prerequisites it already has are met.",
    )(func)
    func = layout_option(func)
    func = dir_option(func)
    return func


# -- check ---------------------------------------------------------------------------------


@click.command("check")
@analysis_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def check_command(directory, layout, dsn, embedded, fmt) -> None:
    """Analyse the migrations: what each provides and needs, and every problem.

    Exit status: 0 when there is no error, 1 when there is any, 2 for usage errors.
    """
    started = time.perf_counter()
    if fmt == "text" and dsn is None and not embedded:
        # The report of an unchanged folder is kept with its analysis: printing
        # it again needs neither the analysis nor the reading.
        store = _report_store(directory, layout)
        report = store.load_extra("check") if store is not None else None
        if report is None:
            report = CheckReport.of(load_analysis(directory, layout))
            if store is not None:
                store.save_extra("check", report)
        render_check(report.without_rules(_lint_off()), time.perf_counter() - started)
        sys.exit(EXIT_FAILED if report.errors else EXIT_OK)
    analysis = load_analysis(directory, layout, dsn, embedded).without_rules(_lint_off())
    elapsed = time.perf_counter() - started
    if fmt == "json":
        click.echo(json.dumps(check_json(analysis), indent=2))
    else:
        render_check(CheckReport.of(analysis), elapsed)
    sys.exit(EXIT_FAILED if analysis.errors else EXIT_OK)


def _lint_off() -> tuple[str, ...]:
    """The lock hint rules the config turns off (read again: the kept report has all)."""
    from migtui.cli.common import config_or_fail

    return config_or_fail().lint_off


def _report_store(directory: str | None, layout: str | None):
    """Where the folder's kept analysis lives, or None (no cache, bad folder:
    the full path then says what is wrong)."""
    from migtui.core.cache import ProjectCache

    config = config_or_fail()
    try:
        root = resolve_dir(directory, config)
    except ConfigError:
        return None
    if not root.is_dir():
        return None
    store = ProjectCache(root, layout or config.layout, tuple(config.assume))
    return store if store.key is not None else None


@dataclass(frozen=True)
class CheckRow:
    version: str
    name: str
    needs: int
    blocked: bool
    errors: int
    warnings: int


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` prints: a few values per migration and the problems."""

    root: str
    layout: str
    live: bool
    migrations: int
    rows: tuple[CheckRow, ...]
    problems: tuple[Problem, ...]
    #: Lock hints (kind "lint"): advice, counted in no total.
    hints: tuple[Problem, ...] = ()

    def without_rules(self, off: tuple[str, ...]) -> CheckReport:
        if not off:
            return self
        return replace(self, hints=tuple(h for h in self.hints if h.rule not in off))

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    @classmethod
    def of(cls, analysis: Analysis) -> CheckReport:
        rows = []
        for info in analysis.migrations + analysis.repeatables:
            errors = sum(1 for p in info.problems if p.severity is Severity.ERROR)
            rows.append(
                CheckRow(
                    info.version,
                    info.name,
                    len(info.depends_on),
                    info.blocked,
                    errors,
                    len(info.problems) - errors,
                )
            )
        return cls(
            str(analysis.root),
            analysis.layout,
            analysis.live,
            len(analysis.migrations),
            tuple(rows),
            tuple(analysis.problems),
            tuple(analysis.hints),
        )


#: A piece of a line of output and its rich style ("" for none).
Segment = tuple[str, str]


def _state_segments(row: CheckRow) -> list[Segment]:
    errors, warnings = row.errors, row.warnings
    if row.blocked:
        out = [("✗ blocked", "bold red")]
    elif errors:  # only its down section fails: apply runs, rollback is refused
        out = [("✗ down fails", "red")]
    elif warnings:
        out = [("! warning", "yellow")]
    else:
        out = [("✓ ok", "green")]
    counts = []
    if errors:
        counts.append(f"{errors} error{'s' * (errors != 1)}")
    if warnings:
        counts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    if counts:
        out.append(("  " + ", ".join(counts), "dim"))
    return out


def _migrations_table(rows: tuple[CheckRow, ...], width: int) -> list[list[Segment]]:
    """One line per migration: version, name, how many it needs, its state.

    Laid out by hand: a history of thousands of migrations prints at once,
    where a measured table would take seconds.
    """
    cells = [
        (row, row.version, row.name, str(row.needs) if row.needs else "", _state_segments(row))
        for row in rows
    ]
    needs_w = max([len("needs")] + [len(c[3]) for c in cells])
    state_w = max([len("state")] + [sum(len(t) for t, _ in c[4]) for c in cells])
    # Prisma's and sql-migrate's versions are whole names: no name column
    # then, and a version too long for the line is cut (the problems below
    # name it whole)
    named = any(c[2] for c in cells)
    room = width - needs_w - state_w - (6 if named else 4) - (len("name") if named else 0)
    version_w = max([len("version")] + [len(c[1]) for c in cells])
    version_w = max(len("version"), min(version_w, room, 40 if named else room))
    longest = max([len("name")] + [len(c[2]) for c in cells])
    name_w = max(len("name"), min(longest, width - version_w - needs_w - state_w - 6))
    title = f"  {'name':<{name_w}}" if named else ""
    header = f"{'version':<{version_w}}{title}  {'needs':>{needs_w}}  state"
    lines: list[list[Segment]] = [[(header.rstrip(), "dim")]]
    for row, version, name, needs, state in cells:
        if len(name) > name_w:
            name = name[: name_w - 1] + "…"
        if len(version) > version_w:
            version = version[: version_w - 1] + "…"
        lines.append(
            [
                (f"{version:<{version_w}}", "bold red" if row.blocked else ""),
                (f"  {name:<{name_w}}  " if named else "  ", ""),
                (f"{needs:>{needs_w}}", "dim"),
                ("  ", ""),
                *state,
            ]
        )
    return lines


def _migrations(n: int) -> str:
    return f"{n} migration{'s' * (n != 1)}"


def check_lines(
    report: CheckReport, elapsed: float | None = None, width: int = 80
) -> list[list[Segment]]:
    """What ``check`` prints, line by line."""
    live = " · with the database's catalog" if report.live else ""
    lines: list[list[Segment]] = [
        [
            (report.root, "bold"),
            ("  ", ""),
            (f"{report.layout} layout, {_migrations(report.migrations)}{live}", "dim"),
        ]
    ]
    lines += _migrations_table(report.rows, width)
    loose = [p for p in report.problems if p.migration is None]
    if report.problems:
        lines += [[], [("Problems", "bold")]]
    for problem in loose + [p for p in report.problems if p.migration is not None]:
        mark = (
            ("✗ error", "bold red")
            if problem.severity is Severity.ERROR
            else ("! warning", "yellow")
        )
        where = problem.file or ""
        if problem.line:
            where += f":{problem.line}"
        lines.append(
            [
                ("  ", ""),
                mark,
                ("  ", ""),
                (problem.migration or "", "bold"),
                (" ", ""),
                (problem.kind, "dim"),
                (f"  {where}", ""),
            ]
        )
        lines.append([(f"      {problem.message}", "")])
        if problem.hint:
            lines.append([("      ", ""), ("hint:", "cyan"), (f" {problem.hint}", "")])
    lines += _hint_lines(report.hints)
    errors, warnings = report.errors, report.warnings
    summary = (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
        f"in {_migrations(report.migrations)}"
    )
    if report.hints:
        summary += f" · {len(report.hints)} lock hint{'s' * (len(report.hints) != 1)}"
    if elapsed is not None:
        summary += f" · {elapsed:.2f} s"
    lines += [[], [(summary, "bold red" if errors else "green")]]
    return lines


def _hint_lines(hints: tuple[Problem, ...]) -> list[list[Segment]]:
    """The lock hints, a paragraph per rule with where it applies: a long history
    has hundreds, and each one's detail is in the JSON and the console."""
    if not hints:
        return []
    from migtui.core.locks import RULES, SAFER

    lines: list[list[Segment]] = [
        [],
        [
            ("Lock hints", "bold"),
            ("  what would lock a table in use (lint_off in the config turns a rule off)", "dim"),
        ],
    ]
    by_rule: dict[str, list[Problem]] = {}
    for hint in hints:
        by_rule.setdefault(hint.rule or "", []).append(hint)
    for rule in sorted(by_rule, key=lambda r: list(RULES).index(r) if r in RULES else 99):
        found = by_rule[rule]
        lines.append(
            [
                ("  ", ""),
                ("◆ ", "magenta"),
                (rule, "bold"),
                (f"  {len(found)} · {RULES.get(rule, '')}", "dim"),
            ]
        )
        # a statement hinted at for several of its columns is one place
        places = list(dict.fromkeys(f"{h.migration}:{h.line}" for h in found))
        shown = "  ".join(places[:_PLACES])
        if len(places) > _PLACES:
            shown += f"  … and {len(places) - _PLACES} more (--format json lists each)"
        lines.append([(f"      {shown}", "")])
        safer = SAFER.get(rule, found[0].hint)
        lines.append([("      ", ""), ("safer:", "cyan"), (f" {safer}", "")])
        # where the usual safer form is refused (a partitioned table), its own way
        refused = [h for h in found if h.hint.startswith("PostgreSQL refuses")]
        for text in dict.fromkeys(h.hint for h in refused):
            at = "  ".join(f"{h.migration}:{h.line}" for h in refused if h.hint == text)
            lines.append([("      ", ""), ("but at", "cyan"), (f" {at}: {text}", "")])
    return lines


#: How many places a lock hint's paragraph names before it counts the rest.
_PLACES = 8


def _to_terminal() -> bool:
    """Whether stdout is a terminal that gets colours (rich's own test, without
    importing rich for output that goes into a pipe)."""
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _width() -> int:
    try:
        return int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return 80


def render_check(report: CheckReport, elapsed: float | None = None) -> None:
    """Print ``check``'s report: styled on a terminal, plain text elsewhere."""
    if not _to_terminal():
        lines = check_lines(report, elapsed, _width())
        sys.stdout.write("\n".join("".join(t for t, _ in line) for line in lines) + "\n")
        return
    from rich.text import Text

    console = _out()
    text = Text()
    for number, line in enumerate(check_lines(report, elapsed, console.width)):
        if number:
            text.append("\n")
        for piece, style in line:
            text.append(piece, style=style or None)
    console.print(text)


# -- graph ---------------------------------------------------------------------------------


@click.command("graph")
@analysis_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "dot", "mermaid", "json"]),
    default="text",
    show_default=True,
)
def graph_command(directory, layout, dsn, embedded, fmt) -> None:
    """The dependency graph: each edge labelled with the objects that make it."""
    analysis = load_analysis(directory, layout, dsn, embedded)
    if fmt == "dot":
        click.echo(graph_dot(analysis), nl=False)
    elif fmt == "mermaid":
        click.echo(graph_mermaid(analysis), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(graph_json(analysis), indent=2))
    else:
        render_graph(_out(), analysis)


def render_graph(console: Console, analysis: Analysis) -> None:
    from rich.markup import escape
    from rich.text import Text

    for info in analysis.migrations:
        style = "bold red" if info.blocked else "bold"
        console.print(Text(info.migration.label, style=style))
        deps = analysis.dependencies(info.version)
        unmet = [r for r in info.requires if not r.met]
        outside = [
            r for r in info.requires if r.source in (FROM_DATABASE, FROM_ASSUME, FROM_LAYOUT)
        ]
        rows = len(deps) + len(unmet) + len(outside)
        n = 0
        for edge in deps:
            n += 1
            branch = "└─" if n == rows else "├─"
            what = ", ".join(edge.objects) if edge.objects else "declared with -- requires"
            console.print(f"  {branch} [cyan]{escape(edge.source)}[/] [dim]{escape(what)}[/]")
        for req in outside:
            n += 1
            branch = "└─" if n == rows else "├─"
            console.print(f"  {branch} [blue]{req.source}[/] [dim]{escape(str(req.ref))}[/]")
        for req in unmet:
            n += 1
            branch = "└─" if n == rows else "├─"
            style = "yellow" if req.guarded else "bold red"
            label = "only if it exists" if req.guarded else "missing"
            console.print(
                f"  {branch} [{style}]{label}: {escape(str(req.ref))}[/] [dim]line {req.line}[/]"
            )


# -- show ----------------------------------------------------------------------------------


@click.command("show")
@click.argument("version")
@analysis_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def show_command(version, directory, layout, dsn, embedded, fmt) -> None:
    """One migration: its sections and statements with line numbers, what it
    provides and requires, its problems."""
    analysis = load_analysis(directory, layout, dsn, embedded)
    info = analysis.get(version)
    if info is None:
        known = ", ".join(i.version for i in analysis.migrations[-8:])
        fail(f"no migration {version} in {analysis.root} (latest: {known})")
    if fmt == "json":
        data = migration_json(info, analysis.root)
        data["sections"] = {
            kind: [
                {"index": s.index, "line": s.start_line, "end_line": s.end_line, "sql": s.text}
                for s in sec.statements
            ]
            for kind, sec in info.sections.items()
        }
        data["problems"] = [p.to_json() for p in info.problems]
        click.echo(json.dumps(data, indent=2))
        return
    render_show(_out(), analysis, info)


_SOURCE_WORDS = {
    FROM_MIGRATION: "from",
    FROM_DATABASE: "the database has it",
    FROM_ASSUME: "assumed in the config",
    FROM_LAYOUT: "made by the migration tool",
}


def render_show(console: Console, analysis: Analysis, info: MigrationInfo) -> None:
    from rich.markup import escape
    from rich.syntax import Syntax

    from migtui.core.statements import control_of

    m = info.migration
    console.print(f"[bold]{escape(m.label)}[/]  [dim]{escape(_rel(m.path, analysis.root))}[/]")
    up = info.sections.get("up")
    if up is not None and info.own_transactions:
        ends = [s for s in up.statements if control_of(s) in ("commit", "rollback")]
        if ends:
            said = (
                f"{ends[0].first_line_text} at line {ends[0].start_line}: what runs before it "
                "stays if a later statement fails, and the ledger row stays dirty until the end"
            )
        else:
            said = "its BEGIN is kept open to the end, which commits it"
        console.print(f"[yellow]controls its own transactions, run as written ({escape(said)})[/]")
    elif not info.transactional:
        console.print("[yellow]runs outside a transaction, statement by statement[/]")
    if info.provides:
        console.print("[bold]provides[/]")
        for ref in info.provides:
            console.print(f"  [green]+[/] {escape(str(ref))}")
    if info.requires:
        console.print("[bold]requires[/]")
        for req in info.requires:
            if req.source == FROM_MIGRATION:
                where = f"[cyan]from {req.met_by}[/]"
            elif req.met:
                where = f"[blue]{_SOURCE_WORDS[req.source]}[/]"
            elif req.guarded:
                where = "[yellow]only if it exists — nothing creates it[/]"
            else:
                where = "[bold red]missing[/]"
            console.print(f"  {escape(str(req.ref))}  {where}  [dim]line {req.line}[/]")
    if info.drops:
        console.print("[bold]drops[/]")
        for ref in info.drops:
            console.print(f"  [red]-[/] {escape(str(ref))}")
    dependents = analysis.dependents(info.version)
    if dependents:
        console.print(f"[bold]needed by[/] {', '.join(dependents)}")
    for problem in info.problems:
        mark = "[bold red]✗[/]" if problem.severity is Severity.ERROR else "[yellow]![/]"
        where = f"line {problem.line}: " if problem.line else ""
        console.print(f"{mark} {where}{escape(problem.message)}")
        console.print(f"  [cyan]hint:[/] {escape(problem.hint)}")
    for kind in ("up", "down", "verify"):
        section = info.sections.get(kind)
        if section is None:
            continue
        wrapped = " (its BEGIN/COMMIT becomes migtui's transaction)" if section.wrapped else ""
        console.print()
        console.print(
            f"[bold]── {kind}[/] [dim]{escape(section.file)} · "
            f"{len(section.statements)} statements{wrapped}[/]"
        )
        for st in section.statements:
            console.print(f"[dim]#{st.index + 1}[/]")
            console.print(
                Syntax(
                    st.text,
                    "sql",
                    line_numbers=True,
                    start_line=st.start_line,
                    theme="ansi_dark",
                    word_wrap=True,
                )
            )


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
