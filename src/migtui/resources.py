"""Files that ship with migtui: the bundled migration chain and its scenarios."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_sql_dir() -> Path:
    """The ``sql/`` folder: beside the package in a wheel, at the repo root in a checkout."""
    for candidate in (_PACKAGE / "_bundled_sql", _PACKAGE.parent.parent / "sql"):
        if (candidate / "migrations").is_dir():
            return candidate
    raise FileNotFoundError("the bundled sql/ folder is missing from this installation")


def bundled_chain() -> Path:
    return bundled_sql_dir() / "migrations"


def scenarios() -> dict[str, tuple[Path, str]]:
    """Scenario name -> (folder, one-line description), in name order."""
    root = bundled_sql_dir() / "scenarios"
    found: dict[str, tuple[Path, str]] = {}
    if not root.is_dir():
        return found
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        description_file = folder / "DESCRIPTION"
        description = (
            description_file.read_text(encoding="utf-8").strip().splitlines()[0]
            if description_file.is_file()
            else ""
        )
        found[folder.name] = (folder, description)
    return found
