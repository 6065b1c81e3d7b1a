"""``rehearse``: the pending plan on a throwaway copy, with the locks it takes."""

from __future__ import annotations

import json
import sys

import click

from migtui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    config_or_fail,
    dir_option,
    dsn_option,
    fail,
    format_option,
    layout_option,
    load_analysis,
    read_target_catalog,
)

#: How a lock mode is shown: the ones that stop reads red, writes yellow.
_MODE_STYLE = {
    "ACCESS EXCLUSIVE": "bold red",
    "EXCLUSIVE": "red",
    "SHARE ROW EXCLUSIVE": "yellow",
    "SHARE": "yellow",
    "SHARE UPDATE EXCLUSIVE": "cyan",
}


@click.command("rehearse")
@dir_option
@layout_option
@dsn_option
@click.option(
    "--empty",
    is_flag=True,
    help="Rehearse the whole folder from an empty database, even with a target configured.",
)
@click.option("--no-reverse", is_flag=True, help="Skip the down → up check of each step.")
@click.option(
    "--on",
    "server",
    metavar="DSN",
    help="Make the copy on this server instead of the embedded PostgreSQL (one with the "
    "extensions the target uses); a database is created there and dropped after.",
)
@format_option
def rehearse_command(directory, layout, dsn, empty, no_reverse, server, fmt) -> None:
    """Run the pending plan on a copy, first: the locks each statement takes,
    the tables it rewrites or reads whole, and whether each down undoes its up.

    The copy is a new database on migtui's embedded PostgreSQL with the target's
    schema and ledgers (from pg_dump), or, without a target, an empty one. The
    target is only read. Exit status: 0 when every step applied and every down
    undid its up, 1 otherwise, 2 when the copy could not be made.
    """
    from migtui.config import redact_dsn, resolve_dsn
    from migtui.db.rehearse import RehearsalError, drop_copy, make_copy, rehearse

    config = config_or_fail()
    target = None if empty else resolve_dsn(dsn, config)
    if target is not None:
        read_target_catalog(target)  # one clear line if the target cannot be reached
    say = _Say(fmt)
    say.progress(
        f"making the copy on {redact_dsn(server) if server else 'the embedded PostgreSQL'}"
    )
    import psycopg

    from migtui.db.embedded import EmbeddedError

    try:
        copy, rehearsal = make_copy(target, ledger_table=config.ledger_table, server=server)
    except (RehearsalError, EmbeddedError) as exc:
        say.done()
        fail(str(exc))
    except psycopg.Error as exc:
        say.done()
        where = redact_dsn(server) if server else "the embedded PostgreSQL"
        fail(f"cannot make the copy on {where}: {' '.join(str(exc).split())}")
    try:
        analysis = load_analysis(directory, layout, catalog=read_target_catalog(copy))
        rehearse(analysis, copy, rehearsal, reverse=not no_reverse, progress=say.progress)
    finally:
        say.done()
        drop_copy(copy)
    if fmt == "json":
        click.echo(json.dumps(rehearsal.to_json(), indent=2))
    else:
        say.report(rehearsal)
    sys.exit(EXIT_OK if rehearsal.ok else EXIT_FAILED)


class _Say:
    def __init__(self, fmt: str) -> None:
        from rich.console import Console

        self.fmt = fmt
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False)
        self._status = None

    def progress(self, text: str) -> None:
        """One line on a terminal, replaced as the rehearsal goes on."""
        if self.fmt != "text" or not self.err.is_terminal:
            return
        if self._status is None:
            self._status = self.err.status(f"[dim]{text}[/]")
            self._status.start()
        else:
            self._status.update(f"[dim]rehearsing {text}[/]")

    def done(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def report(self, rehearsal) -> None:
        from rich.markup import escape

        out = self.out
        out.print(
            f"[bold]Rehearsal[/] on a copy of {escape(rehearsal.source)} "
            f"[dim](made in {rehearsal.copy_seconds:.1f} s on {escape(rehearsal.made_on)})[/]"
        )
        for line in rehearsal.not_copied:
            out.print(f"  [yellow]not copied:[/] {escape(line)}")
        if not rehearsal.steps:
            out.print("Nothing is pending on the copy: nothing to rehearse.")
        for step in rehearsal.steps:
            self._step(step)
        failed, irreversible = rehearsal.failed, rehearsal.irreversible
        applied = sum(1 for s in rehearsal.steps if s.outcome == "done")
        checked = [s for s in rehearsal.steps if s.reversible is not None]
        summary = (
            f"{applied} of {rehearsal.planned or len(rehearsal.steps)} step(s) applied on the copy"
        )
        if checked:
            summary += f"; {len(checked) - len(irreversible)} of {len(checked)} downs undo their up"
        if rehearsal.stopped:
            out.print(f"\n[yellow]{escape(rehearsal.stopped)}[/]")
        if failed is not None:
            out.print(f"\n[bold red]✗ {summary}: {escape(failed.version)} failed[/]")
        elif irreversible:
            versions = ", ".join(s.version for s in irreversible)
            out.print(f"\n[bold red]✗ {summary} (not: {escape(versions)})[/]")
        else:
            out.print(f"\n[green]✓ {summary}[/]")

    def _step(self, step) -> None:
        from rich.markup import escape

        out = self.out
        if step.outcome != "done":
            state = f"[bold red]✗ {escape(step.outcome)}[/]"
        elif step.reversible is None:
            state = "[green]✓ applied[/]"
        elif step.reversible:
            state = "[green]✓ applied · down undoes it[/]"
        else:
            state = "[green]✓ applied[/] · [bold red]✗ down does not undo it[/]"
        out.print(f"\n[bold]{escape(step.version)}[/] {escape(step.name)}  {state}")
        if step.outcome != "done" and step.message:
            where = f"{step.failed_at}: " if step.failed_at else ""
            out.print(f"    [red]{escape(where + step.message)}[/]")
        quiet = 0
        for trace in step.statements:
            if trace.quiet:
                quiet += 1
                continue
            marks = [
                f"[{_MODE_STYLE.get(mode, 'dim')}]{mode}[/] {escape(rel)}"
                for rel, mode in trace.blocking_locks
            ]
            marks += [f"[magenta]rewrote[/] {escape(rel)}" for rel in trace.rewrote]
            marks += [
                f"[dim]read whole[/] {escape(rel)}"
                for rel in trace.scanned
                if rel not in trace.rewrote
            ]
            out.print(
                f"  {trace.line:>5}  {escape(trace.sql[:48]):<48} {trace.duration_ms:>8.1f} ms  "
                + " · ".join(marks)
            )
        if quiet:
            out.print(f"  [dim]{quiet} statement(s) took no lock on a table that existed before[/]")
        if step.reverse_message:
            out.print(f"    [red]{escape(step.reverse_message)}[/]")
        for entry in step.left_behind:
            out.print(f"    [red]left behind by the down:[/] {escape(entry)}")
        for entry in step.lost:
            out.print(f"    [red]removed by the down, there before the up:[/] {escape(entry)}")
