"""The kind of relation a statement works on: a policy, row-level security or
a new column need a table, an index a table or a materialized view, REFRESH a
materialized view, ALTER VIEW a view… PostgreSQL refuses the statement on a
relation of another kind (42809). Read from the statement's tree; the walk
knows each relation's kind and judges it."""

from __future__ import annotations

from migtui.core.model import FOREIGN_TABLE, INDEX, MATVIEW, SEQUENCE, TABLE, VIEW

#: ALTER TABLE actions PostgreSQL performs on a table (or a foreign table) only
_TABLE_ACTIONS = frozenset(
    {
        "AT_AddColumn",
        "AT_DropColumn",
        "AT_AlterColumnType",
        "AT_SetNotNull",
        "AT_DropNotNull",
        "AT_AddConstraint",
        "AT_ValidateConstraint",
        "AT_AddIdentity",
    }
)
#: … and on a table alone
_ROW_SECURITY = frozenset(
    {
        "AT_EnableRowSecurity",
        "AT_DisableRowSecurity",
        "AT_ForceRowSecurity",
        "AT_NoForceRowSecurity",
    }
)
#: ALTER VIEW and ALTER MATERIALIZED VIEW (and their RENAME, SET SCHEMA) name
#: the kind they act on
_NAMED_KINDS = {"OBJECT_VIEW": VIEW, "OBJECT_MATVIEW": MATVIEW}

#: … and ALTER SEQUENCE's RENAME TO and SET SCHEMA, of a sequence only (its
#: other forms are AlterSeqStmt, judged on their own)
_RENAMED_KINDS = {"OBJECT_SEQUENCE": SEQUENCE}

_INSTEAD = 64  # a trigger's timing: INSTEAD OF

#: COMMENT ON a relation names its kind, and PostgreSQL holds it to it
#: (COMMENT ON TABLE of a view fails; ALTER TABLE of one does not)
_COMMENTED_KINDS = {
    "OBJECT_TABLE": TABLE,
    "OBJECT_VIEW": VIEW,
    "OBJECT_MATVIEW": MATVIEW,
    "OBJECT_FOREIGN_TABLE": FOREIGN_TABLE,
    "OBJECT_SEQUENCE": SEQUENCE,
    "OBJECT_INDEX": INDEX,
}


def kind_needed(node: str, fields: dict) -> tuple[dict, frozenset[str], str] | None:
    """(the relation's RangeVar, the kinds of relation the statement works
    on, what it does in words) for a statement that names one relation whose
    kind matters, else None."""
    if node == "CreatePolicyStmt":
        return fields.get("table") or {}, frozenset({TABLE}), "makes a policy on"
    if node == "IndexStmt":
        return fields.get("relation") or {}, frozenset({TABLE, MATVIEW}), "makes an index on"
    if node == "RefreshMatViewStmt":
        return fields.get("relation") or {}, frozenset({MATVIEW}), "refreshes"
    if node == "CreateTrigStmt":
        return _trigger(fields)
    if node == "AlterTableStmt":
        return _alter(fields)
    if node == "AlterSeqStmt":
        return fields.get("sequence") or {}, frozenset({SEQUENCE}), "alters (as a sequence)"
    if node == "CommentStmt":
        return _commented(fields)
    if node in ("RenameStmt", "AlterObjectSchemaStmt"):
        # (a column's rename is lenient: ALTER VIEW … RENAME COLUMN runs on a
        # materialized view)
        objtype = fields.get("renameType") or fields.get("objectType")
        kind = _NAMED_KINDS.get(objtype or "") or _RENAMED_KINDS.get(objtype or "")
        if kind is not None:
            return fields.get("relation") or {}, frozenset({kind}), f"alters (as a {kind})"
    return None


def _trigger(fields: dict) -> tuple[dict, frozenset[str], str]:
    relation = fields.get("relation") or {}
    if (fields.get("timing") or 0) & _INSTEAD:
        return relation, frozenset({VIEW}), "makes an INSTEAD OF trigger on"
    if fields.get("row"):
        return relation, frozenset({TABLE, FOREIGN_TABLE}), "makes a row trigger on"
    return relation, frozenset({TABLE, VIEW, FOREIGN_TABLE}), "makes a trigger on"


def _alter(fields: dict) -> tuple[dict, frozenset[str], str] | None:
    relation = fields.get("relation") or {}
    kind = _NAMED_KINDS.get(fields.get("objtype") or "")
    if kind is not None:
        return relation, frozenset({kind}), f"alters (as a {kind})"
    if fields.get("objtype") not in (None, "OBJECT_TABLE"):
        return None
    actions = {(c.get("AlterTableCmd") or {}).get("subtype") for c in fields.get("cmds", ())}
    if actions & _ROW_SECURITY:
        return relation, frozenset({TABLE}), "sets row-level security on"
    done = actions & _TABLE_ACTIONS
    if done:
        words = {
            "AT_AddColumn": "adds a column to",
            "AT_DropColumn": "drops a column of",
            "AT_AlterColumnType": "changes a column's type in",
            "AT_AddConstraint": "adds a constraint to",
        }
        first = next((words[a] for a in words if a in done), "alters a column of")
        return relation, frozenset({TABLE, FOREIGN_TABLE}), first
    return None


def _commented(fields: dict) -> tuple[dict, frozenset[str], str] | None:
    kind = _COMMENTED_KINDS.get(fields.get("objtype") or "")
    items = ((fields.get("object") or {}).get("List") or {}).get("items") or ()
    names = [(item.get("String") or {}).get("sval") for item in items]
    if kind is None or not names or not all(names):
        return None
    relation = {"relname": names[-1]}
    if len(names) > 1:
        relation["schemaname"] = names[-2]
    return relation, frozenset({kind}), f"comments on (as a {kind})"
