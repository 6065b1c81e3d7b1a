"""check against the server on histories nobody wrote by hand.

Each seed makes a history of thirty migrations from a small grammar of schema
changes: tables with keys and foreign keys, columns added, dropped, renamed and
retyped (with and without USING, to built-in types and enums), defaults set and
dropped, tables renamed and dropped, indexes, views of one table (made, and
replaced with their columns kept, moved or left out), functions views call and
drop, enums (dropped, with CASCADE or not), CREATE TABLE IF NOT EXISTS, views
replaced with a column cast, trigger functions and triggers, NOT NULL, data rows and
guarded DO blocks. Now and then a statement names something that is gone (a
dropped column, a renamed table). The server runs the migrations in order,
each in a transaction, until one is refused; check must put its first error
on exactly that migration, and none before it: an earlier error is a false
alarm, a later one a miss. The grammar leaves out what depends on the data or
on expression types (a foreign key value, ``text = integer``), which check
does not claim to know.
"""

from __future__ import annotations

import random

import psycopg
import pytest

pytestmark = pytest.mark.db

TYPES = [
    "int",
    "bigint",
    "text",
    "boolean",
    "timestamptz",
    "uuid",
    "numeric",
    "jsonb",
    "varchar(20)",
]
VALUES = {
    "int": "1",
    "bigint": "1",
    "text": "'x'",
    "boolean": "true",
    "timestamptz": "now()",
    "uuid": "gen_random_uuid()",
    "numeric": "1",
    "jsonb": "'{}'",
    "varchar(20)": "''",
}


class History:
    """A model of the schema as the history builds it, to name what exists
    (mostly) and what no longer does (now and then)."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.tables: dict[str, dict[str, str]] = {}
        self.references: set[tuple[str, str]] = set()  # (table, column) pointing elsewhere
        self.views: set[str] = set()
        self.view_columns: dict[str, tuple[str, list[str]]] = {}  # view -> (table, columns)
        self.indexes: set[str] = set()
        self.enums: set[str] = set()
        self.functions: set[str] = set()
        self.scalars: set[str] = set()  # functions of one integer, for views to call
        self.rows = False  # whether any table may hold rows
        self.ever: dict[str, set[str]] = {
            "table": set(),
            "column": set(),
            "view": set(),
            "index": set(),
        }
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def some(self, alive: set[str] | dict, kind: str) -> str:
        if alive and self.random.random() < 0.97:
            return self.random.choice(sorted(alive))
        return self.random.choice(sorted(self.ever[kind]) or ["nosuch"])

    def column_of(self, table: str, with_id: bool = False) -> str:
        columns = [c for c in self.tables.get(table, {}) if with_id or c != "id"]
        if columns and self.random.random() < 0.97:
            return self.random.choice(sorted(columns))
        return self.random.choice(sorted(self.ever["column"]) or ["nosuch"])

    def migration(self) -> list[str]:
        return [self.statement() for _ in range(self.random.randint(1, 3))]

    def statement(self) -> str:
        if len(self.tables) < 2:
            return self.create_table()
        makers = [
            (8, self.create_table), (6, self.add_column), (3, self.drop_column),
            (3, self.rename_column), (2, self.rename_table), (4, self.create_index),
            (2, self.drop_index), (4, self.create_view), (2, self.drop_view),
            (2, self.drop_table), (3, self.retype), (2, self.enum), (2, self.foreign_key),
            (2, self.function), (2, self.trigger), (2, self.not_null), (2, self.insert),
            (1, self.unique), (1, self.comment), (1, self.guarded_column), (2, self.default),
            (2, self.replace_view), (2, self.scalar), (2, self.calling_view), (1, self.drop_scalar),
            (1, self.drop_enum), (1, self.create_if_not_exists),
        ]  # fmt: skip
        weights, choices = zip(*makers, strict=True)
        return self.random.choices(choices, weights)[0]()

    def create_table(self) -> str:
        table = self.name("t")
        columns = {"id": "int"}
        parts = ["id int PRIMARY KEY"]
        for _ in range(self.random.randint(1, 4)):
            column, kind = self.name("c"), self.random.choice(TYPES)
            default = f" NOT NULL DEFAULT {VALUES[kind]}" if self.random.random() < 0.2 else ""
            parts.append(f"{column} {kind}{default}")
            columns[column] = kind
        if self.tables and self.random.random() < 0.4:
            column = self.name("c")
            parts.append(f"{column} int REFERENCES {self.some(self.tables, 'table')}")
            columns[column] = "int"
            self.references.add((table, column))
        self.tables[table] = columns
        self.ever["table"].add(table)
        self.ever["column"].update(columns)
        return f"CREATE TABLE {table} ({', '.join(parts)});"

    def add_column(self) -> str:
        table, column, kind = (
            self.some(self.tables, "table"),
            self.name("c"),
            self.random.choice(TYPES),
        )
        if table in self.tables:
            self.tables[table][column] = kind
        self.ever["column"].add(column)
        default = (
            " NOT NULL DEFAULT 0"
            if kind in ("int", "bigint") and self.random.random() < 0.3
            else ""
        )
        return f"ALTER TABLE {table} ADD COLUMN {column} {kind}{default};"

    def drop_column(self) -> str:
        table = self.some(self.tables, "table")
        column = self.column_of(table)
        cascade = " CASCADE" if self.random.random() < 0.3 else ""
        self.tables.get(table, {}).pop(column, None)
        return f"ALTER TABLE {table} DROP COLUMN {column}{cascade};"

    def rename_column(self) -> str:
        table = self.some(self.tables, "table")
        column, new = self.column_of(table), self.name("c")
        if column in self.tables.get(table, {}):
            self.tables[table][new] = self.tables[table].pop(column)
            if (table, column) in self.references:
                self.references.add((table, new))
        self.ever["column"].add(new)
        return f"ALTER TABLE {table} RENAME COLUMN {column} TO {new};"

    def rename_table(self) -> str:
        table, new = self.some(self.tables, "table"), self.name("t")
        if table in self.tables:
            self.tables[new] = self.tables.pop(table)
            self.references |= {(new, c) for t, c in self.references if t == table}
        self.ever["table"].add(new)
        return f"ALTER TABLE {table} RENAME TO {new};"

    def create_index(self) -> str:
        table, index = self.some(self.tables, "table"), self.name("i")
        self.indexes.add(index)
        self.ever["index"].add(index)
        unique = "UNIQUE " if self.random.random() < 0.2 else ""
        return f"CREATE {unique}INDEX {index} ON {table} ({self.column_of(table)});"

    def drop_index(self) -> str:
        index = self.some(self.indexes, "index")
        self.indexes.discard(index)
        return f"DROP INDEX {index};"

    def create_view(self) -> str:
        table, view = self.some(self.tables, "table"), self.name("v")
        if self.random.random() < 0.3:
            columns = "*"
        else:
            columns = ", ".join(sorted({self.column_of(table) for _ in range(2)}))
        self.views.add(view)
        self.ever["view"].add(view)
        if columns != "*":
            self.view_columns[view] = (table, columns.split(", "))
        return f"CREATE VIEW {view} AS SELECT {columns} FROM {table};"

    def replace_view(self) -> str:
        known = sorted(v for v in self.views if v in self.view_columns)
        if not known:
            return self.create_view()
        view = self.random.choice(known)
        table, columns = self.view_columns[view]
        columns = list(columns)
        change = self.random.random()
        if change < 0.3 and len(columns) > 1:
            columns.pop()  # one left out
        elif change < 0.5 and len(columns) > 1:
            columns.reverse()  # moved
        elif change < 0.7:
            columns.append(f"{self.column_of(table, with_id=True)} AS extra{self.count}")
            self.count += 1
        elif change < 0.85:  # the same name, maybe another type
            bare = [i for i, c in enumerate(columns) if c.isidentifier()]
            if bare:
                i = self.random.choice(bare)
                columns[i] = f"{columns[i]}::text AS {columns[i]}"
        self.view_columns[view] = (table, columns)
        return f"CREATE OR REPLACE VIEW {view} AS SELECT {', '.join(columns)} FROM {table};"

    def drop_view(self) -> str:
        view = self.some(self.views, "view")
        self.views.discard(view)
        return f"DROP VIEW {view};"

    def drop_table(self) -> str:
        table = self.some(self.tables, "table")
        self.tables.pop(table, None)
        cascade = " CASCADE" if self.random.random() < 0.4 else ""
        return f"DROP TABLE {table}{cascade};"

    def retype(self) -> str:
        table = self.some(self.tables, "table")
        column, kind = self.column_of(table), self.random.choice(["bigint", "text"])
        if self.rows:  # whether the rows' values convert is the data's business
            kind = "text"
        using = f" USING {column}::{kind}" if self.random.random() < 0.5 else ""
        if self.enums and self.random.random() < 0.3:  # whatever the values, 'a'
            kind = self.random.choice(sorted(self.enums))
            using = f" USING 'a'::{kind}" if self.random.random() < 0.7 else ""
        if column in self.tables.get(table, {}):
            self.tables[table][column] = kind
        return f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind}{using};"

    def default(self) -> str:
        table = self.some(self.tables, "table")
        column = self.column_of(table)
        kind = self.tables.get(table, {}).get(column, "int")
        if self.random.random() < 0.3 or (table, column) in self.references:
            # a default on a foreign key would make the next row's fate the data's
            return f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;"
        value = VALUES.get(kind, "'a'" if self.random.random() < 0.9 else "'no_such_label'")
        return f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {value};"

    def enum(self) -> str:
        if self.enums and self.random.random() < 0.5:
            label = "a" if self.random.random() < 0.1 else self.name("x")  # now and then, again
            return f"ALTER TYPE {self.random.choice(sorted(self.enums))} ADD VALUE '{label}';"
        enum = self.name("e")
        self.enums.add(enum)
        return f"CREATE TYPE {enum} AS ENUM ('a', 'b');"

    def drop_enum(self) -> str:
        if not self.enums:
            return self.enum()
        enum = self.random.choice(sorted(self.enums))
        self.enums.discard(enum)
        if self.random.random() < 0.5:
            return f"DROP TYPE {enum};"  # refused while a column is of it
        for columns in self.tables.values():  # CASCADE: its columns go, and their views
            for column in [c for c, kind in columns.items() if kind == enum]:
                del columns[column]
        return f"DROP TYPE {enum} CASCADE;"

    def create_if_not_exists(self) -> str:
        table, column = self.some(self.tables, "table"), self.name("c")
        if table not in self.tables:  # made now; else nothing is done
            self.tables[table] = {"id": "int", column: "int"}
            self.ever["column"].add(column)
        return f"CREATE TABLE IF NOT EXISTS {table} (id int PRIMARY KEY, {column} int);"

    def foreign_key(self) -> str:
        table, target = self.some(self.tables, "table"), self.some(self.tables, "table")
        column = self.column_of(table)
        self.references.add((table, column))
        columns = f" ({self.column_of(target, with_id=True)})" if self.random.random() < 0.4 else ""
        # once rows exist, whether they match is the data's business: not checked now
        unchecked = " NOT VALID" if self.rows else ""
        return (
            f"ALTER TABLE {table} ADD CONSTRAINT {self.name('fk')} FOREIGN KEY ({column}) "
            f"REFERENCES {target}{columns}{unchecked};"
        )

    def function(self) -> str:
        function = self.name("f")
        self.functions.add(function)
        return (
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n  RETURN NEW;\nEND;\n$$;"
        )

    def scalar(self) -> str:
        function = self.name("s")
        self.scalars.add(function)
        return f"CREATE FUNCTION {function}(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1';"

    def calling_view(self) -> str:
        table, view = self.some(self.tables, "table"), self.name("v")
        function = self.random.choice(sorted(self.scalars) or ["nosuch_scalar"])
        if self.random.random() < 0.05:
            function = "nosuch_scalar"
        self.views.add(view)
        self.ever["view"].add(view)
        return f"CREATE VIEW {view} AS SELECT {function}(id) AS x FROM {table};"

    def drop_scalar(self) -> str:
        function = self.random.choice(sorted(self.scalars) or ["nosuch_scalar"])
        self.scalars.discard(function)
        cascade = " CASCADE" if self.random.random() < 0.5 else ""
        return f"DROP FUNCTION {function}(int){cascade};"

    def trigger(self) -> str:
        table = self.some(self.tables, "table")
        function = self.random.choice(sorted(self.functions) or ["nosuch_function"])
        return (
            f"CREATE TRIGGER {self.name('tg')} BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}();"
        )

    def not_null(self) -> str:
        table = self.some(self.tables, "table")
        # once rows exist, whether a column holds nulls is the data's business
        verb = "SET" if self.random.random() < 0.7 and not self.rows else "DROP"
        return f"ALTER TABLE {table} ALTER COLUMN {self.column_of(table)} {verb} NOT NULL;"

    def insert(self) -> str:
        table = self.some(self.tables, "table")
        self.rows = True
        kinds = self.tables.get(table, {})
        names = [c for c in sorted(kinds) if c != "id" and (table, c) not in self.references][:2]
        values = [str(self.random.randint(1, 10**6))] + [self.value(kinds[c]) for c in names]
        return f"INSERT INTO {table} ({', '.join(['id', *names])}) VALUES ({', '.join(values)});"

    def value(self, kind: str) -> str:
        """A value of ``kind`` no other row has, where the type allows (a unique
        index then holds whatever the order of the inserts)."""
        n = self.random.randint(1, 10**6)
        unique = {
            "int": str(n),
            "bigint": str(n),
            "numeric": str(n),
            "text": f"'x{n}'",
            "varchar(20)": f"'x{n}'",
            "timestamptz": f"now() + interval '{n} seconds'",
            "jsonb": f"'{{\"n\": {n}}}'",
        }
        return unique.get(kind) or VALUES.get(kind, "'a'")

    def unique(self) -> str:
        table = self.some(self.tables, "table")
        return f"ALTER TABLE {table} ADD CONSTRAINT {self.name('uq')} UNIQUE ({self.column_of(table)});"

    def comment(self) -> str:
        return f"COMMENT ON TABLE {self.some(self.tables, 'table')} IS 'x';"

    def guarded_column(self) -> str:
        table, column = self.some(self.tables, "table"), self.name("c")
        return (
            "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM information_schema.columns "
            f"WHERE table_name = '{table}' AND column_name = '{column}') THEN\n"
            f"    ALTER TABLE {table} ADD COLUMN {column} int;\n  END IF;\nEND\n$$;"
        )


def _first_refused(dsn: str, migrations: list[list[str]]) -> tuple[int | None, str]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for number, statements in enumerate(migrations, 1):
            try:
                with conn.transaction():
                    for statement in statements:
                        conn.execute(statement)
            except psycopg.Error as exc:
                return number, f"{exc.sqlstate} {str(exc).splitlines()[0]}"
    return None, ""


@pytest.mark.parametrize("seed", range(12))
def test_checks_first_error_is_the_migration_the_server_refuses(
    seed, write_migrations, analysis_of, pg_dsn
):
    history = History(seed)
    migrations = [history.migration() for _ in range(30)]
    root = write_migrations(
        {
            f"{n:04d}_step.sql": "-- migrate:up\n" + "\n".join(sql) + "\n-- migrate:down\n"
            for n, sql in enumerate(migrations, 1)
        }
    )
    errors = [p for p in analysis_of(root).problems if str(p.severity) == "error"]
    first_error = min((int(p.migration) for p in errors if p.migration), default=None)

    refused, why = _first_refused(pg_dsn, migrations)

    said = [f"{p.migration}: {p.kind} {p.message}" for p in errors if p.migration]
    shown = "\n".join(migrations[(refused or first_error or 1) - 1])
    assert first_error == refused, f"server: {refused} {why}\ncheck: {said[:3]}\n{shown}"
