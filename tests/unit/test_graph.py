"""The project analysis, as an operator meets it: which migration needs what,
where it comes from, and what is reported when nothing provides it.

Every test writes a small native-layout folder and analyses it; no database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migtui.core.catalog import CatalogSnapshot
from migtui.core.graph import AssumeError, analyze_dir
from migtui.core.model import ObjectRef, Severity
from migtui.core.project import Analysis


def native(up: str, down: str = "SELECT 1;") -> str:
    """A native-layout migration; its up SQL starts on line 2 of the file."""
    return f"-- migrate:up\n{up}\n-- migrate:down\n{down}\n"


def problems_of(analysis: Analysis, kind: str | None = None) -> list:
    return [p for p in analysis.problems if kind is None or p.kind == kind]


def edge(analysis: Analysis, source: str, target: str):
    found = [e for e in analysis.edges if (e.source, e.target) == (source, target)]
    return found[0] if found else None


def requirement(analysis: Analysis, version: str, obj: str):
    info = analysis.get(version)
    assert info is not None, f"no migration {version}"
    found = [r for r in info.requires if str(r.ref) == obj]
    return found[0] if found else None


# -- the seed: 0014 alters tables nothing creates ----------------------------------------

SEED_0014 = native(
    "-- Baseline fields for stale-checking\n"  # line 2
    "ALTER TABLE proposal_moves\n"  # line 3: first use of proposal_moves
    "    ADD COLUMN IF NOT EXISTS baseline_version bigint;\n"
    "CREATE INDEX IF NOT EXISTS idx_proposal_moves_source\n"
    "    ON proposal_moves (source_event_id);\n"
    "ALTER TABLE rebalancing_proposals\n"  # line 7
    "    ADD COLUMN IF NOT EXISTS baseline_calendar_version bigint;\n"
    "CREATE INDEX IF NOT EXISTS idx_moves_metadata ON proposal_moves USING gin (metadata);"
)
SEED_BASE = {
    "0001_users.sql": native("CREATE TABLE users (id uuid PRIMARY KEY);"),
    "0013_preferences.sql": native("ALTER TABLE users ADD COLUMN prefs jsonb;"),
    "0014_rebalancing.sql": SEED_0014,
}
BASE_TABLES_0013_5 = native(
    "CREATE TABLE rebalancing_proposals (\n"
    "    id uuid PRIMARY KEY,\n"
    "    user_id uuid NOT NULL REFERENCES users (id)\n"
    ");\n"
    "CREATE TABLE proposal_moves (\n"
    "    id uuid PRIMARY KEY,\n"
    "    proposal_id uuid REFERENCES rebalancing_proposals (id) ON DELETE CASCADE,\n"
    "    source_event_id uuid,\n"
    "    metadata jsonb\n"  # the gin index of 0014 needs it
    ");",
    "DROP TABLE proposal_moves;\nDROP TABLE rebalancing_proposals;",
)


def test_seed_missing_tables_are_one_error_per_object(write_migrations) -> None:
    analysis = analyze_dir(write_migrations(SEED_BASE))

    errors = analysis.errors
    assert sorted(p.object for p in errors) == [
        "table public.proposal_moves",
        "table public.rebalancing_proposals",
    ]
    assert {p.kind for p in errors} == {"missing_prerequisite"}
    assert {p.migration for p in errors} == {"0014"}
    moves = next(p for p in errors if p.object == "table public.proposal_moves")
    assert moves.file == "0014_rebalancing.sql"
    assert moves.line == 3
    assert "0013_5" in moves.hint
    assert analysis.get("0014").blocked
    assert not analysis.get("0013").blocked


def test_seed_repeated_uses_are_named_in_the_one_problem(write_migrations) -> None:
    analysis = analyze_dir(write_migrations(SEED_BASE))

    moves = next(p for p in analysis.errors if p.object == "table public.proposal_moves")
    # the later uses on lines 6 and 9 are mentioned, not reported again
    assert "6" in moves.message and "9" in moves.message


def test_seed_adding_0013_5_clears_the_errors_and_draws_the_edge(write_migrations) -> None:
    files = dict(SEED_BASE, **{"0013_5_rebalancing_base_tables.sql": BASE_TABLES_0013_5})
    analysis = analyze_dir(write_migrations(files))

    assert analysis.errors == ()
    assert [i.version for i in analysis.migrations] == ["0001", "0013", "0013_5", "0014"]
    link = edge(analysis, "0013_5", "0014")
    assert link is not None
    assert set(link.objects) == {
        "table public.proposal_moves",
        "table public.rebalancing_proposals",
    }
    assert not link.declared
    assert "0013_5" in analysis.get("0014").depends_on
    assert requirement(analysis, "0014", "table public.proposal_moves").met_by == "0013_5"


# -- where a missing object went -----------------------------------------------------------


def test_object_only_a_later_migration_creates_is_out_of_order(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_moves.sql": native("ALTER TABLE proposal_moves ADD COLUMN note text;"),
            "0002_base.sql": native("CREATE TABLE proposal_moves (id int);"),
        }
    )
    analysis = analyze_dir(root)

    [problem] = analysis.errors
    assert problem.kind == "out_of_order"
    assert problem.migration == "0001"
    assert problem.object == "table public.proposal_moves"
    assert "0002" in problem.message and "0002" in problem.hint


def test_object_an_earlier_migration_dropped_is_reported_as_dropped(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_t.sql": native("CREATE TABLE calendar_events (id int);"),
            "0002_retire.sql": native("DROP TABLE calendar_events;"),
            "0003_use.sql": native("INSERT INTO calendar_events VALUES (1);"),
        }
    )
    analysis = analyze_dir(root)

    [problem] = analysis.errors
    assert (problem.kind, problem.migration) == ("dropped", "0003")
    assert problem.object == "table public.calendar_events"
    assert "0002" in problem.message


def test_another_overload_dropped_is_not_the_one_needed(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_f.sql": native(
                "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT 1';"
            ),
            "0002_g.sql": native("DROP FUNCTION f(int);\nCOMMENT ON FUNCTION f(text) IS 'x';"),
        }
    )
    [problem] = analyze_dir(root).errors
    assert (problem.kind, problem.object) == ("missing_prerequisite", "function public.f(text)")


def test_drop_table_retires_its_triggers(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_x.sql": native(
                "CREATE TABLE x (id int);\n"
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                "BEGIN RETURN NEW; END $$;\n"
                "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION touch();"
            ),
            "0002_drop.sql": native("DROP TABLE x;"),
            "0003_trigger.sql": native("CREATE TABLE x (id int);\nDROP TRIGGER t ON x;"),
        }
    )
    analysis = analyze_dir(root)

    [problem] = analysis.errors
    assert (problem.kind, problem.migration, problem.line) == ("dropped", "0003", 3)
    assert problem.object == "trigger t on public.x"


def test_drop_table_retires_its_indexes(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_x.sql": native("CREATE TABLE x (id int);\nCREATE INDEX x_id ON x (id);"),
            "0002_drop.sql": native("DROP TABLE x;"),
            "0003_index.sql": native("DROP INDEX x_id;"),
        }
    )
    [problem] = analyze_dir(root).errors
    assert (problem.kind, problem.object) == ("dropped", "index public.x_id")


def test_drop_trigger_if_exists_after_drop_table_is_fine(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_x.sql": native("CREATE TABLE x (id int);"),
            "0002_drop.sql": native("DROP TABLE x;"),
            "0003_trigger.sql": native("DROP TRIGGER IF EXISTS t ON x;"),
        }
    )
    assert analyze_dir(root).errors == ()


# -- renames -------------------------------------------------------------------------------

RENAMED = {
    "0001_accounts.sql": native(
        "CREATE TABLE accounts (id int);\n"
        "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN RETURN NEW; END $$;\n"
        "CREATE TRIGGER trg_stamp BEFORE UPDATE ON accounts\n"
        "    FOR EACH ROW EXECUTE FUNCTION stamp();"
    ),
    "0002_rename.sql": native("ALTER TABLE accounts RENAME TO users;"),
}


def test_after_a_rename_the_new_name_is_met(write_migrations) -> None:
    files = dict(RENAMED, **{"0003_use.sql": native("INSERT INTO users VALUES (1);")})
    analysis = analyze_dir(write_migrations(files))

    assert analysis.errors == ()
    assert "table public.users" in [str(r) for r in analysis.get("0002").provides]
    assert requirement(analysis, "0003", "table public.users").source == "migration"


def test_after_a_rename_the_old_name_is_an_error(write_migrations) -> None:
    files = dict(RENAMED, **{"0003_use.sql": native("INSERT INTO accounts VALUES (1);")})
    [problem] = analyze_dir(write_migrations(files)).errors

    assert problem.migration == "0003"
    assert problem.object == "table public.accounts"
    assert "0002 renamed to public.users" in problem.message
    assert "public.users" in problem.hint


def test_a_name_renamed_away_and_created_again_is_met(write_migrations) -> None:
    files = dict(
        RENAMED,
        **{
            "0003_again.sql": native("CREATE TABLE accounts (id int);"),
            "0004_use.sql": native("INSERT INTO accounts VALUES (1);"),
        },
    )
    assert analyze_dir(write_migrations(files)).errors == ()


def test_triggers_follow_the_renamed_table(write_migrations) -> None:
    files = dict(RENAMED, **{"0003_trigger.sql": native("DROP TRIGGER trg_stamp ON users;")})
    analysis = analyze_dir(write_migrations(files))

    assert analysis.errors == ()
    met = requirement(analysis, "0003", "trigger trg_stamp on public.users")
    assert met is not None and met.met


def test_trigger_on_the_old_table_name_is_gone(write_migrations) -> None:
    files = dict(RENAMED, **{"0003_trigger.sql": native("DROP TRIGGER trg_stamp ON accounts;")})
    errors = analyze_dir(write_migrations(files)).errors

    assert errors, "dropping a trigger on the table's old name must fail"
    assert {p.migration for p in errors} == {"0003"}


# -- order within one migration -------------------------------------------------------------


def test_create_then_alter_in_one_migration_needs_nothing(write_migrations) -> None:
    root = write_migrations(
        {"0001_t.sql": native("CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN note text;")}
    )
    analysis = analyze_dir(root)

    assert analysis.problems == ()
    assert analysis.get("0001").requires == ()


def test_alter_before_create_in_one_migration_says_to_move_the_line(write_migrations) -> None:
    root = write_migrations(
        {"0001_t.sql": native("ALTER TABLE t ADD COLUMN note text;\nCREATE TABLE t (id int);")}
    )
    [problem] = analyze_dir(root).errors

    assert problem.kind == "missing_prerequisite"
    assert problem.line == 2
    assert "move the statement at line 3 above line 2" in problem.hint


def test_a_drop_before_the_create_says_to_remove_the_drop(write_migrations) -> None:
    """DROP INDEX x, then CREATE INDEX x (a rebuild whose index was never
    made): moving the CREATE above the DROP would drop the new index."""
    root = write_migrations(
        {
            "0001_t.sql": native("CREATE TABLE t (a int);"),
            "0002_i.sql": native("DROP INDEX t_a;\nCREATE INDEX t_a ON t (a);"),
        }
    )
    [problem] = analyze_dir(root).errors

    assert (problem.kind, problem.line) == ("missing_prerequisite", 2)
    assert "drops index public.t_a at line 2" in problem.message
    assert "remove the DROP at line 2" in problem.hint
    assert "move the statement" not in problem.hint


# -- IF EXISTS and DROP ----------------------------------------------------------------------


def test_if_exists_forms_need_nothing(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_cleanup.sql": native(
                "ALTER TABLE IF EXISTS legacy ADD COLUMN note text;\n"
                "DROP TABLE IF EXISTS legacy_archive;\n"
                "DROP INDEX IF EXISTS legacy_idx;\n"
                "DROP FUNCTION IF EXISTS legacy_fn(integer);\n"
                "DROP VIEW IF EXISTS legacy_view;"
            )
        }
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    assert analysis.get("0001").requires == ()


def test_drop_table_without_if_exists_needs_the_table(write_migrations) -> None:
    root = write_migrations({"0001_cleanup.sql": native("DROP TABLE legacy_archive;")})
    [problem] = analyze_dir(root).errors

    assert (problem.kind, problem.object) == (
        "missing_prerequisite",
        "table public.legacy_archive",
    )


# -- guards: a requirement met only when it exists ----------------------------------------


def test_requirement_under_an_existence_test_is_a_warning(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_guarded.sql": native(
                "DO $$\n"
                "BEGIN\n"
                "  IF EXISTS (SELECT 1 FROM information_schema.tables\n"
                "             WHERE table_name = 'proposal_moves') THEN\n"
                "    ALTER TABLE proposal_moves ADD COLUMN note text;\n"  # line 6
                "  END IF;\n"
                "END$$;"
            )
        }
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    [guarded] = problems_of(analysis, "guarded_requirement")
    assert guarded.severity is Severity.WARNING
    assert guarded.object == "table public.proposal_moves"
    assert guarded.line == 6
    req = requirement(analysis, "0001", "table public.proposal_moves")
    assert req.guarded and not req.met


def test_a_guarded_requirement_names_the_later_migration_that_makes_it(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_guarded.sql": native(
                "DO $$\nBEGIN\n"
                "  IF EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'users') THEN\n"
                "    INSERT INTO users (id) VALUES (1);\n"
                "  END IF;\nEND$$;"
            ),
            "0002_users.sql": native("CREATE TABLE users (id int);"),
        }
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    [guarded] = problems_of(analysis, "guarded_requirement")
    assert "only the later migration 0002 creates it" in guarded.message
    assert "nothing creates it" not in guarded.message


def test_an_existence_test_of_what_an_earlier_migration_made_skips_nothing(
    write_migrations,
) -> None:
    guarded = (
        "DO $$\nBEGIN\n"
        "  IF EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = '{0}') THEN\n"
        "    ALTER TABLE {0} ADD COLUMN n int;\n"
        "  END IF;\nEND$$;"
    )
    root = write_migrations(
        {
            "0001_users.sql": native("CREATE TABLE users (id int);"),
            "0002_guarded.sql": native(guarded.format("users")),
            "0003_guarded.sql": native(guarded.format("nobody_makes")),
        }
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    # on this history users is there when 0002 runs: nothing can be skipped
    assert [p.migration for p in problems_of(analysis, "guarded_skip")] == ["0003"]


@pytest.mark.parametrize(
    "drop",
    [
        "ALTER TABLE audit DROP COLUMN schedule;",
        "ALTER TABLE audit RENAME COLUMN schedule TO sched;",
        "CREATE POLICY schedule ON audit USING (true);\nDROP POLICY schedule ON audit;",
    ],
)
def test_dropping_something_named_like_a_table_keeps_its_columns_known(
    write_migrations, drop: str
) -> None:
    root = write_migrations(
        {
            "0001_t.sql": native(
                "CREATE TABLE audit (id int, schedule text);\nCREATE TABLE schedule (a int);"
            ),
            "0002_drop.sql": native(drop),
            "0003_insert.sql": native("INSERT INTO schedule (a, is_flow) VALUES (1, false);"),
        }
    )
    [error] = analyze_dir(root).errors

    assert (error.migration, error.object) == ("0003", "column public.schedule.is_flow")


def test_a_column_made_not_null_after_a_truncate_needs_no_value(write_migrations) -> None:
    later = "ALTER TABLE {0} ADD COLUMN b int;\nALTER TABLE {0} ALTER COLUMN b SET NOT NULL;"
    root = write_migrations(
        {
            "0001_s.sql": native("CREATE TABLE s (id int);\nCREATE TABLE u (id int);"),
            "0002_emptied.sql": native("TRUNCATE s;\n" + later.format("s")),
            "0003_filled.sql": native(
                "TRUNCATE u;\nINSERT INTO u VALUES (1);\n" + later.format("u")
            ),
        }
    )
    found = [(p.migration, p.kind) for p in analyze_dir(root).problems if p.kind != "missing_down"]

    assert found == [("0003", "required_column")]


def test_a_missing_column_says_who_dropped_or_renamed_it(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_t.sql": native("CREATE TABLE t (id int, a int, b int);"),
            "0002_t.sql": native("ALTER TABLE t DROP COLUMN a;\nALTER TABLE t RENAME b TO c;"),
            "0003_t.sql": native("UPDATE t SET a = 1;\nUPDATE t SET b = 1;"),
        }
    )
    dropped, renamed = analyze_dir(root).errors

    assert dropped.message.endswith("(0002 dropped it at line 2)")
    assert renamed.message.endswith("(0002 renamed it to c at line 3)")


def test_name_only_catalog_checks_are_warnings(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_trigger.sql": native(
                "CREATE TABLE events (id int, start_at timestamptz);\n"
                "DO $$\n"
                "BEGIN\n"
                "  IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'prevent_move') THEN\n"
                "    CREATE FUNCTION prevent_move() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
                "    BEGIN RETURN NEW; END $f$;\n"
                "  END IF;\n"
                "  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'trg_prevent_move') THEN\n"
                "    CREATE TRIGGER trg_prevent_move BEFORE UPDATE ON events\n"
                "      FOR EACH ROW EXECUTE FUNCTION prevent_move();\n"
                "  END IF;\n"
                "END$$;"
            )
        }
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    kinds = {p.kind: p for p in analysis.warnings}
    assert "name_only_function_check" in kinds
    assert "name_only_trigger_check" in kinds
    assert kinds["name_only_function_check"].line == 5
    assert kinds["name_only_trigger_check"].line == 9


# -- dynamic SQL --------------------------------------------------------------------------------


def test_dynamic_sql_turns_a_later_unknown_object_into_a_warning(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_partitions.sql": native(
                "DO $$\n"
                "BEGIN\n"
                "  EXECUTE format('CREATE TABLE %I (id int)', 'events_' || to_char(now(), 'YYYY'));\n"
                "END$$;"
            ),
            "0002_use.sql": native("INSERT INTO events_2024 VALUES (1);"),
        }
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    [unknown] = problems_of(analysis, "unknown_origin")
    assert unknown.severity is Severity.WARNING
    assert unknown.migration == "0002"
    assert unknown.object == "table public.events_2024"
    assert "0001 builds SQL at run time (line 4) that makes tables in public" in unknown.message
    # its template is read: it makes a table, and touches nothing made by name
    assert not analysis.get("0001").dynamic_lines


def test_without_dynamic_sql_the_same_reference_is_an_error(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_static.sql": native("CREATE TABLE events (id int);"),
            "0002_use.sql": native("INSERT INTO events_2024 VALUES (1);"),
        }
    )
    [problem] = analyze_dir(root).errors
    assert problem.kind == "missing_prerequisite"


# -- assume and the live catalog ---------------------------------------------------------------


def test_assume_meets_a_requirement(write_migrations) -> None:
    root = write_migrations({"0001_copy.sql": native("INSERT INTO legacy_users VALUES (1);")})

    without = analyze_dir(root)
    with_assume = analyze_dir(root, assume=["table public.legacy_users"])

    assert [p.object for p in without.errors] == ["table public.legacy_users"]
    assert with_assume.errors == ()
    assert requirement(with_assume, "0001", "table public.legacy_users").source == "assume"


@pytest.mark.parametrize("entry", ["legacy_users", "gizmo public.x", "trigger t"])
def test_bad_assume_entry_raises_a_readable_error(write_migrations, entry: str) -> None:
    root = write_migrations({"0001_a.sql": native("SELECT 1;")})
    with pytest.raises(AssumeError) as caught:
        analyze_dir(root, assume=[entry])
    message = str(caught.value)
    assert entry in message
    assert "\n" not in message


def test_live_catalog_meets_what_no_migration_provides(write_migrations) -> None:
    root = write_migrations({"0001_copy.sql": native("INSERT INTO legacy_users VALUES (1);")})
    catalog = CatalogSnapshot(frozenset({ObjectRef.parse("table public.legacy_users")}))

    analysis = analyze_dir(root, catalog=catalog)

    assert analysis.errors == ()
    assert analysis.live
    assert requirement(analysis, "0001", "table public.legacy_users").source == "database"


def test_live_catalog_function_must_match_the_signature(write_migrations) -> None:
    catalog = CatalogSnapshot(frozenset({ObjectRef.parse("function public.score(integer)")}))
    same = write_migrations(
        {"0001_drop.sql": native("DROP FUNCTION score(integer);")}, folder="same"
    )
    other = write_migrations(
        {"0001_drop.sql": native("DROP FUNCTION score(text);")}, folder="other"
    )

    assert analyze_dir(same, catalog=catalog).errors == ()
    [problem] = analyze_dir(other, catalog=catalog).errors
    assert problem.object == "function public.score(text)"
    assert "database" in problem.message


def test_live_catalog_function_without_args_in_the_sql_matches_any(write_migrations) -> None:
    catalog = CatalogSnapshot(frozenset({ObjectRef.parse("function public.score(integer)")}))
    root = write_migrations({"0001_drop.sql": native("DROP FUNCTION score;")})

    assert analyze_dir(root, catalog=catalog).errors == ()


# -- declared requirements and cycles ------------------------------------------------------------


def test_declared_requirement_gives_a_declared_edge(write_migrations) -> None:
    root = write_migrations(
        {
            "0008_events.sql": native("SELECT 1;"),
            "0009_after.sql": "-- requires: 0008\n" + native("SELECT 2;"),
        }
    )
    analysis = analyze_dir(root)

    link = edge(analysis, "0008", "0009")
    assert link is not None and link.declared
    assert analysis.get("0009").depends_on == ("0008",)
    assert analysis.errors == ()


def test_declared_requirement_on_a_missing_version_is_an_error(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": native("SELECT 1;"),
            "0002_b.sql": "-- requires: 0009\n" + native("SELECT 2;"),
        }
    )
    [problem] = analyze_dir(root).errors

    assert problem.kind == "missing_prerequisite"
    assert problem.migration == "0002"
    assert problem.object == "migration 0009"
    assert problem.line == 1


def test_declared_requirement_on_a_later_version_is_out_of_order(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": "-- requires: 0002\n" + native("SELECT 1;"),
            "0002_b.sql": native("SELECT 2;"),
        }
    )
    [problem] = analyze_dir(root).errors

    assert (problem.kind, problem.migration, problem.object) == (
        "out_of_order",
        "0001",
        "migration 0002",
    )


def test_declared_requirement_against_an_inferred_one_is_a_cycle(write_migrations) -> None:
    root = write_migrations(
        {
            "0004_x.sql": "-- requires: 0005\n" + native("CREATE TABLE x (id int);"),
            "0005_use_x.sql": native("INSERT INTO x VALUES (1);"),
        }
    )
    analysis = analyze_dir(root)

    cycles = problems_of(analysis, "cycle")
    assert len(cycles) == 1
    assert cycles[0].severity is Severity.ERROR
    assert "0004" in cycles[0].message and "0005" in cycles[0].message


def test_a_cycle_is_reported_once_as_the_path_around_it(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": "-- requires: 0003\n" + native("CREATE TABLE a (id int);"),
            "0002_b.sql": native("CREATE TABLE b AS SELECT * FROM a;"),
            "0003_c.sql": native("CREATE TABLE c AS SELECT * FROM b;"),
            "0004_d.sql": native("SELECT * FROM c;"),
        }
    )
    [cycle] = problems_of(analyze_dir(root), "cycle")

    assert cycle.message == "dependency cycle: 0001 → 0002 → 0003 → 0001"
    assert cycle.migration == "0001"


def test_two_separate_cycles_are_both_reported(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": "-- requires: 0002\n" + native("CREATE TABLE a (id int);"),
            "0002_b.sql": native("SELECT * FROM a;"),
            "0003_c.sql": "-- requires: 0004\n" + native("CREATE TABLE c (id int);"),
            "0004_d.sql": native("SELECT * FROM c;"),
        }
    )
    messages = sorted(p.message for p in problems_of(analyze_dir(root), "cycle"))

    assert messages == [
        "dependency cycle: 0001 → 0002 → 0001",
        "dependency cycle: 0003 → 0004 → 0003",
    ]


# -- the version a hint suggests -----------------------------------------------------------------


def missing_hint(root: Path) -> str:
    [problem] = analyze_dir(root).errors
    assert problem.kind == "missing_prerequisite"
    return problem.hint


def test_hint_between_sequential_native_versions_inserts_a_part(write_migrations) -> None:
    root = write_migrations(
        {
            "0013_a.sql": native("CREATE TABLE a (id int);"),
            "0014_b.sql": native("INSERT INTO missing VALUES (1);"),
        }
    )
    assert "e.g. 0013_5;" in missing_hint(root)


def test_hint_between_timestamps_is_a_timestamp_a_second_earlier(write_migrations) -> None:
    root = write_migrations(
        {
            "20240101120000_a.sql": native("CREATE TABLE a (id int);"),
            "20240301000000_b.sql": native("INSERT INTO missing VALUES (1);"),
        }
    )
    hint = missing_hint(root)

    assert "e.g. 20240229235959;" in hint
    assert "_5" not in hint


def test_following_the_timestamp_hint_fixes_the_problem(write_migrations) -> None:
    """The suggested version really runs before the migration that needs the table."""
    files = {
        "10000000000000_a.sql": native("CREATE TABLE a (id int);"),
        "10000000000005_b.sql": native("INSERT INTO missing VALUES (1);"),
    }
    hint = missing_hint(write_migrations(files))
    assert "10000000000000_5" not in hint
    suggested = hint.split("e.g. ")[1].split(";")[0]
    assert suggested == "10000000000004"

    files[f"{suggested}_create_missing.sql"] = native("CREATE TABLE missing (id int);")
    analysis = analyze_dir(write_migrations(files))
    assert analysis.errors == ()
    assert requirement(analysis, "10000000000005", "table public.missing").met_by == suggested


def test_hint_with_no_free_timestamp_names_the_gap(write_migrations) -> None:
    root = write_migrations(
        {
            "20240101120000_a.sql": native("CREATE TABLE a (id int);"),
            "20240101120001_b.sql": native("INSERT INTO missing VALUES (1);"),
        }
    )
    hint = missing_hint(root)

    assert "a version between 20240101120000 and 20240101120001" in hint


@pytest.mark.parametrize(
    ("files", "suggested"),
    [
        (  # golang-migrate has whole numbers only
            {"1_a.up.sql": "CREATE TABLE a (id int);", "2_b.up.sql": "SELECT * FROM missing;"},
            "a version between 1 and 2",
        ),
        (  # unix timestamps
            {
                "1700000000_a.up.sql": "CREATE TABLE a (id int);",
                "1700003600_b.up.sql": "SELECT * FROM missing;",
            },
            "1700003599",
        ),
        (  # diesel: folder names written with dashes
            {
                "2024-01-01-000000_a/up.sql": "CREATE TABLE a (id int);",
                "2024-03-01-000000_b/up.sql": "SELECT * FROM missing;",
            },
            "2024-02-29-235959",
        ),
        (  # diesel orders as text: 2025-11-19-091444-0000 comes before 2026-…
            {
                "2025-11-19-091444-0000_a/up.sql": "CREATE TABLE a (id int);",
                "2026-01-20-162913_b/up.sql": "SELECT * FROM missing;",
            },
            "2026-01-20-162912",
        ),
        (
            {
                "2025-06-01-000000_a/up.sql": "CREATE TABLE a (id int);",
                "2025-11-19-091444-0000_b/up.sql": "SELECT * FROM missing;",
            },
            "2025-11-19-091443",
        ),
        (  # flyway: a minor version after the previous one
            {"V1__a.sql": "CREATE TABLE a (id int);", "V2__b.sql": "SELECT * FROM missing;"},
            "1.1",
        ),
    ],
)
def test_hint_suggests_a_version_the_layout_runs_just_before(
    tmp_path: Path, files: dict[str, str], suggested: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    problems = [p for p in analyze_dir(tmp_path).errors if p.object == "table public.missing"]

    assert [p.kind for p in problems] == ["missing_prerequisite"]
    assert f"e.g. {suggested};" in problems[0].hint


def test_out_of_order_hint_suggests_a_timestamp_too(write_migrations) -> None:
    root = write_migrations(
        {
            "20240101000000_a.sql": native("CREATE TABLE a (id int);"),
            "20240102000000_b.sql": native("INSERT INTO later VALUES (1);"),
            "20240103000000_c.sql": native("CREATE TABLE later (id int);"),
        }
    )
    [problem] = analyze_dir(root).errors

    assert problem.kind == "out_of_order"
    assert "(e.g. 20240101235959)" in problem.hint


# -- search_path and schemas ---------------------------------------------------------------------


def test_search_path_falls_back_to_public(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_base.sql": native("CREATE SCHEMA app;\nCREATE TABLE users (id int);"),
            "0002_app.sql": native(
                "SET search_path TO app, public;\n"
                "INSERT INTO users VALUES (1);\n"
                "CREATE TABLE settings (id int);"
            ),
            "0003_use.sql": native("INSERT INTO app.settings VALUES (1);"),
        }
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    assert requirement(analysis, "0002", "table public.users").met_by == "0001"
    assert "table app.settings" in [str(r) for r in analysis.get("0002").provides]
    link = edge(analysis, "0001", "0002")
    assert "schema app" in link.objects


def test_schema_nobody_creates_is_reported(write_migrations) -> None:
    root = write_migrations({"0001_app.sql": native("CREATE TABLE app.settings (id int);")})
    [problem] = analyze_dir(root).errors

    assert problem.object == "schema app"


# -- names PostgreSQL makes up ---------------------------------------------------------------------


def test_unnamed_index_gets_postgresql_name(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_tokens.sql": native(
                "CREATE TABLE api_tokens (token text);\nCREATE INDEX ON api_tokens (token);"
            ),
            "0002_drop_index.sql": native("DROP INDEX api_tokens_token_idx;"),
        }
    )
    analysis = analyze_dir(root)

    assert "index public.api_tokens_token_idx" in [str(r) for r in analysis.get("0001").provides]
    assert analysis.errors == ()
    assert "index public.api_tokens_token_idx" in edge(analysis, "0001", "0002").objects


def test_serial_column_provides_its_sequence(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_users.sql": native("CREATE TABLE users (id serial PRIMARY KEY);"),
            "0002_seq.sql": native("SELECT setval('users_id_seq', 100);"),
        }
    )
    analysis = analyze_dir(root)

    assert "sequence public.users_id_seq" in [str(r) for r in analysis.get("0001").provides]
    assert analysis.errors == ()


def test_nextval_of_a_sequence_nobody_makes_is_an_error(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_users.sql": native("CREATE TABLE users (id int PRIMARY KEY);"),
            "0002_seq.sql": native("SELECT nextval('users_id_seq');"),
        }
    )
    [problem] = analyze_dir(root).errors
    assert problem.object == "sequence public.users_id_seq"


# -- broken files --------------------------------------------------------------------------------


def test_unreadable_file_does_not_stop_the_others(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": native("CREATE TABLE a (id int);"),
            "0003_c.sql": native("INSERT INTO nope VALUES (1);"),
        }
    )
    (root / "0002_b.sql").write_bytes(b"-- migrate:up\nINSERT INTO a VALUES ('caf\xe9');\n")
    analysis = analyze_dir(root)

    assert [i.version for i in analysis.migrations] == ["0001", "0002", "0003"]
    by_migration = {p.migration: p for p in analysis.errors}
    assert by_migration["0002"].kind == "unreadable_file"
    assert by_migration["0002"].line == 2
    assert by_migration["0003"].object == "table public.nope"


def test_unterminated_quote_is_a_parse_error_at_its_line(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": native("CREATE TABLE a (id int, note text);"),
            "0002_b.sql": native(
                "INSERT INTO a VALUES (1, 'ok');\n"
                "INSERT INTO a\n"
                "  VALUES (2, 'never closed);\n"  # line 4
                "SELECT 1;"
            ),
            "0003_c.sql": native("INSERT INTO missing_table VALUES (1);"),
        }
    )
    analysis = analyze_dir(root)

    [parse] = problems_of(analysis, "parse_error")
    assert (parse.migration, parse.file, parse.line) == ("0002", "0002_b.sql", 4)
    assert parse.severity is Severity.ERROR
    # the next migration is still analysed
    assert [p.object for p in analysis.errors if p.migration == "0003"] == [
        "table public.missing_table"
    ]


def test_a_commit_in_the_middle_of_a_migration_is_followed(write_migrations) -> None:
    root = write_migrations(
        {"0001_a.sql": native("CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);")}
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    assert analysis.get("0001").transactional is False


def test_two_phase_commit_and_chains_are_unsupported(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": native("CREATE TABLE a (id int);\nPREPARE TRANSACTION 'x';"),
            "0002_b.sql": native("CREATE TABLE b (id int);\nCOMMIT AND CHAIN;\nSELECT 1;"),
        }
    )
    errors = analyze_dir(root).errors

    assert [(p.migration, p.kind, p.line) for p in errors] == [
        ("0001", "unsupported_statement", 3),
        ("0002", "unsupported_statement", 3),
    ]
    assert "PREPARE TRANSACTION" in errors[0].message


def test_psql_include_is_unsupported(write_migrations) -> None:
    root = write_migrations({"0001_a.sql": native("\\i other.sql")})
    errors = analyze_dir(root).errors

    assert [(p.kind, p.line) for p in errors] == [("unsupported_statement", 2)]
    assert "\\i other.sql" in errors[0].message


def test_a_psql_script_setting_on_error_stop_is_clean(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": native(
                "\\set ON_ERROR_STOP 1\n\\echo making a\nCREATE TABLE a (id int);",
                "DROP TABLE a;",
            )
        }
    )
    analysis = analyze_dir(root)

    assert analysis.errors == ()
    assert [s.text for s in analysis.get("0001").sections["up"].statements] == [
        "CREATE TABLE a (id int);"
    ]


def test_psql_told_to_go_on_past_errors_is_said_so(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": native(
                "\\unset ON_ERROR_STOP\nDROP TABLE gone;\n\\set ON_ERROR_STOP 1\n"
                "\\set who 'app'\nGRANT SELECT ON pg_class TO :who;"
            )
        }
    )
    errors = [p for p in analyze_dir(root).errors if p.kind == "unsupported_statement"]

    assert [p.line for p in errors] == [2, 5]
    assert "goes on past a failing statement" in errors[0].message
    assert "substitutes the psql variable" in errors[1].message


def test_outer_begin_commit_is_absorbed(write_migrations) -> None:
    root = write_migrations(
        {"0001_a.sql": native("BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;", "DROP TABLE a;")}
    )
    analysis = analyze_dir(root)

    assert analysis.problems == ()
    up = analysis.get("0001").sections["up"]
    assert up.wrapped
    assert [s.category for s in up.statements] == ["sql"]


# -- transactions ---------------------------------------------------------------------------------


def test_create_index_concurrently_makes_a_migration_non_transactional(write_migrations) -> None:
    root = write_migrations(
        {
            "0001_a.sql": native("CREATE TABLE a (id int);"),
            "0002_idx.sql": native(
                "CREATE INDEX CONCURRENTLY a_id_idx ON a (id);", "DROP INDEX a_id_idx;"
            ),
        }
    )
    analysis = analyze_dir(root)

    assert analysis.get("0001").transactional
    assert not analysis.get("0002").transactional


def test_transaction_false_marker_makes_a_migration_non_transactional(
    write_migrations,
) -> None:
    root = write_migrations(
        {"0001_a.sql": "-- migrate:up transaction:false\nSELECT 1;\n-- migrate:down\nSELECT 2;\n"}
    )
    assert not analyze_dir(root).get("0001").transactional


def test_problem_file_is_relative_to_the_folder(write_migrations, tmp_path: Path) -> None:
    root = write_migrations({"0001_a.sql": native("INSERT INTO nope VALUES (1);")})
    [problem] = analyze_dir(root).errors

    assert problem.file == "0001_a.sql"
    assert str(tmp_path) not in problem.message


def test_a_search_path_given_to_the_role_holds_for_later_migrations_until_reset(
    tmp_path: Path,
) -> None:
    files = {
        "0001_app.sql": "CREATE SCHEMA app;\nSET search_path TO app;\nCREATE TABLE t (a int);\n"
        "ALTER USER postgres SET search_path TO app;\n",
        "0002_more.sql": "ALTER TABLE t ADD COLUMN b int;\n",
        "0003_reset.sql": "ALTER ROLE postgres RESET search_path;\n",
        "0004_public.sql": "ALTER TABLE t ADD COLUMN c int;\n",
    }
    for name, sql in files.items():
        (tmp_path / name).write_text(f"-- migrate:up\n{sql}-- migrate:down\nSELECT 1;\n")
    errors = [(p.migration, p.object) for p in analyze_dir(tmp_path).errors]

    assert errors == [("0004", "table public.t")]


def test_an_extension_migtui_has_no_index_of_makes_its_own_schema_not_others(
    write_migrations,
) -> None:
    # pgmq's control file names its schema, which CREATE EXTENSION makes; what
    # is in another schema nothing makes (Supabase's realtime) is no pgmq's
    root = write_migrations(
        {
            "0001_a.sql": native("CREATE EXTENSION IF NOT EXISTS pgmq WITH SCHEMA pgmq;"),
            "0002_b.sql": native("SELECT pgmq.create('jobs');\nSELECT app.enqueue('jobs');"),
        }
    )
    problems = sorted((p.kind, p.severity, p.object) for p in analyze_dir(root).problems)
    assert problems == [
        ("missing_prerequisite", Severity.ERROR, "function app.enqueue(…)"),
        ("unknown_origin", Severity.WARNING, "function pgmq.create(…)"),
    ]
