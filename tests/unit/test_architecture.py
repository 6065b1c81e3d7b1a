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
