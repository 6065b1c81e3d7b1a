"""Roles: the ones a statement names (grantees, owners, policy roles, SET ROLE)
and the ones it makes or drops.

Roles belong to the server, not to one database, and are usually made outside
the migrations (by whoever provisions the server). So a role no migration
makes is never a missing object by itself; only a live catalog can tell that
the target server lacks it (``graph``).
"""

from __future__ import annotations

from migtui.core.facts import DROP, PROVIDE, REQUIRE
from migtui.core.model import ROLE, ObjectRef
from migtui.core.objects.script import Ctx, Script

#: Where each statement names roles: its fields holding RoleSpec nodes.
_ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "GrantStmt": ("grantees", "grantor"),
    "GrantRoleStmt": ("grantee_roles", "grantor"),
    "AlterOwnerStmt": ("newowner",),
    "CreateSchemaStmt": ("authrole",),
    "CreatePolicyStmt": ("roles",),
    "AlterPolicyStmt": ("roles",),
    "AlterRoleStmt": ("role",),
    "AlterRoleSetStmt": ("role",),
    "ReassignOwnedStmt": ("roles", "newrole"),
    "DropOwnedStmt": ("roles",),
    "CreateRoleStmt": ("options",),
    "AlterDefaultPrivilegesStmt": ("options", "action"),
    "AlterTableStmt": ("cmds",),
}
#: Statements read for the roles they name (CREATE ROLE reads its own).
NAMING = frozenset(_ROLE_FIELDS) - {"CreateRoleStmt"} | {"VariableSetStmt"}


def named(script: Script, kind: str, fields: dict, ctx: Ctx) -> None:
    """The roles ``kind``'s statement names must exist when it runs."""
    where = _ROLE_FIELDS.get(kind)
    if where is None:
        if kind == "VariableSetStmt" and fields.get("name") == "role":
            for arg in fields.get("args", ()):
                name = arg.get("A_Const", {}).get("sval", {}).get("sval")
                if name and name.lower() != "none":
                    _need(script, name, arg.get("A_Const", {}).get("location"), ctx)
        return
    if kind == "AlterTableStmt":  # only OWNER TO names a role
        fields = {
            "cmds": [
                c["AlterTableCmd"].get("newowner")
                for c in fields.get("cmds", ())
                if c.get("AlterTableCmd", {}).get("subtype") == "AT_ChangeOwner"
            ]
        }
    elif kind == "AlterDefaultPrivilegesStmt":
        action = fields.get("action", {}).get("GrantStmt", {})
        fields = {"options": fields.get("options"), "action": action.get("grantees")}
    elif kind == "GrantRoleStmt":
        for granted in fields.get("granted_roles", ()):
            name = granted.get("AccessPriv", {}).get("priv_name")
            if name:
                _need(script, name, None, ctx)
    for spec in _role_specs([fields.get(f) for f in where]):
        _need(script, spec["rolename"], spec.get("location"), ctx)


def create_role(script: Script, fields: dict, ctx: Ctx) -> None:
    named(script, "CreateRoleStmt", fields, ctx)
    name = fields.get("role")
    if name:
        script.emit(PROVIDE, ObjectRef(ROLE, None, name), ctx.src.find(name), ctx)


def drop_role(script: Script, fields: dict, ctx: Ctx) -> None:
    for spec in _role_specs(fields.get("roles", ())):
        ref = ObjectRef(ROLE, None, spec["rolename"])
        script.emit(DROP, ref, spec.get("location"), ctx, if_exists=bool(fields.get("missing_ok")))


def _need(script: Script, name: str, location: int | None, ctx: Ctx) -> None:
    script.emit(REQUIRE, ObjectRef(ROLE, None, name), location, ctx)


def _role_specs(tree) -> list[dict]:
    """The RoleSpec nodes naming a role (not PUBLIC, CURRENT_USER …) in ``tree``."""
    found = []
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            spec = item.get("RoleSpec", item if "roletype" in item else None)
            if spec is not None:
                if spec.get("roletype") == "ROLESPEC_CSTRING" and spec.get("rolename"):
                    found.append(spec)
                continue
            stack.extend(reversed(list(item.values())))
    return found
