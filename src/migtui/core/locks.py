"""The table locks a statement takes, predicted from its parse tree, and the
hints an operator acts on before a migration locks a busy table.

The lock levels are PostgreSQL's documented ones for each command (the
"Explicit Locking" chapter and each command's page): what a statement takes on
the relations it names, not what it takes on catalogs. A hint is a warning of
kind ``lint`` with a ``rule`` an operator can turn off in the config
(``lint_off = ["index-not-concurrent"]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from migtui.core.model import Problem, Severity, Statement

#: PostgreSQL's table lock modes, weakest first.
MODES = (
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
)
ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"

#: ``pg_locks.mode`` names, in the documented spelling above.
PG_LOCKS_MODES = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}

#: ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (the rest take it).
_ALTER_MODES = {
    "AT_SetStatistics": "SHARE UPDATE EXCLUSIVE",
    "AT_SetOptions": "SHARE UPDATE EXCLUSIVE",
    "AT_ResetOptions": "SHARE UPDATE EXCLUSIVE",
    "AT_ClusterOn": "SHARE UPDATE EXCLUSIVE",
    "AT_DropCluster": "SHARE UPDATE EXCLUSIVE",
    "AT_ValidateConstraint": "SHARE UPDATE EXCLUSIVE",
    "AT_AttachPartition": "SHARE UPDATE EXCLUSIVE",
    "AT_DetachPartitionFinalize": "SHARE UPDATE EXCLUSIVE",
    "AT_EnableTrig": "SHARE ROW EXCLUSIVE",
    "AT_EnableAlwaysTrig": "SHARE ROW EXCLUSIVE",
    "AT_EnableReplicaTrig": "SHARE ROW EXCLUSIVE",
    "AT_DisableTrig": "SHARE ROW EXCLUSIVE",
    "AT_EnableTrigAll": "SHARE ROW EXCLUSIVE",
    "AT_DisableTrigAll": "SHARE ROW EXCLUSIVE",
    "AT_EnableTrigUser": "SHARE ROW EXCLUSIVE",
    "AT_DisableTrigUser": "SHARE ROW EXCLUSIVE",
}

#: LOCK TABLE's mode numbers, as the parse tree gives them.
_LOCK_NUMBERS = {n + 1: mode for n, mode in enumerate(MODES)}

#: Functions whose value differs per row: a column added with one as its
#: default is written into every row, rewriting the table.
_VOLATILE = frozenset(
    {
        "random",
        "clock_timestamp",
        "timeofday",
        "gen_random_uuid",
        "uuidv4",
        "uuidv7",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "nextval",
        "txid_current",
    }
)
_SERIAL = frozenset({"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"})

#: Every rule, with the one line an operator reads to turn it off.
RULES = {
    "index-not-concurrent": "an index built without CONCURRENTLY on an existing table",
    "rewrite": "a table rewritten: a volatile default or a stored generated column added, "
    "a column's type changed, SET LOGGED or UNLOGGED",
    "validating-constraint": "SET NOT NULL, CHECK or FOREIGN KEY validated while locked",
    "no-lock-timeout": "an ACCESS EXCLUSIVE statement with no lock_timeout set before it",
    "lock-held": "slow statements after an ACCESS EXCLUSIVE lock in the same transaction",
    "concurrently-in-transaction": "CONCURRENTLY in a migration its tool runs in a transaction",
}


#: How each tool is told to run a migration outside a transaction.
OUTSIDE_A_TRANSACTION = {
    "dbmate": "write `-- migrate:up transaction:false`",
    "goose": "add `-- +goose NO TRANSACTION` at the top of the file",
    "sqlx": "make `-- no-transaction` the file's first line",
    "diesel": "set `run_in_transaction = false` in the migration's metadata.toml",
    "flyway": "move the statement to a migration of its own",
    "golang-migrate": "move the statement to a migration of its own (or migrate with "
    "x-multi-statement=true)",
    "tern": "make `---- tern: disable-tx ----` the file's first line",
    "node-pg-migrate": "make `-- no transaction` the file's first line (and migrate with "
    "--no-single-transaction)",
    "Graphile Migrate": "make `--! no-transaction` the first line of the migration's body",
    "yoyo": "add `-- transactional: false` among the file's leading comments",
    "Migratus": "make `-- :disable-transaction` the file's first line",
    "Postgrator": "move the statement to a migration of its own (Postgrator sends a file as "
    "one query, which PostgreSQL runs as one transaction)",
    "db-migrate": "run the migration with db-migrate's --non-transactional (it then runs "
    "every migration so)",
    "pop": "move the statement out of pop's migrations: pop runs each in a transaction",
    "drizzle": "drizzle-orm runs every pending migration in one transaction and has no way "
    "out of it: run this statement outside drizzle (psql, or migtui), then record the "
    "migration",
}


#: Each rule's safer form in general (each hint gives its own, for its statement).
SAFER = {
    "index-not-concurrent": "CREATE INDEX CONCURRENTLY, in a migration run outside a transaction",
    "rewrite": "add the column without the default and fill it in batches; a new column "
    "for a new type",
    "validating-constraint": "NOT VALID, then VALIDATE CONSTRAINT in a later migration; for "
    "NOT NULL, a validated CHECK (column IS NOT NULL) first",
    "no-lock-timeout": "SET lock_timeout = '5s'; at the top of the migration",
    "lock-held": "the slow work in a migration of its own, or before the locking statement",
    "concurrently-in-transaction": "the tool's own way to run the migration outside a "
    "transaction (each hint names it)",
}


@dataclass(frozen=True)
class Lock:
    """One table lock a statement takes: the relation as written, and the mode.
    ``kind`` is what the name is of: a dropped index's lock is on its table."""

    relation: str
    mode: str
    kind: str = "table"

    def __str__(self) -> str:
        if self.kind == "index":
            return f"{self.mode} on the table of index {self.relation}"
        return f"{self.mode} on {self.relation}"

    @property
    def named(self) -> str:
        """The object the lock is named by, as problems spell one."""
        return f"{self.kind} {self.relation}"


def _name(rangevar: dict | None) -> str | None:
    if not rangevar or "relname" not in rangevar:
        return None
    schema = rangevar.get("schemaname")
    return f"{schema}.{rangevar['relname']}" if schema else rangevar["relname"]


def table_key(name: str) -> str:
    """A table as written, schema-qualified (``public`` when it has none)."""
    return name if "." in name else f"public.{name}"


def _strongest(modes: Iterable[str]) -> str:
    return max(modes, key=MODES.index)


#: Storage parameters a table's ``SET (…)``/``RESET (…)`` changes under SHARE
#: UPDATE EXCLUSIVE (PostgreSQL 18, checked on the server): all but
#: ``user_catalog_table``; of an index's, only these (a view's take ACCESS
#: EXCLUSIVE, as do GIN's, GiST's ``buffering`` and BRIN's)
_HEAVY_TABLE_OPTIONS = frozenset({"user_catalog_table"})
_LIGHT_INDEX_OPTIONS = frozenset({"fillfactor", "deduplicate_items"})


def _light_options(objtype: str, cmd: dict) -> bool:
    """Whether an ALTER TABLE/INDEX … SET (…) or RESET (…) takes only SHARE
    UPDATE EXCLUSIVE."""
    if cmd.get("subtype") not in ("AT_SetRelOptions", "AT_ResetRelOptions"):
        return False
    names = [
        (o.get("DefElem", {}).get("defnamespace"), o.get("DefElem", {}).get("defname"))
        for o in (cmd.get("def") or {}).get("List", {}).get("items", ())
    ]
    if not names:
        return False
    if objtype in ("OBJECT_TABLE", "OBJECT_MATVIEW"):
        return not any(name in _HEAVY_TABLE_OPTIONS for space, name in names if not space)
    if objtype == "OBJECT_INDEX":
        return all(not space and name in _LIGHT_INDEX_OPTIONS for space, name in names)
    return False


def predict(tree: dict | None) -> tuple[Lock, ...]:
    """The table locks ``tree``'s statement takes on the relations it names."""
    if not tree:
        return ()
    [(node, fields)] = tree.items()
    if node == "AlterTableStmt" and fields.get("objtype") == "OBJECT_TYPE":
        return ()  # ALTER TYPE … ATTRIBUTE of a composite type: no table, no rows
    if node == "AlterTableStmt":
        table = _name(fields.get("relation"))
        cmds = [c.get("AlterTableCmd", {}) for c in fields.get("cmds", ())]
        modes = [_ALTER_MODES.get(c.get("subtype", ""), ACCESS_EXCLUSIVE) for c in cmds]
        for i, cmd in enumerate(cmds):
            if _light_options(fields.get("objtype", ""), cmd):
                modes[i] = "SHARE UPDATE EXCLUSIVE"
            partition = (cmd.get("def") or {}).get("PartitionCmd") or {}
            if cmd.get("subtype") == "AT_DetachPartition" and partition.get("concurrent"):
                modes[i] = "SHARE UPDATE EXCLUSIVE"  # (its second transaction waits, not locks)
        locks = []
        for cmd in cmds:
            constraint = (cmd.get("def") or {}).get("Constraint", {})
            if cmd.get("subtype") == "AT_AddConstraint" and constraint.get("contype") == (
                "CONSTR_FOREIGN"
            ):
                modes[cmds.index(cmd)] = "SHARE ROW EXCLUSIVE"
                if (ref := _name(constraint.get("pktable"))) is not None:
                    locks.append(Lock(ref, "SHARE ROW EXCLUSIVE"))
        if table and modes:
            locks.insert(0, Lock(table, _strongest(modes)))
        return tuple(locks)
    if node == "IndexStmt":
        table = _name(fields.get("relation"))
        mode = "SHARE UPDATE EXCLUSIVE" if fields.get("concurrent") else "SHARE"
        return (Lock(table, mode),) if table else ()
    if node == "CreateStmt":
        refs = [_name(c.get("pktable")) for c in _constraints(fields)]
        return tuple(Lock(r, "SHARE ROW EXCLUSIVE") for r in dict.fromkeys(refs) if r)
    if node == "CreateTrigStmt":
        table = _name(fields.get("relation"))
        return (Lock(table, "SHARE ROW EXCLUSIVE"),) if table else ()
    if node == "TruncateStmt":
        return tuple(
            Lock(n, ACCESS_EXCLUSIVE)
            for r in fields.get("relations", ())
            if (n := _name(r.get("RangeVar")))
        )
    if node == "LockStmt":
        mode = _LOCK_NUMBERS.get(fields.get("mode", 8), ACCESS_EXCLUSIVE)
        return tuple(
            Lock(n, mode) for r in fields.get("relations", ()) if (n := _name(r.get("RangeVar")))
        )
    if node in ("UpdateStmt", "DeleteStmt", "InsertStmt", "MergeStmt"):
        table = _name(fields.get("relation"))
        return (Lock(table, "ROW EXCLUSIVE"),) if table else ()
    if node == "DropStmt" and fields.get("removeType") in (
        "OBJECT_TABLE",
        "OBJECT_INDEX",
        "OBJECT_VIEW",
        "OBJECT_MATVIEW",
    ):
        mode = "SHARE UPDATE EXCLUSIVE" if fields.get("concurrent") else ACCESS_EXCLUSIVE
        names = [".".join(p["String"]["sval"] for p in obj.get("List", {}).get("items", ()))
                 for obj in fields.get("objects", ())]  # fmt: skip
        kind = _DROPPED_KINDS[fields["removeType"]]
        return tuple(Lock(n, mode, kind) for n in names if n)
    if node == "RenameStmt" and fields.get("relation"):
        # an index's own name changes under SHARE UPDATE EXCLUSIVE on it alone
        index = fields.get("renameType") == "OBJECT_INDEX"
        mode = "SHARE UPDATE EXCLUSIVE" if index else ACCESS_EXCLUSIVE
        return (Lock(_name(fields["relation"]) or "", mode),)
    if node == "RefreshMatViewStmt":
        mode = "EXCLUSIVE" if fields.get("concurrent") else ACCESS_EXCLUSIVE
        table = _name(fields.get("relation"))
        return (Lock(table, mode),) if table else ()
    if node == "ClusterStmt":
        table = _name(fields.get("relation"))
        return (Lock(table, ACCESS_EXCLUSIVE),) if table else ()
    if node == "VacuumStmt":
        full = any(o.get("DefElem", {}).get("defname") == "full" for o in fields.get("options", ()))
        mode = ACCESS_EXCLUSIVE if full else "SHARE UPDATE EXCLUSIVE"
        return tuple(
            Lock(n, mode)
            for r in fields.get("rels", ())
            if (n := _name(r.get("VacuumRelation", {}).get("relation")))
        )
    return ()


#: What a DROP that locks a table names.
_DROPPED_KINDS = {
    "OBJECT_TABLE": "table",
    "OBJECT_INDEX": "index",
    "OBJECT_VIEW": "view",
    "OBJECT_MATVIEW": "materialized view",
}


def _constraints(create: dict) -> list[dict]:
    """The foreign keys of a CREATE TABLE, at table and column level."""
    found = []
    for element in create.get("tableElts", ()):
        if "Constraint" in element:
            found.append(element["Constraint"])
        for c in element.get("ColumnDef", {}).get("constraints", ()):
            found.append(c.get("Constraint", {}))
    return [c for c in found if c.get("contype") == "CONSTR_FOREIGN"]


#: ``tool`` for a section whose own BEGIN … COMMIT wraps such a statement.
OWN_BEGIN = "its own BEGIN"


def refused_in_transaction(tool: str) -> tuple[str, str]:
    """Why ``tool`` runs a statement PostgreSQL refuses in a transaction (25001)
    inside one, and the tool's own way out."""
    if tool == OWN_BEGIN:
        return (
            "the file's own BEGIN opens a transaction around this statement, where "
            "PostgreSQL refuses it (25001) under any tool that runs the file as written; "
            "migtui runs it outside one",
            "remove the BEGIN and COMMIT around it (and mark the migration to run outside "
            "a transaction, as its tool asks)",
        )
    if tool == "flyway":
        why = (
            "flyway refuses a migration that mixes a statement PostgreSQL runs only "
            "outside a transaction with others (unless its `mixed` setting is on); "
            "migtui runs it outside one"
        )
    elif tool == "golang-migrate":
        why = (
            "golang-migrate sends the file to PostgreSQL as one query, and a query of "
            "several statements runs as one transaction, where PostgreSQL refuses this "
            "statement (25001); migtui runs it outside one"
        )
    else:
        why = (
            f"{tool} runs this migration in a transaction, where PostgreSQL refuses "
            "this statement (25001); migtui runs it outside one"
        )
    return why, OUTSIDE_A_TRANSACTION.get(tool, "mark the migration to run outside a transaction")


def lint(
    statements: Sequence[Statement],
    *,
    migration: str,
    file: str | None,
    runs_in_transaction: bool,
    held_in_transaction: bool,
    tool: str = "migtui",
    off: Iterable[str] = (),
) -> list[Problem]:
    """The lock hints for one migration's up section. ``runs_in_transaction``:
    its tool wraps it in a transaction though a statement refuses one;
    ``held_in_transaction``: its statements share one transaction, so a lock
    is held to the end."""
    off = set(off)
    hints: list[Problem] = []
    made: set[str] = set()  # tables this migration creates: empty, nobody waits on them
    filled: set[str] = set()  # … and those of them it fills from a query
    timeout_set = False
    held: tuple[Statement, Lock] | None = None  # the first ACCESS EXCLUSIVE on an existing table
    slow_after: list[Statement] = []

    def hint(rule: str, statement: Statement, message: str, safer: str, obj=None) -> None:
        if rule not in off:
            problem = Problem(
                "lint", Severity.WARNING, message, safer, migration=migration,
                object=obj, file=file, line=statement.start_line, section="up", rule=rule,
            )  # fmt: skip
            hints.append(problem)

    outside = False  # after a COMMIT of the tool's transaction, until a BEGIN

    def release() -> None:
        """A COMMIT ends the transaction: the lock held so far is let go."""
        nonlocal held, slow_after
        if held is not None and slow_after:
            held_hint(*held, slow_after)
        held, slow_after = None, []

    def held_hint(statement: Statement, lock: Lock, slow: list[Statement]) -> None:
        hint(
            "lock-held",
            statement,
            f"{lock} is held until the migration commits, while {len(slow)} slower "
            f"statement(s) after it run (line {slow[0].start_line} first)",
            "move the slow work to a migration of its own, or before the locking statement",
            lock.named,
        )

    for statement in statements:
        tree = statement.tree
        if not tree:
            continue
        [(node, fields)] = tree.items()
        if node == "TransactionStmt":  # the COMMIT; … BEGIN; idiom
            if fields.get("kind") == "TRANS_STMT_COMMIT":
                release()
                outside = True
            elif fields.get("kind") in ("TRANS_STMT_BEGIN", "TRANS_STMT_START"):
                outside = False
            continue
        if node == "VariableSetStmt" and fields.get("name") == "lock_timeout":
            timeout_set = True
        if (name := _created(node, fields)) is not None:
            made.add(table_key(name))
        if node == "RenameStmt" and fields.get("renameType") in _RENAMED_RELATIONS:
            old = _name(fields.get("relation"))
            if old and table_key(old) in made:  # made here, then renamed: still new
                made.add(f"{table_key(old).rpartition('.')[0]}.{fields.get('newname', '')}")
        if node == "IndexStmt" and fields.get("idxname"):
            on = _name(fields.get("relation"))
            if on and table_key(on) in made:  # an index of a table made here: as new
                made.add(f"{table_key(on).rpartition('.')[0]}.{fields['idxname']}")
        target = _name(fields.get("relation")) if isinstance(fields, dict) else None
        empty = target is not None and table_key(target) in made and table_key(target) not in filled
        if node == "InsertStmt" and target is not None and _slow(node, fields):
            filled.add(table_key(target))  # INSERT … SELECT: rows from elsewhere
        # an index or an UPDATE of a table made here and still empty is instant
        if held is not None and _slow(node, fields) and not (empty and node != "InsertStmt"):
            slow_after.append(statement)
        locks = [lock for lock in predict(tree) if table_key(lock.relation) not in made]
        existing = _name(fields.get("relation")) if isinstance(fields, dict) else None
        existing = existing if existing and table_key(existing) not in made else None

        if node == "IndexStmt" and existing and not fields.get("concurrent"):
            hint(
                "index-not-concurrent",
                statement,
                f"builds an index on {existing} under a SHARE lock: writes to the table "
                "wait until the index is built",
                "CREATE INDEX CONCURRENTLY, in a migration that runs outside a transaction",
                f"table {existing}",
            )
        if node == "AlterTableStmt" and existing and fields.get("objtype") != "OBJECT_TYPE":
            _alter_hints(fields, existing, statement, hint)
        if statement.no_transaction and runs_in_transaction and not outside:
            why, safer = refused_in_transaction(tool)
            hint("concurrently-in-transaction", statement, why, safer)
        strong = [lock for lock in locks if lock.mode == ACCESS_EXCLUSIVE]
        # DROP … IF EXISTS may find nothing, and then locks nothing: said, but the
        # next lock is said too, and the walk keeps the first of them it does not
        # know to lock nothing (``graph._moot``)
        maybe_nothing = node == "DropStmt" and bool(fields.get("missing_ok"))
        if strong and not timeout_set:
            timeout_set = not maybe_nothing  # said once per migration
            hint(
                "no-lock-timeout",
                statement,
                f"takes {strong[0]} with no lock_timeout set before it: run by another "
                "tool, it queues behind any open transaction on the table and every query "
                "after it queues behind it (migtui sets lock_timeout itself)",
                "SET lock_timeout = '5s'; at the top of the migration",
                strong[0].named,
            )
        if strong and held is None and held_in_transaction and not outside and not maybe_nothing:
            held = (statement, strong[0])
        if node == "TruncateStmt":
            # empty from here on, and locked already: building on it is instant
            made.update(table_key(lock.relation) for lock in locks)
            filled.difference_update(table_key(lock.relation) for lock in locks)
    release()
    return hints


def _created(node: str, fields: dict) -> str | None:
    """The relation a CREATE statement makes (a table, sequence, view or
    materialized view): nobody else sees it before the migration commits."""
    if node == "CreateStmt":
        return _name(fields.get("relation"))
    if node == "CreateSeqStmt":
        return _name(fields.get("sequence"))
    if node == "ViewStmt":
        return _name(fields.get("view"))
    if node == "CreateTableAsStmt":
        into = fields.get("into") or {}
        return _name(into.get("IntoClause", into).get("rel"))
    if node == "SelectStmt" and fields.get("intoClause"):  # SELECT … INTO t
        into = fields["intoClause"]
        return _name(into.get("IntoClause", into).get("rel"))
    return None


#: The renames of a relation (not of a column or a constraint)
_RENAMED_RELATIONS = frozenset(
    {"OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE", "OBJECT_INDEX"}
)


def _slow(node: str, fields: dict) -> bool:
    """Statements whose time grows with the data: they make a held lock long."""
    if node in ("UpdateStmt", "DeleteStmt", "MergeStmt", "IndexStmt", "RefreshMatViewStmt"):
        return True
    return node == "InsertStmt" and "selectStmt" in fields and _selects(fields["selectStmt"])


def _selects(select: dict) -> bool:
    """An INSERT … SELECT (not INSERT … VALUES)."""
    body = select.get("SelectStmt", {})
    return "valuesLists" not in body


def _alter_hints(fields: dict, table: str, statement: Statement, hint) -> None:
    for cmd in fields.get("cmds", ()):
        cmd = cmd.get("AlterTableCmd", {})
        subtype = cmd.get("subtype")
        definition = cmd.get("def") or {}
        if subtype == "AT_AddColumn":
            column = definition.get("ColumnDef", {})
            volatile = _volatile_default(column)
            if volatile:
                hint(
                    "rewrite",
                    statement,
                    f"adds column {column.get('colname')} to {table} with a default of "
                    f"{volatile}, different in every row: the whole table is rewritten "
                    "under ACCESS EXCLUSIVE",
                    "add the column without a default, set the default after, and fill "
                    "the existing rows in batches",
                    f"table {table}",
                )
            elif keyed := _keyed(column):
                hint(
                    "index-not-concurrent",
                    statement,
                    f"adds column {column.get('colname')} to {table} as {keyed}: its index is "
                    "built under ACCESS EXCLUSIVE, reads and writes wait until it is done",
                    "add the column plain, CREATE UNIQUE INDEX CONCURRENTLY in a migration run "
                    f"outside a transaction, then ADD CONSTRAINT … {keyed} USING INDEX",
                    f"table {table}",
                )
            if _stored_generated(column):
                hint(
                    "rewrite",
                    statement,
                    f"adds the stored generated column {column.get('colname')} to {table}: "
                    "its value is computed and written for every row, the whole table "
                    "rewritten under ACCESS EXCLUSIVE",
                    "leave out STORED (PostgreSQL 18 computes a VIRTUAL column when it is "
                    "read), or add a plain column, fill it in batches and keep it by a trigger",
                    f"table {table}",
                )
        elif subtype == "AT_AlterColumnType":
            hint(
                "rewrite",
                statement,
                f"changes the type of {table}.{cmd.get('name')}: unless the old type "
                "converts without a change (varchar to text, a longer varchar), the table "
                "and its indexes are rewritten under ACCESS EXCLUSIVE",
                "add a new column, fill it in batches, and switch to it",
                f"column {table_key(table)}.{cmd.get('name')}",
            )
        elif subtype in ("AT_SetUnLogged", "AT_SetLogged"):
            how = "UNLOGGED" if subtype == "AT_SetUnLogged" else "LOGGED"
            hint(
                "rewrite",
                statement,
                f"SET {how} copies {table} into a new file, indexes and all, under "
                "ACCESS EXCLUSIVE",
                "do it while nothing uses the table, or make the new table and move the rows "
                "in batches",
                f"table {table}",
            )
        elif subtype == "AT_SetNotNull":
            hint(
                "validating-constraint",
                statement,
                f"SET NOT NULL on {table}.{cmd.get('name')} reads every row under "
                "ACCESS EXCLUSIVE to check it",
                f"first ADD CONSTRAINT … CHECK ({cmd.get('name')} IS NOT NULL) NOT VALID, "
                "VALIDATE it in a later migration, then SET NOT NULL (it uses the check)",
                f"column {table_key(table)}.{cmd.get('name')}",
            )
        elif subtype == "AT_AddConstraint":
            constraint = definition.get("Constraint", {})
            kind = constraint.get("contype")
            if kind in ("CONSTR_CHECK", "CONSTR_FOREIGN") and not constraint.get("skip_validation"):
                word = "CHECK" if kind == "CONSTR_CHECK" else "FOREIGN KEY"
                mode = ACCESS_EXCLUSIVE if kind == "CONSTR_CHECK" else "SHARE ROW EXCLUSIVE"
                hint(
                    "validating-constraint",
                    statement,
                    f"adds a {word} to {table} and checks every row while holding {mode}",
                    "add it NOT VALID, then VALIDATE CONSTRAINT in a later migration "
                    "(a weaker lock, writes go on)",
                    f"table {table}",
                )
            elif kind in ("CONSTR_PRIMARY", "CONSTR_UNIQUE", "CONSTR_EXCLUSION") and not (
                constraint.get("indexname")
            ):
                word = {"CONSTR_PRIMARY": "PRIMARY KEY", "CONSTR_UNIQUE": "UNIQUE"}.get(
                    kind, "EXCLUDE"
                )
                using = (
                    "then ADD CONSTRAINT … PRIMARY KEY USING INDEX (quick)"
                    if kind == "CONSTR_PRIMARY"
                    else "then ADD CONSTRAINT … UNIQUE USING INDEX (quick)"
                    if kind == "CONSTR_UNIQUE"
                    else "(an exclusion constraint has no USING INDEX form: do it while the "
                    "table is quiet)"
                )
                hint(
                    "index-not-concurrent",
                    statement,
                    f"adds a {word} constraint to {table}: its index is built under "
                    "ACCESS EXCLUSIVE, reads and writes wait until it is done",
                    f"CREATE UNIQUE INDEX CONCURRENTLY first, in a migration run outside a "
                    f"transaction, {using}"
                    if kind != "CONSTR_EXCLUSION"
                    else f"build it {using}",
                    f"table {table}",
                )


def _volatile_default(column: dict) -> str | None:
    type_names = [n["String"]["sval"] for n in column.get("typeName", {}).get("names", ())]
    if type_names and type_names[-1] in _SERIAL:
        return f"{type_names[-1]} (nextval)"
    for c in column.get("constraints", ()):
        c = c.get("Constraint", {})
        if c.get("contype") == "CONSTR_DEFAULT":
            return _volatile_call(c.get("raw_expr"))
        if c.get("contype") == "CONSTR_IDENTITY":
            return "an identity"
    return None


def _keyed(column: dict) -> str:
    """``PRIMARY KEY`` or ``UNIQUE`` when a column is added with one (an index is built)."""
    for c in column.get("constraints", ()):
        kind = c.get("Constraint", {}).get("contype")
        if kind == "CONSTR_PRIMARY":
            return "PRIMARY KEY"
        if kind == "CONSTR_UNIQUE":
            return "UNIQUE"
    return ""


def _stored_generated(column: dict) -> bool:
    """``GENERATED ALWAYS AS (…) STORED``: computed and written for every row
    (PostgreSQL 18's default, VIRTUAL, is computed when read)."""
    return any(
        c.get("Constraint", {}).get("contype") == "CONSTR_GENERATED"
        and c["Constraint"].get("generated_kind") == "s"
        for c in column.get("constraints", ())
    )


def _volatile_call(expr) -> str | None:
    """The first volatile function called anywhere in ``expr``."""
    if isinstance(expr, dict):
        call = expr.get("FuncCall")
        if call is not None:
            name = call.get("funcname", [{}])[-1].get("String", {}).get("sval")
            if name in _VOLATILE:
                return f"{name}()"
        for value in expr.values():
            found = _volatile_call(value)
            if found:
                return found
    elif isinstance(expr, list):
        for item in expr:
            found = _volatile_call(item)
            if found:
                return found
    return None
