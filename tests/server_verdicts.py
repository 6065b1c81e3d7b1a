"""The one comparison the DB tests of check make: check's errors on a
migration against the SQLSTATE the server refused it with."""

from __future__ import annotations


def assert_same_verdict(
    errors, refused, expected, kind: str, state: str | None = None, says_state: bool = True
) -> None:
    """``expected`` is None when the server runs the migration (then check says
    nothing), else the line check names (counted from the migration's first
    SQL line) and, unless ``state`` is given, the SQLSTATE: ``(line, state)``.
    One error of ``kind`` at that line, naming the state, must match a refusal
    with that state (``says_state``: and name it, as a missing object's
    message does not)."""
    if expected is None:
        assert refused is None
        assert errors == []
        return
    line, state = (expected, state) if state is not None else expected
    assert refused == state
    [error] = errors
    assert error.kind == kind and (f"({state})" in error.message or not says_state)
    assert error.line == line + 1  # after the file's marker line


def assert_kind_verdict(errors, refused, expected, says_state: bool = True) -> None:
    """``assert_same_verdict`` where ``expected`` also names the kind:
    ``(kind, (line, state))``, or None when the server runs the migration."""
    if expected is None:
        assert_same_verdict(errors, refused, None, "")
        return
    kind, where = expected
    assert_same_verdict(errors, refused, where, kind, says_state=says_state)


class _Undo(Exception):
    """Rolls a tried statement back once it ran."""


def refusal(conn, statement: str) -> str | None:
    """The SQLSTATE the server refuses ``statement`` with, None when it runs
    (rolled back either way)."""
    import psycopg

    try:
        with conn.transaction():
            conn.execute(statement)
            raise _Undo
    except _Undo:
        return None
    except psycopg.Error as exc:
        return exc.sqlstate


def runs(conn, statement: str) -> bool:
    """Whether the server runs ``statement`` (rolled back either way)."""
    return refusal(conn, statement) is None


def refused_after(dsn: str, *scripts: str) -> str | None:
    """Run ``scripts`` in turn on the database at ``dsn``: the SQLSTATE the
    last one is refused with (in a transaction of its own), or None."""
    import psycopg

    *before, last = scripts
    with psycopg.connect(dsn, autocommit=True) as conn:
        for script in before:
            conn.execute(script)
        return refusal(conn, last)
