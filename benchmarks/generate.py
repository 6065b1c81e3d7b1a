"""Generate a long, realistic native-layout migration history for benchmarks.

Each migration does what real projects do: create a table with a foreign key to
an earlier one, add columns and indexes, create views over earlier tables,
trigger functions in DO blocks, data fixes, and now and then a rename.

    python benchmarks/generate.py OUT_DIR [COUNT] [--chain]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

TEMPLATES = ("table", "alter", "view", "trigger", "datafix", "rename", "index")


def generate(out: Path, count: int, seed: int = 14) -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    tables: list[str] = []
    functions = 0
    for n in range(1, count + 1):
        version = f"{n:05d}"
        kind = "table" if len(tables) < 3 else rng.choice(TEMPLATES)
        up, down, name = _migration(kind, n, tables, rng, functions)
        if kind == "trigger":
            functions += 1
        body = f"-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n"
        (out / f"{version}_{name}.sql").write_text(body, encoding="utf-8")
    return out


def generate_chain(out: Path, count: int) -> Path:
    """A history where each migration needs the one before it: a table whose
    foreign key points at the previous migration's table (the deepest
    dependency graph a history of ``count`` migrations can have)."""
    out.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        fk = f",\n  before_id bigint REFERENCES link_{n - 1} (id)" if n > 1 else ""
        up = f"CREATE TABLE link_{n} (\n  id bigserial PRIMARY KEY{fk}\n);"
        body = f"-- migrate:up\n{up}\n\n-- migrate:down\nDROP TABLE link_{n};\n"
        (out / f"{n:05d}_link_{n}.sql").write_text(body, encoding="utf-8")
    return out


def _migration(kind: str, n: int, tables: list[str], rng: random.Random, functions: int):
    if kind == "table":
        table = f"entity_{n}"
        parent = rng.choice(tables) if tables else None
        fk = f",\n  parent_id bigint REFERENCES {parent} (id) ON DELETE CASCADE" if parent else ""
        tables.append(table)
        up = (
            f"CREATE TABLE {table} (\n  id bigserial PRIMARY KEY,\n  label text NOT NULL,\n"
            f"  payload jsonb NOT NULL DEFAULT '{{}}',\n  created_at timestamptz NOT NULL "
            f"DEFAULT now(){fk}\n);\nCREATE INDEX ON {table} (created_at);"
        )
        return up, f"DROP TABLE {table};", f"create_{table}"
    table = rng.choice(tables)
    if kind == "alter":
        col = f"attr_{n}"
        up = f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {col} integer DEFAULT 0;"
        return up, f"ALTER TABLE {table} DROP COLUMN IF EXISTS {col};", f"add_{col}"
    if kind == "index":
        up = f"CREATE INDEX idx_{n} ON {table} ((payload->>'k{n}'));"
        return up, f"DROP INDEX idx_{n};", f"index_{n}"
    if kind == "view":
        other = rng.choice(tables)
        up = (
            f"CREATE VIEW report_{n} AS\nWITH recent AS (\n  SELECT id, label FROM {table}\n"
            f"  WHERE created_at > now() - interval '30 days'\n)\n"
            f"SELECT r.id, r.label, count(o.id) AS related\n  FROM recent r\n"
            f"  LEFT JOIN {other} o ON o.id = r.id\n GROUP BY r.id, r.label;"
        )
        return up, f"DROP VIEW report_{n};", f"report_{n}"
    if kind == "trigger":
        fn = f"touch_{n}"
        up = (
            f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
            f"  NEW.created_at := coalesce(NEW.created_at, now());\n  RETURN NEW;\nEND;\n$$;\n"
            f"DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'trg_{n}'\n"
            f"                 AND tgrelid = '{table}'::regclass) THEN\n"
            f"    CREATE TRIGGER trg_{n} BEFORE INSERT ON {table}\n"
            f"      FOR EACH ROW EXECUTE FUNCTION {fn}();\n  END IF;\nEND\n$$;"
        )
        down = f"DROP TRIGGER IF EXISTS trg_{n} ON {table};\nDROP FUNCTION {fn}();"
        return up, down, f"trigger_{n}"
    if kind == "datafix":
        up = (
            f"-- fix labels imported with trailing spaces; keep the old value\n"
            f"UPDATE {table} SET label = trim(label), payload = payload || "
            f"jsonb_build_object('fixed_in', '{n}')\n WHERE label <> trim(label);"
        )
        return up, "SELECT 1; -- data fixes are not undone", f"datafix_{n}"
    # rename: retire the old name, later migrations use the new one
    new = f"{table}_v{n}"
    tables[tables.index(table)] = new
    up = f"ALTER TABLE {table} RENAME TO {new};"
    return up, f"ALTER TABLE {new} RENAME TO {table};", f"rename_{table}"


if __name__ == "__main__":
    target = Path(sys.argv[1])
    total = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 2000
    (generate_chain if "--chain" in sys.argv else generate)(target, total)
    print(f"wrote {total} migrations to {target}")
