"""Liquibase's own change types (``createTable``, ``addColumn`` …) as the SQL
they amount to on PostgreSQL, for the analysis to read.

The SQL says what each change makes, needs, alters and drops: the names, the
columns, the keys. It is not what Liquibase sends byte for byte (its type
names, its defaults), so migtui checks such changesets but leaves running them
to Liquibase. ``translate`` also gives the rollback Liquibase derives by itself
for the changes it knows how to undo (``createTable`` → ``DROP TABLE``); a
change it cannot undo (``dropTable``, ``insert``) has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Node:
    """A change (or a part of one) from XML or YAML, read the same way."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str | None = None
    #: The line it starts on in its file, and (XML) the byte offset of its text.
    line: int | None = None
    offset: int = -1

    def get(self, *names: str) -> str:
        for name in names:
            value = self.attrs.get(name.lower())
            if value not in (None, ""):
                return value
        return ""

    def all(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag.lower()]

    @classmethod
    def from_yaml(cls, tag: str, value) -> Node:
        """A YAML (or JSON) mapping: scalars are attributes, ``changes`` and
        ``columns`` list the children, any other list or mapping is a child
        of that name (``rollback``, ``constraints``, ``preConditions``)."""
        node = cls(tag.lower())
        if not isinstance(value, (dict, list)):
            node.text = None if value is None else str(value)
            return node
        items = value.items() if isinstance(value, dict) else [("changes", value)]
        for key, item in items:
            if isinstance(item, list):
                holder = node if key.lower() in ("changes", "columns") else cls(key.lower())
                for entry in item:
                    if isinstance(entry, dict) and len(entry) == 1:
                        ((name, body),) = entry.items()
                        holder.children.append(cls.from_yaml(name, body))
                if holder is not node:
                    node.children.append(holder)
            elif isinstance(item, dict):
                node.children.append(cls.from_yaml(key, item))
            elif item is not None:
                node.attrs[key.lower()] = _scalar(item)
        if node.text is None and tag.lower() != "column":
            for text_key in ("sql", "proceduretext", "selectquery"):
                if text_key in node.attrs:
                    node.text = node.attrs[text_key]
                    break
        return node


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- names, types, values -------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$|^\$\{[\w.+\-]+\}$")


def ident(name: str) -> str:
    name = name.strip()
    if _PLAIN.match(name) or (name.startswith('"') and name.endswith('"')) or "${" in name:
        return name  # a placeholder is replaced, with whatever it holds, later
    if "." in name and all(_PLAIN.match(part) for part in name.split(".")):
        return name  # schema.table, written so: Liquibase sends it as written
    return '"' + name.replace('"', '""') + '"'


def table(node: Node, key: str = "tableName", schema_key: str = "schemaName") -> str:
    name = node.get(key)
    schema = node.get(schema_key)
    return f"{ident(schema)}.{ident(name)}" if schema else ident(name)


def columns(names: str) -> str:
    return ", ".join(ident(n) for n in names.split(",") if n.strip())


#: Liquibase's type names that PostgreSQL spells otherwise.
_TYPES = {
    "datetime": "timestamp",
    "clob": "text",
    "nclob": "text",
    "longtext": "text",
    "mediumtext": "text",
    "tinytext": "text",
    "blob": "bytea",
    "longblob": "bytea",
    "mediumblob": "bytea",
    "binary": "bytea",
    "varbinary": "bytea",
    "tinyint": "smallint",
    "currency": "numeric",
    "double": "double precision",
    "number": "numeric",
    "nvarchar": "varchar",
    "nchar": "char",
    "bit": "boolean",
    "uniqueidentifier": "uuid",
}


def pg_type(written: str) -> str:
    written = written.strip().removeprefix("java.sql.Types.")
    match = re.match(r"^([A-Za-z_][\w ]*?)\s*(\(.*\))?\s*(\[\])?$", written)
    if match is None:
        return written or "text"
    base, size, array = match.group(1), match.group(2) or "", match.group(3) or ""
    mapped = _TYPES.get(base.lower())
    if mapped is None:
        return written
    if mapped in ("text", "bytea", "boolean", "uuid", "double precision", "smallint"):
        size = ""
    return f"{mapped}{size}{array}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def value_of(node: Node, prefix: str = "value") -> str | None:
    """A column's value (or default) as SQL, from Liquibase's typed attributes."""
    if (text := node.attrs.get(prefix.lower())) is not None:
        return _quote(text)
    for suffix, wrap in (
        ("numeric", lambda v: v),
        ("boolean", lambda v: v),
        ("date", _quote),
        ("computed", lambda v: v),
        ("sequencenext", lambda v: f"nextval({_quote(v)})"),
    ):
        text = node.attrs.get(f"{prefix.lower()}{suffix}")
        if text not in (None, ""):
            return wrap(text)
    return None


def _column(node: Node, constraints_out: list[str], table_name: str) -> str:
    name = ident(node.get("name"))
    parts = [name, pg_type(node.get("type") or "text")]
    if node.get("autoIncrement").lower() == "true":
        parts.append("GENERATED BY DEFAULT AS IDENTITY")
    default = value_of(node, "defaultValue")
    if default is not None:
        parts.append(f"DEFAULT {default}")
    for c in node.all("constraints"):
        if c.get("nullable").lower() == "false":
            parts.append("NOT NULL")
        if c.get("unique").lower() == "true":
            named = c.get("uniqueConstraintName")
            parts.append(f"CONSTRAINT {ident(named)} UNIQUE" if named else "UNIQUE")
        if c.get("primaryKey").lower() == "true":
            constraints_out.append(f"pk:{name}:{c.get('primaryKeyName')}")
        target = _references(c)
        if target:
            named = c.get("foreignKeyName")
            head = f"CONSTRAINT {ident(named)} " if named else ""
            tail = " ON DELETE CASCADE" if c.get("deleteCascade").lower() == "true" else ""
            constraints_out.append(f"{head}FOREIGN KEY ({name}) REFERENCES {target}{tail}")
    return " ".join(parts)


def _references(c: Node) -> str:
    written = c.get("references")
    if written:
        return written
    referenced = c.get("referencedTableName")
    if not referenced:
        return ""
    schema = c.get("referencedTableSchemaName")
    name = f"{ident(schema)}.{ident(referenced)}" if schema else ident(referenced)
    cols = c.get("referencedColumnNames")
    return f"{name} ({columns(cols)})" if cols else name


def _primary_key(extra: list[str]) -> tuple[list[str], str]:
    keys = [e for e in extra if e.startswith("pk:")]
    names = [k.split(":")[1] for k in keys]
    named = next((k.split(":", 2)[2] for k in keys if k.split(":", 2)[2]), "")
    rest = [e for e in extra if not e.startswith("pk:")]
    if not names:
        return rest, ""
    head = f"CONSTRAINT {ident(named)} " if named else ""
    return rest, f"{head}PRIMARY KEY ({', '.join(names)})"


# -- the changes ----------------------------------------------------------------------

Translation = tuple[list[str], list[str] | None]


def translate(node: Node) -> Translation | None:
    """(statements, rollback statements or None) for a change, or None when
    migtui does not know the change."""
    handler = _HANDLERS.get(node.tag)
    return handler(node) if handler is not None else None


def _create_table(n: Node) -> Translation:
    name = table(n)
    extra: list[str] = []
    cols = [_column(c, extra, name) for c in n.all("column")]
    extra, pk = _primary_key(extra)
    body = ", ".join(cols + ([pk] if pk else []) + extra)
    return [f"CREATE TABLE {name} ({body})"], [f"DROP TABLE {name}"]


def _add_column(n: Node) -> Translation:
    name = table(n)
    up, down = [], []
    for c in n.all("column"):
        extra: list[str] = []
        definition = _column(c, extra, name)
        extra, pk = _primary_key(extra)
        if pk:
            definition += " PRIMARY KEY"
        for fk in extra:
            target = fk.split(" REFERENCES ", 1)[1]
            definition += f" REFERENCES {target}"
        up.append(f"ALTER TABLE {name} ADD COLUMN {definition}")
        down.insert(0, f"ALTER TABLE {name} DROP COLUMN {ident(c.get('name'))}")
    return up, down


def _drop_column(n: Node) -> Translation:
    name = table(n)
    names = (
        [n.get("columnName")] if n.get("columnName") else [c.get("name") for c in n.all("column")]
    )
    return [f"ALTER TABLE {name} DROP COLUMN {ident(c)}" for c in names if c], None


def _drop_table(n: Node) -> Translation:
    cascade = " CASCADE" if n.get("cascadeConstraints").lower() == "true" else ""
    return [f"DROP TABLE {table(n)}{cascade}"], None


def _rename_table(n: Node) -> Translation:
    old, new = table(n, "oldTableName"), ident(n.get("newTableName"))
    schema = n.get("schemaName")
    back_from = f"{ident(schema)}.{new}" if schema else new
    return [f"ALTER TABLE {old} RENAME TO {new}"], [
        f"ALTER TABLE {back_from} RENAME TO {ident(n.get('oldTableName'))}"
    ]


def _rename_column(n: Node) -> Translation:
    name, old, new = table(n), ident(n.get("oldColumnName")), ident(n.get("newColumnName"))
    return [f"ALTER TABLE {name} RENAME COLUMN {old} TO {new}"], [
        f"ALTER TABLE {name} RENAME COLUMN {new} TO {old}"
    ]


def _index_columns(n: Node) -> str:
    out = []
    for c in n.all("column"):
        if c.get("computed").lower() == "true":
            out.append(c.get("name"))
        else:
            out.append(ident(c.get("name")) + (" DESC" if c.get("descending") == "true" else ""))
    return ", ".join(out)


def _create_index(n: Node) -> Translation:
    unique = "UNIQUE " if n.get("unique").lower() == "true" else ""
    index = ident(n.get("indexName"))
    schema = n.get("schemaName")
    dropped = f"{ident(schema)}.{index}" if schema else index
    return [f"CREATE {unique}INDEX {index} ON {table(n)} ({_index_columns(n)})"], [
        f"DROP INDEX {dropped}"
    ]


def _drop_index(n: Node) -> Translation:
    schema = n.get("schemaName")
    index = ident(n.get("indexName"))
    return [f"DROP INDEX {ident(schema) + '.' if schema else ''}{index}"], None


def _add_foreign_key(n: Node) -> Translation:
    base = table(n, "baseTableName", "baseTableSchemaName")
    ref = table(n, "referencedTableName", "referencedTableSchemaName")
    name = ident(n.get("constraintName"))
    sql = (
        f"ALTER TABLE {base} ADD CONSTRAINT {name} FOREIGN KEY ({columns(n.get('baseColumnNames'))})"
        f" REFERENCES {ref} ({columns(n.get('referencedColumnNames'))})"
    )
    for key, clause in (("onDelete", "ON DELETE"), ("onUpdate", "ON UPDATE")):
        action = n.get(key).upper()
        if action in ("CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"):
            sql += f" {clause} {action}"
    return [sql], [f"ALTER TABLE {base} DROP CONSTRAINT {name}"]


def _drop_constraint(base_key: str, schema_key: str, default: str = ""):
    def handler(n: Node) -> Translation:
        base = table(n, base_key, schema_key)
        name = n.get("constraintName") or (default.format(table=n.get(base_key)) if default else "")
        return [f"ALTER TABLE {base} DROP CONSTRAINT {ident(name)}"], None

    return handler


def _add_primary_key(n: Node) -> Translation:
    name = table(n)
    constraint = n.get("constraintName") or f"{n.get('tableName')}_pkey"
    return [
        f"ALTER TABLE {name} ADD CONSTRAINT {ident(constraint)} PRIMARY KEY"
        f" ({columns(n.get('columnNames'))})"
    ], [f"ALTER TABLE {name} DROP CONSTRAINT {ident(constraint)}"]


def _add_unique(n: Node) -> Translation:
    name = table(n)
    constraint = n.get("constraintName")
    if not constraint:
        return [f"ALTER TABLE {name} ADD UNIQUE ({columns(n.get('columnNames'))})"], None
    return [
        f"ALTER TABLE {name} ADD CONSTRAINT {ident(constraint)} UNIQUE"
        f" ({columns(n.get('columnNames'))})"
    ], [f"ALTER TABLE {name} DROP CONSTRAINT {ident(constraint)}"]


def _not_null(adding: bool):
    def handler(n: Node) -> Translation:
        name, col = table(n), ident(n.get("columnName"))
        up = []
        filler = value_of(n, "defaultNullValue")
        if adding and filler is not None:
            up.append(f"UPDATE {name} SET {col} = {filler} WHERE {col} IS NULL")
        verb, undo = ("SET", "DROP") if adding else ("DROP", "SET")
        up.append(f"ALTER TABLE {name} ALTER COLUMN {col} {verb} NOT NULL")
        return up, [f"ALTER TABLE {name} ALTER COLUMN {col} {undo} NOT NULL"]

    return handler


def _add_default(n: Node) -> Translation:
    name, col = table(n), ident(n.get("columnName"))
    default = value_of(n, "defaultValue") or "NULL"
    return [f"ALTER TABLE {name} ALTER COLUMN {col} SET DEFAULT {default}"], [
        f"ALTER TABLE {name} ALTER COLUMN {col} DROP DEFAULT"
    ]


def _drop_default(n: Node) -> Translation:
    return [f"ALTER TABLE {table(n)} ALTER COLUMN {ident(n.get('columnName'))} DROP DEFAULT"], None


def _sequence_options(n: Node) -> str:
    out = ""
    for key, clause in (
        ("startValue", "START WITH"),
        ("incrementBy", "INCREMENT BY"),
        ("minValue", "MINVALUE"),
        ("maxValue", "MAXVALUE"),
        ("cacheSize", "CACHE"),
    ):
        if re.fullmatch(r"-?\d+", n.get(key)):
            out += f" {clause} {n.get(key)}"
    return out


def _create_sequence(n: Node) -> Translation:
    name = table(n, "sequenceName")
    exists = "IF NOT EXISTS " if n.get("ifNotExists").lower() == "true" else ""
    return [f"CREATE SEQUENCE {exists}{name}{_sequence_options(n)}"], [f"DROP SEQUENCE {name}"]


def _alter_sequence(n: Node) -> Translation:
    options = _sequence_options(n) or " NO CYCLE"
    return [f"ALTER SEQUENCE {table(n, 'sequenceName')}{options}"], None


def _rename(kind: str):
    def handler(n: Node) -> Translation:
        key = "Table" if kind == "TABLE" else kind.title()
        old = table(n, f"old{key}Name")
        new = ident(n.get(f"new{key}Name"))
        schema = n.get("schemaName")
        return [f"ALTER {kind} {old} RENAME TO {new}"], [
            f"ALTER {kind} {ident(schema) + '.' if schema else ''}{new} RENAME TO"
            f" {ident(n.get(f'old{key}Name'))}"
        ]

    return handler


def _drop(kind: str, key: str):
    def handler(n: Node) -> Translation:
        return [f"DROP {kind} {table(n, key)}"], None

    return handler


def _create_view(n: Node) -> Translation:
    query = (n.text or n.get("selectQuery")).strip().rstrip(";")
    name = table(n, "viewName")
    if n.get("fullDefinition").lower() == "true":
        return [query], [f"DROP VIEW {name}"]
    replace = "OR REPLACE " if n.get("replaceIfExists").lower() == "true" else ""
    return [f"CREATE {replace}VIEW {name} AS {query}"], [f"DROP VIEW {name}"]


def _where(n: Node) -> str:
    clause = n.get("where") or next((w.text or "" for w in n.all("where")), "")
    return f" WHERE {clause.strip()}" if clause.strip() else ""


def _insert(n: Node) -> Translation:
    cols = [(c.get("name"), value_of(c) or "NULL") for c in n.all("column")]
    if not cols:
        return [f"INSERT INTO {table(n)} DEFAULT VALUES"], None
    names = ", ".join(ident(c) for c, _ in cols)
    values = ", ".join(v for _, v in cols)
    return [f"INSERT INTO {table(n)} ({names}) VALUES ({values})"], None


def _update(n: Node) -> Translation:
    sets = ", ".join(f"{ident(c.get('name'))} = {value_of(c) or 'NULL'}" for c in n.all("column"))
    if not sets:
        return [], None
    return [f"UPDATE {table(n)} SET {sets}{_where(n)}"], None


def _delete(n: Node) -> Translation:
    return [f"DELETE FROM {table(n)}{_where(n)}"], None


def _load_data(n: Node) -> Translation:
    # the rows come from a CSV file: what the analysis needs is the table
    return [f"INSERT INTO {table(n)} DEFAULT VALUES"], None


def _modify_type(n: Node) -> Translation:
    return [
        f"ALTER TABLE {table(n)} ALTER COLUMN {ident(n.get('columnName'))}"
        f" TYPE {pg_type(n.get('newDataType'))}"
    ], None


def _add_auto_increment(n: Node) -> Translation:
    return [
        f"ALTER TABLE {table(n)} ALTER COLUMN {ident(n.get('columnName'))}"
        " ADD GENERATED BY DEFAULT AS IDENTITY"
    ], None


def _remarks(n: Node) -> Translation:
    remarks = _quote(n.get("remarks"))
    if n.tag == "setcolumnremarks":
        return [f"COMMENT ON COLUMN {table(n)}.{ident(n.get('columnName'))} IS {remarks}"], None
    return [f"COMMENT ON TABLE {table(n)} IS {remarks}"], None


def _nothing(n: Node) -> Translation:
    return [], []


_HANDLERS = {
    "createtable": _create_table,
    "addcolumn": _add_column,
    "dropcolumn": _drop_column,
    "droptable": _drop_table,
    "renametable": _rename_table,
    "renamecolumn": _rename_column,
    "createindex": _create_index,
    "dropindex": _drop_index,
    "addforeignkeyconstraint": _add_foreign_key,
    "dropforeignkeyconstraint": _drop_constraint("baseTableName", "baseTableSchemaName"),
    "addprimarykey": _add_primary_key,
    "dropprimarykey": _drop_constraint("tableName", "schemaName", "{table}_pkey"),
    "adduniqueconstraint": _add_unique,
    "dropuniqueconstraint": _drop_constraint("tableName", "schemaName"),
    "addnotnullconstraint": _not_null(True),
    "dropnotnullconstraint": _not_null(False),
    "adddefaultvalue": _add_default,
    "dropdefaultvalue": _drop_default,
    "createsequence": _create_sequence,
    "altersequence": _alter_sequence,
    "dropsequence": _drop("SEQUENCE", "sequenceName"),
    "renamesequence": _rename("SEQUENCE"),
    "createview": _create_view,
    "dropview": _drop("VIEW", "viewName"),
    "renameview": _rename("VIEW"),
    "insert": _insert,
    "update": _update,
    "delete": _delete,
    "loaddata": _load_data,
    "loadupdatedata": _load_data,
    "modifydatatype": _modify_type,
    "addautoincrement": _add_auto_increment,
    "settableremarks": _remarks,
    "setcolumnremarks": _remarks,
    "tagdatabase": _nothing,
    "empty": _nothing,
    "output": _nothing,
}
