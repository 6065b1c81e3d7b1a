"""How a migration's state is shown: one word, one colour, everywhere in the console."""

from __future__ import annotations

from rich.text import Text

PENDING = "pending"
APPLIED = "applied"
BLOCKED = "blocked"
DRIFTED = "drifted"
DIRTY = "dirty"
OUT_OF_ORDER = "out of order"
MISSING = "missing"
NOT_CHECKED = "unknown"
RUNNING = "running"
FAILED = "failed"
UNRECORDED = "unrecorded"

#: The ledger's state names (snake case) in the words an operator reads.
_LEDGER_WORDS = {
    "pending": PENDING,
    "applied": APPLIED,
    "drifted": DRIFTED,
    "missing": MISSING,
    "dirty": DIRTY,
    "out_of_order": OUT_OF_ORDER,
    "failed": FAILED,
    "ledger_mismatch": "ledger mismatch",
}

STYLES = {
    PENDING: "yellow",
    APPLIED: "green",
    BLOCKED: "bold red",
    DRIFTED: "magenta",
    DIRTY: "bold red",
    OUT_OF_ORDER: "dark_orange",
    MISSING: "red",
    NOT_CHECKED: "dim",
    RUNNING: "bold cyan",
    FAILED: "bold red",
    UNRECORDED: "dark_orange",
}

MARKERS = {
    BLOCKED: "✗",
    DIRTY: "!",
    DRIFTED: "~",
    MISSING: "?",
    OUT_OF_ORDER: "↯",
    APPLIED: "✓",
    RUNNING: "▶",
    FAILED: "✗",
    UNRECORDED: "≈",
}

#: After a migration's state: its down section is known to fail (a rollback
#: through it would stop there).
DOWN_FAILS = "↶✗"
DOWN_FAILS_STYLE = "red"


def word_for_ledger(state: str) -> str:
    return _LEDGER_WORDS.get(state, state.replace("_", " "))


def state_text(state: str) -> Text:
    """The state in its word and colour."""
    return Text(state, style=STYLES.get(state, ""))


def marker_text(state: str) -> Text:
    return Text(MARKERS.get(state, " "), style=STYLES.get(state, ""))
