"""``pg_extension_config_dump()`` marks an extension's table for pg_dump, and
PostgreSQL refuses it anywhere but in the script ``CREATE EXTENSION`` runs
(0A000): extension scripts pasted into a migration carry it. Each case is two
migrations; check must report ``extension_script_only`` at its line exactly
when the server refuses the second one.
"""

from __future__ import annotations

import pytest

from server_verdicts import assert_same_verdict

pytestmark = pytest.mark.db

FIRST = "CREATE TABLE part_config (parent_table text PRIMARY KEY);\n"

#: (the second migration, the line check names, or None when it runs)
CASES = {
    "called by a migration": (
        "SELECT 1;\nSELECT pg_catalog.pg_extension_config_dump('part_config', '');\n",
        2,
    ),
    "called in a DO block": (
        "DO $$ BEGIN\n  PERFORM pg_extension_config_dump('part_config', '');\nEND $$;\n",
        2,
    ),
    # the forms that run
    "in a function's body, not called": (
        "CREATE FUNCTION mark() RETURNS void LANGUAGE plpgsql AS $$ BEGIN\n"
        "  PERFORM pg_extension_config_dump('part_config', ''); END $$;\n",
        None,
    ),
    "in a block whose handler catches the refusal": (
        "DO $$ BEGIN PERFORM pg_extension_config_dump('part_config', '');\n"
        "EXCEPTION WHEN feature_not_supported THEN NULL; END $$;\n",
        None,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_refuses_what_only_an_extension_script_may_call(case, verdicts):
    second, line = CASES[case]
    errors, refused = verdicts(FIRST, second)

    assert_same_verdict(errors, refused, (line, "0A000") if line else None, "extension_script_only")
