"""The core reads and analyses migrations without a database or a screen."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "migtui.core.model",
    "migtui.core.versions",
    "migtui.core.statements",
    "migtui.core.facts",
    "migtui.core.objects",
    "migtui.core.layouts",
    "migtui.core.graph",
    "migtui.core.project",
    "migtui.core.catalog",
    "migtui.core.plan",
    "migtui.report",
    "migtui.events",
]


def test_core_imports_neither_psycopg_nor_textual():
    code = (
        "import sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    __import__(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'textual'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_help_lists_every_command_in_its_own_words_without_importing_them():
    import click
    from click.testing import CliRunner

    from migtui.cli import _COMMANDS, SUMMARIES, main

    assert set(SUMMARIES) == set(_COMMANDS)
    ctx = click.Context(main)
    for name in _COMMANDS:
        command = main.get_command(ctx, name)
        assert command.get_short_help_str(limit=500) == SUMMARIES[name], name

    code = (
        "import sys\n"
        "from migtui.cli import main\n"
        "sys.argv = ['migtui', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('psycopg', 'rich', 'pygments', 'textual', 'pglast', 'sqlparse')\n"
        "print('imported:', ','.join(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    *_, imported = result.stdout.strip().splitlines()
    assert imported.strip() == "imported:"
    assert "apply" in result.stdout and "in its own transaction" in result.stdout
    listing = CliRunner().invoke(main, ["--help"]).output
    for name in _COMMANDS:
        assert f"  {name} " in listing
