"""An event trigger is an object of its own: made once (42710), there to
alter, rename, comment on or drop (42704), and holding its function, which
PostgreSQL refuses to drop while it stands (2BP01). Each case runs on the
server too."""

from __future__ import annotations

import pytest

from server_verdicts import assert_kind_verdict

pytestmark = pytest.mark.db

FIRST = (
    "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n"
    "CREATE EVENT TRIGGER watch ON ddl_command_end EXECUTE FUNCTION on_ddl();\n"
)

#: (the second migration, the kind check says, the line and the server's SQLSTATE, or None)
CASES = {
    "made twice": (
        "CREATE EVENT TRIGGER watch ON sql_drop EXECUTE FUNCTION on_ddl();\n",
        ("already_exists", (1, "42710")),
    ),
    "dropped by a name it never had": (
        "SELECT 1;\nDROP EVENT TRIGGER watcher;\n",
        ("missing_prerequisite", (2, "42704")),
    ),
    "disabled by its name before a rename": (
        "ALTER EVENT TRIGGER watch RENAME TO keep;\nALTER EVENT TRIGGER watch DISABLE;\n",
        ("dropped", (2, "42704")),  # renamed: the message names the new name
    ),
    "its function dropped while it stands": (
        "DROP FUNCTION on_ddl();\n",
        ("dependent_objects", (1, "2BP01")),
    ),
    # the forms that run
    "disabled, renamed, commented, owned and dropped": (
        "ALTER EVENT TRIGGER watch DISABLE;\nALTER EVENT TRIGGER watch RENAME TO keep;\n"
        "COMMENT ON EVENT TRIGGER keep IS 'ddl';\nALTER EVENT TRIGGER keep OWNER TO CURRENT_USER;\n"
        "DROP EVENT TRIGGER keep;\nDROP EVENT TRIGGER IF EXISTS keep;\nDROP FUNCTION on_ddl();\n",
        None,
    ),
    "dropped with its function and made again": (
        "DROP FUNCTION on_ddl() CASCADE;\n"
        "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n"
        "CREATE EVENT TRIGGER watch ON ddl_command_end EXECUTE FUNCTION on_ddl();\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_an_event_trigger_is_followed(case, verdicts):
    second, expected = CASES[case]
    errors, refused = verdicts(FIRST, second)

    says = expected is not None and expected[0] not in ("missing_prerequisite", "dropped")
    assert_kind_verdict(errors, refused, expected, says_state=says)
