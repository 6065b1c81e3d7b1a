"""Migration 0014 as the review saw it: what it needs, what it makes, what to fix."""

from __future__ import annotations

from migtui.core.facts import (
    ALTER,
    GUARDED_SKIP,
    NAME_ONLY_FUNCTION_CHECK,
    NAME_ONLY_TRIGGER_CHECK,
    PROVIDE,
    REQUIRE,
    ScriptFacts,
)
from migtui.core.objects import analyze_script
from migtui.core.statements import split

MIGRATION_0014 = """\
BEGIN;

ALTER TABLE proposal_moves
  ADD COLUMN IF NOT EXISTS baseline_updated_at TIMESTAMPTZ,
  ADD COLUMN IF NOT EXISTS baseline_version BIGINT,
  ADD COLUMN IF NOT EXISTS metadata JSONB;

CREATE INDEX IF NOT EXISTS idx_proposal_moves_source
  ON proposal_moves (source_event_id);

CREATE INDEX IF NOT EXISTS idx_moves_assignment
  ON proposal_moves ((metadata->>'assignment_id'));

CREATE INDEX IF NOT EXISTS idx_proposal_moves_metadata_gin
  ON proposal_moves USING gin (metadata);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'prevent_move_immovable') THEN
    CREATE FUNCTION prevent_move_immovable() RETURNS trigger AS $f$
    BEGIN
      IF (OLD.is_movable = FALSE)
         AND (
           (NEW.start_at IS DISTINCT FROM OLD.start_at)
           OR (NEW.end_at IS DISTINCT FROM OLD.end_at)
         )
      THEN
        RAISE EXCEPTION 'Cannot move or resize an immovable event (id=%).', OLD.id
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END;
    $f$ LANGUAGE plpgsql;
  END IF;
END$$;

DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_trigger WHERE tgname = 'trg_prevent_move_immovable'
  ) THEN
    CREATE TRIGGER trg_prevent_move_immovable
      BEFORE UPDATE ON calendar_events_new
      FOR EACH ROW EXECUTE FUNCTION prevent_move_immovable();
  END IF;
END$$;

CREATE INDEX IF NOT EXISTS idx_events_user_assignment
  ON calendar_events_new (user_id, (metadata->>'assignment_id'));

COMMIT;
"""

GUARDED_VARIANT = """\
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.tables
             WHERE table_name = 'proposal_moves') THEN
    ALTER TABLE proposal_moves ADD COLUMN IF NOT EXISTS baseline_version BIGINT;
    CREATE INDEX IF NOT EXISTS idx_proposal_moves_source ON proposal_moves (source_event_id);
  ELSE
    RAISE NOTICE 'proposal_moves table does not exist. Skipping migration 0014.';
    RAISE NOTICE 'Please create rebalancing base tables first.';
  END IF;
END$$;
"""


def analyze(sql: str) -> ScriptFacts:
    return analyze_script(split(sql).statements)


def named(facts: ScriptFacts, action: str) -> list[str]:
    return [str(e.ref) for e in facts.effects if e.action == action]


def line_of(sql: str, fragment: str) -> int:
    return sql[: sql.index(fragment)].count("\n") + 1


def test_0014_needs_proposal_moves_and_calendar_events_new():
    facts = analyze(MIGRATION_0014)
    needed = set(named(facts, REQUIRE)) | set(named(facts, ALTER))
    assert "table public.proposal_moves" in needed
    assert "table public.calendar_events_new" in needed
    # rebalancing_proposals is only named by the review, not by this SQL
    assert not any("rebalancing_proposals" in n for n in needed)


def test_0014_first_touches_proposal_moves_with_alter_on_the_alter_line():
    facts = analyze(MIGRATION_0014)
    first = facts.effects[0]
    assert (first.action, str(first.ref)) == (ALTER, "table public.proposal_moves")
    assert first.line == line_of(MIGRATION_0014, "ALTER TABLE proposal_moves")


def test_0014_provides_the_new_columns_indexes_function_and_trigger():
    provided = named(analyze(MIGRATION_0014), PROVIDE)
    assert provided == [
        "column public.proposal_moves.baseline_updated_at",
        "column public.proposal_moves.baseline_version",
        "column public.proposal_moves.metadata",
        "index public.idx_proposal_moves_source",
        "index public.idx_moves_assignment",
        "index public.idx_proposal_moves_metadata_gin",
        "function public.prevent_move_immovable()",
        "trigger trg_prevent_move_immovable on public.calendar_events_new",
        "index public.idx_events_user_assignment",
    ]


def test_0014_trigger_needs_its_function_which_the_earlier_do_block_created():
    facts = analyze(MIGRATION_0014)
    order = [(e.action, str(e.ref)) for e in facts.effects]
    made = order.index((PROVIDE, "function public.prevent_move_immovable()"))
    used = order.index((REQUIRE, "function public.prevent_move_immovable()"))
    assert made < used


def test_0014_trigger_function_body_is_not_read_as_sql_of_the_migration():
    facts = analyze(MIGRATION_0014)
    # OLD and NEW inside the plpgsql body are row variables, not tables
    assert not any(e.ref.name in ("old", "new") for e in facts.effects)


def test_0014_effects_point_at_the_lines_naming_the_objects():
    facts = analyze(MIGRATION_0014)
    lines: dict[tuple[str, str], int] = {}
    for e in facts.effects:
        lines.setdefault((e.action, str(e.ref)), e.line)
    assert lines[(PROVIDE, "function public.prevent_move_immovable()")] == line_of(
        MIGRATION_0014, "prevent_move_immovable() RETURNS"
    )
    assert lines[(REQUIRE, "table public.calendar_events_new")] == line_of(
        MIGRATION_0014, "BEFORE UPDATE ON calendar_events_new"
    )
    assert lines[(PROVIDE, "index public.idx_moves_assignment")] == line_of(
        MIGRATION_0014, "idx_moves_assignment"
    )


def test_0014_name_only_pg_proc_check_is_a_review_point():
    facts = analyze(MIGRATION_0014)
    found = [f for f in facts.findings if f.kind == NAME_ONLY_FUNCTION_CHECK]
    assert len(found) == 1
    assert found[0].line == line_of(MIGRATION_0014, "SELECT 1 FROM pg_proc")
    assert "pg_get_function_identity_arguments" in found[0].hint


def test_0014_pg_trigger_check_without_tgrelid_is_a_review_point():
    facts = analyze(MIGRATION_0014)
    found = [f for f in facts.findings if f.kind == NAME_ONLY_TRIGGER_CHECK]
    assert len(found) == 1
    assert found[0].line == line_of(MIGRATION_0014, "SELECT 1 FROM pg_trigger")
    assert "tgrelid" in found[0].hint


def test_signature_and_tgrelid_checks_satisfy_the_review():
    sql = """DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_proc p JOIN pg_namespace n ON p.pronamespace = n.oid
    WHERE n.nspname = 'public' AND p.proname = 'prevent_move_immovable'
      AND pg_get_function_identity_arguments(p.oid) = ''
  ) THEN
    RAISE NOTICE 'missing';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'trg'
                 AND tgrelid = 'calendar_events_new'::regclass) THEN
    RAISE NOTICE 'missing';
  END IF;
END$$;"""
    facts = analyze(sql)
    assert facts.findings == ()
    # the ::regclass cast itself fails when the table is missing
    assert named(facts, REQUIRE) == ["table public.calendar_events_new"]


def test_0014_has_no_dynamic_sql_and_no_guarded_skip():
    facts = analyze(MIGRATION_0014)
    assert facts.dynamic_lines == ()
    assert not any(f.kind == GUARDED_SKIP for f in facts.findings)
    # IF NOT EXISTS (…pg_proc…) makes creation idempotent; it does not hide work
    assert not any(e.guarded for e in facts.effects)


def test_guarded_variant_marks_its_work_as_guarded():
    facts = analyze(GUARDED_VARIANT)
    assert facts.effects
    assert all(e.guarded for e in facts.effects)
    assert "table public.proposal_moves" in named(facts, ALTER)


def test_guarded_variant_that_only_notices_in_else_is_a_silent_skip():
    facts = analyze(GUARDED_VARIANT)
    skips = [f for f in facts.findings if f.kind == GUARDED_SKIP]
    assert len(skips) == 1
    assert skips[0].line == line_of(GUARDED_VARIANT, "IF EXISTS")
    assert "RAISE EXCEPTION" in skips[0].hint


def test_guard_that_raises_in_else_fails_loudly_and_is_not_a_skip():
    sql = GUARDED_VARIANT.replace("RAISE NOTICE 'proposal_moves", "RAISE EXCEPTION 'proposal_moves")
    facts = analyze(sql)
    assert not any(f.kind == GUARDED_SKIP for f in facts.findings)


def test_guard_without_else_is_a_silent_skip():
    sql = """DO $$
BEGIN
  IF to_regclass('public.proposal_moves') IS NOT NULL THEN
    ALTER TABLE proposal_moves ADD COLUMN note text;
  END IF;
END$$;"""
    facts = analyze(sql)
    assert [f.kind for f in facts.findings] == [GUARDED_SKIP]
    assert all(e.guarded for e in facts.effects)


def test_create_if_missing_guard_is_not_guarded():
    sql = """DO $$
BEGIN
  IF to_regclass('public.proposal_moves') IS NULL THEN
    CREATE TABLE proposal_moves (id uuid PRIMARY KEY);
  END IF;
END$$;"""
    facts = analyze(sql)
    assert facts.findings == ()
    assert "table public.proposal_moves" in named(facts, PROVIDE)
    assert not any(e.guarded for e in facts.effects)


def test_fixed_chain_0013_5_provides_what_0014_needs():
    sql = """BEGIN;
CREATE TABLE IF NOT EXISTS rebalancing_proposals (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id),
  created_at TIMESTAMPTZ DEFAULT NOW()
);
CREATE TABLE IF NOT EXISTS proposal_moves (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  proposal_id UUID REFERENCES rebalancing_proposals(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users(id),
  source_event_id UUID REFERENCES calendar_events_new(id),
  reason_codes JSONB DEFAULT '[]',
  base_priority NUMERIC(6,3),
  created_at TIMESTAMPTZ DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_proposal_moves_proposal ON proposal_moves (proposal_id);
COMMIT;"""
    facts = analyze(sql)
    assert {n for n in named(facts, REQUIRE) if not n.startswith("column ")} == {
        "table public.users",
        "table public.rebalancing_proposals",
        "table public.calendar_events_new",
        "table public.proposal_moves",
    }
    # the columns the keys and the index name
    assert "column public.proposal_moves.proposal_id" in named(facts, REQUIRE)
    provided = named(facts, PROVIDE)
    assert "table public.proposal_moves" in provided
    assert "index public.proposal_moves_pkey" in provided
    assert "constraint proposal_moves_proposal_id_fkey on public.proposal_moves" in provided
    # the FK on rebalancing_proposals comes after the table that provides it
    order = [(e.action, str(e.ref)) for e in facts.effects]
    assert order.index((PROVIDE, "table public.rebalancing_proposals")) < order.index(
        (REQUIRE, "table public.rebalancing_proposals")
    )
