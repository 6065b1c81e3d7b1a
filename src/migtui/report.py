"""Analysis results as JSON, Graphviz dot, Mermaid and plain text (and the
one way a long DSN is shortened to fit a line).

Pure functions over ``Analysis``: the CLI prints them, the console reuses them,
the tests read them.
"""

from __future__ import annotations

import json

from migtui.core.project import Analysis, MigrationInfo


def migration_json(info: MigrationInfo, root=None) -> dict:
    return {
        "version": info.version,
        "name": info.name,
        "path": _rel(info.migration.path, root),
        "provides": [str(r) for r in info.provides],
        "requires": [
            {
                "object": str(r.ref),
                "line": r.line,
                "met_by": r.met_by,
                "source": r.source,
                "guarded": r.guarded,
            }
            for r in info.requires
        ],
        "depends_on": list(info.depends_on),
        "transactional": info.transactional,
        "blocked": info.blocked,
        "repeatable": info.migration.repeatable,
    }


def check_json(analysis: Analysis) -> dict:
    return {
        "root": str(analysis.root),
        "layout": analysis.layout,
        "live": analysis.live,
        "migrations": [
            migration_json(i, analysis.root) for i in analysis.migrations + analysis.repeatables
        ],
        "problems": [p.to_json() for p in analysis.problems],
        "hints": [h.to_json() for h in analysis.hints],
        "summary": {
            "migrations": len(analysis.migrations),
            "errors": len(analysis.errors),
            "warnings": len(analysis.warnings),
            "hints": len(analysis.hints),
        },
    }


def unmet(analysis: Analysis) -> list[tuple[str, str]]:
    """(version, object) for every unmet, unguarded requirement, once each."""
    out: dict[tuple[str, str], None] = {}
    for info in analysis.migrations:
        for req in info.requires:
            if not req.met and not req.guarded:
                out[(info.version, str(req.ref))] = None
    return list(out)


def graph_json(analysis: Analysis) -> dict:
    return {
        "nodes": [
            {"version": i.version, "name": i.name, "blocked": i.blocked}
            for i in analysis.migrations
        ],
        "edges": [
            {"from": e.source, "to": e.target, "objects": list(e.objects), "declared": e.declared}
            for e in analysis.edges
        ],
        "unmet": [{"migration": v, "object": o} for v, o in unmet(analysis)],
    }


def _dot_id(text: str) -> str:
    return json.dumps(text)


def graph_dot(analysis: Analysis) -> str:
    lines = [
        "digraph migrations {",
        "  rankdir=LR;",
        '  node [shape=box, fontname="monospace"];',
    ]
    for info in analysis.migrations:
        style = ", color=red, fontcolor=red" if info.blocked else ""
        label = _dot_id(info.migration.label)
        lines.append(f"  {_dot_id(info.version)} [label={label}{style}];")
    for e in analysis.edges:
        label = "\\n".join(e.objects) if e.objects else "declared"
        style = ", style=dashed" if e.declared and not e.objects else ""
        lines.append(
            f"  {_dot_id(e.source)} -> {_dot_id(e.target)} [label={_dot_id(label)}{style}];"
        )
    for n, (version, obj) in enumerate(unmet(analysis)):
        node = f"missing_{n}"
        lines.append(
            f"  {node} [label={_dot_id('missing: ' + obj)}, shape=note, color=red, fontcolor=red];"
        )
        lines.append(f"  {node} -> {_dot_id(version)} [color=red, style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(version: str) -> str:
    return "m_" + "".join(c if c.isalnum() else "_" for c in version)


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def graph_mermaid(analysis: Analysis) -> str:
    lines = ["flowchart LR"]
    for info in analysis.migrations:
        lines.append(f'  {_mermaid_id(info.version)}["{_mermaid_text(info.migration.label)}"]')
    for e in analysis.edges:
        label = "<br/>".join(e.objects) if e.objects else "declared"
        lines.append(
            f'  {_mermaid_id(e.source)} -->|"{_mermaid_text(label)}"| {_mermaid_id(e.target)}'
        )
    for n, (version, obj) in enumerate(unmet(analysis)):
        lines.append(
            f'  missing_{n}(["missing: {_mermaid_text(obj)}"]) -.-> {_mermaid_id(version)}'
        )
        lines.append(f"  class missing_{n} missing")
    blocked = [_mermaid_id(i.version) for i in analysis.migrations if i.blocked]
    if blocked:
        lines.append(f"  class {','.join(blocked)} blocked")
    lines.append("  classDef missing stroke:#d33,color:#d33")
    lines.append("  classDef blocked stroke:#d33")
    return "\n".join(lines) + "\n"


def _rel(path, root) -> str:
    if root is None:
        return str(path)
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def cut_middle(text: str, room: int) -> str:
    """``text`` cut in the middle to fit ``room`` columns: a DSN's start (the
    host) and end (the database and options) are what tell targets apart."""
    if len(text) <= room:
        return text
    if room < 9:
        return text[: max(room, 0)]
    head = (room - 1) // 2
    return text[:head] + "…" + text[len(text) - (room - 1 - head) :]
