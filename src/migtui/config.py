"""Where migtui finds its settings: the migrations folder, the target, assumptions.

Settings come from the command line first, then the environment, then a
``[tool.migtui]`` table in ``./pyproject.toml`` or a ``./migtui.toml`` file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DIRS = (
    "sql/migrations",
    "migrations",
    "db/migrations",
    # where the tools migtui reads keep theirs in a project
    "supabase/migrations",
    "prisma/migrations",
    "drizzle",
    "db/migration",
    "src/main/resources/db/migration",
)


class ConfigError(ValueError):
    """A setting is wrong; the message says which file and what to do."""


@dataclass(frozen=True)
class Config:
    #: The file the settings came from, or None when there is none.
    source: Path | None = None
    dir: Path | None = None
    layout: str | None = None
    dsn: str | None = None
    #: Objects that exist outside the migrations, in the one spelling.
    assume: tuple[str, ...] = ()
    lock_timeout: str = "5s"
    statement_timeout: str | None = None
    #: Lines kept in the console's live output before the oldest drop.
    output_lines: int = 5000
    #: The layout tool's ledger table when it is not the tool's default name.
    ledger_table: str | None = None
    #: Lock hint rules not to report (``check``'s "Lock hints"), by id.
    lint_off: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False)


_KNOWN_KEYS = {
    "dir",
    "layout",
    "dsn",
    "assume",
    "lock_timeout",
    "statement_timeout",
    "output_lines",
    "ledger_table",
    "lint_off",
}


def load_config(cwd: Path | None = None) -> Config:
    """Read ``[tool.migtui]`` from ``pyproject.toml``, else ``migtui.toml``, in ``cwd``."""
    cwd = Path.cwd() if cwd is None else cwd
    candidates = [(cwd / "pyproject.toml", True), (cwd / "migtui.toml", False)]
    for path, nested in candidates:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        if nested:
            tool = data.get("tool", {})
            table = tool.get("migtui") if isinstance(tool, dict) else None
            where = "[tool.migtui]"
        else:
            table = data.get("migtui", data)
            where = "[migtui]" if "migtui" in data else "the file"
        if table is None or table == {}:
            continue
        if not isinstance(table, dict):
            raise ConfigError(f'{path}: {where} must be a table of settings, e.g. dir = "sql"')
        return _from_table(table, path)
    return Config()


def _from_table(table: dict, path: Path) -> Config:
    unknown = sorted(set(table) - _KNOWN_KEYS)
    assume = table.get("assume", [])
    if isinstance(assume, str):
        assume = [assume]
    if not isinstance(assume, list) or not all(isinstance(a, str) for a in assume):
        raise ConfigError(
            f'{path}: assume must be a list of objects, e.g. assume = ["table public.legacy_users"]'
        )
    for key in ("dir", "layout", "dsn", "ledger_table"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f'{path}: {key} must be text, e.g. {key} = "{_EXAMPLE[key]}"')
    durations = {}
    for key, default in (("lock_timeout", "5s"), ("statement_timeout", None)):
        value = table.get(key, default)
        if value is None or value == "":
            durations[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ConfigError(f'{path}: {key} must be a duration, e.g. {key} = "5s"')
        try:
            durations[key] = check_duration(str(value), key)
        except ValueError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    directory = table.get("dir")
    lines = table.get("output_lines", 5000)
    if not isinstance(lines, int) or lines < 100:
        raise ConfigError(f"{path}: output_lines must be a whole number of at least 100")
    ledger_table = table.get("ledger_table")
    if ledger_table is not None and (not isinstance(ledger_table, str) or not ledger_table):
        raise ConfigError(
            f'{path}: ledger_table must be a table name, e.g. ledger_table = "ops.schema_versions"'
        )
    lint_off = table.get("lint_off", [])
    if isinstance(lint_off, str):
        lint_off = [lint_off]
    from migtui.core.locks import RULES

    if not isinstance(lint_off, list) or any(r not in RULES for r in lint_off):
        raise ConfigError(f"{path}: lint_off must list lock hint rules, among: {', '.join(RULES)}")
    return Config(
        source=path,
        dir=(path.parent / directory) if directory else None,
        layout=_layout_named(table.get("layout")),
        dsn=table.get("dsn"),
        assume=tuple(assume),
        lock_timeout=durations["lock_timeout"] or "5s",
        statement_timeout=durations["statement_timeout"],
        output_lines=lines,
        ledger_table=ledger_table,
        lint_off=tuple(lint_off),
        extra={k: table[k] for k in unknown},
    )


def _layout_named(name: str | None) -> str | None:
    from migtui.core.folder import LAYOUT_ALIASES

    return LAYOUT_ALIASES.get(name, name) if name else name


_EXAMPLE = {
    "dir": "db/migrations",
    "layout": "native",
    "dsn": "postgresql://app@db.internal/app",
    "ledger_table": "ops.schema_versions",
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$")


def check_duration(value: str, what: str) -> str:
    """``value`` as a PostgreSQL duration setting (``5s``, ``500ms``, ``10min``,
    a bare number of milliseconds); ValueError naming ``what`` otherwise."""
    if _DURATION.match(value) is None:
        raise ValueError(
            f"{what} {value!r} is not a duration: write a number with ms, s, min or h "
            "(e.g. 5s, 500ms, 10min), or 0 for none"
        )
    return value.strip()


def resolve_dir(cli_dir: str | Path | None, config: Config, cwd: Path | None = None) -> Path:
    """The migrations folder: ``--dir``, then ``MIGTUI_DIR``, then the config,
    then the first of ``DEFAULT_DIRS`` there is (``sql/migrations``, ``migrations``,
    ``db/migrations``, then the tools' own: ``supabase/migrations`` …)."""
    cwd = Path.cwd() if cwd is None else cwd
    for origin, value in (
        ("--dir", cli_dir),
        ("MIGTUI_DIR", os.environ.get("MIGTUI_DIR")),
        (str(config.source), config.dir),
    ):
        if value:
            path = Path(value).expanduser()
            path = path if path.is_absolute() else cwd / path
            if not path.is_dir():
                raise ConfigError(f"{origin}: {path} is not a folder")
            return path
    for name in DEFAULT_DIRS:
        if (cwd / name).is_dir():
            return cwd / name
    raise ConfigError(
        f"no migrations folder found in {cwd}: pass --dir, set MIGTUI_DIR, "
        f"or create one of {', '.join(DEFAULT_DIRS[:3])}"
    )


def resolve_dsn(cli_dsn: str | None, config: Config | None = None) -> str | None:
    """The target: ``--dsn``, then ``MIGTUI_DSN``, then ``DATABASE_URL``, then the
    config's ``dsn``. None means: let libpq use its own environment
    (PGHOST, PGDATABASE, PGSERVICE, .pgpass), if any of it is set."""
    for value in (
        cli_dsn,
        os.environ.get("MIGTUI_DSN"),
        os.environ.get("DATABASE_URL"),
        config.dsn if config else None,
    ):
        if value:
            return value
    if any(os.environ.get(v) for v in ("PGHOST", "PGDATABASE", "PGSERVICE", "PGPORT", "PGUSER")):
        return ""
    return None


_URI_PASSWORD = re.compile(r"^(?P<head>[a-z][a-z0-9+.-]*://[^:/@?#]*):(?P<pw>[^@/?#]*)@", re.I)
_KV_PASSWORD = re.compile(
    r"(?P<key>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*(?:'|$)|\S+)", re.I | re.S
)
_QUERY_PASSWORD = re.compile(r"(?P<key>[?&]password=)(?P<pw>[^&#]*)", re.I)


_KEY_VALUE_DSN = re.compile(r"^\s*[a-z_]+\s*=", re.I)
#: libpq's URI schemes: any other word before the first ``:`` is a user name
#: (``ops:/pw@host`` has the password ``/pw``), never a scheme.
_SCHEME = re.compile(r"^\s*postgres(?:ql)?$", re.I)


def _userinfo_password(dsn: str) -> tuple[int, int] | None:
    """Where the password of a URL-like DSN is, however mistyped: the text
    between the first ``:`` of the user part (one not starting ``//``, which is
    the scheme's) and the last ``@``. A password holding ``@``, ``/``, ``?`` or
    ``#`` unencoded is found whole; nothing in front of the last ``@`` is ever
    taken for the host."""
    if "@" not in dsn or _KEY_VALUE_DSN.match(dsn):
        return None
    before = dsn.rpartition("@")[0]
    colons = [index for index, char in enumerate(before) if char == ":"]
    if not colons:
        return None
    first = colons[0]
    scheme_like = _SCHEME.match(before[:first]) is not None
    if scheme_like and before.startswith("//", first + 1) and len(colons) == 1:
        return None  # "scheme://user@": no password
    # "scheme:/" or "scheme://": that colon is the scheme's, the next one the
    # user's; with no next one, the first is taken (safer to hide too much)
    separator = (
        colons[1]
        if scheme_like and before.startswith("/", first + 1) and len(colons) > 1
        else first
    )
    return (separator + 1, len(before)) if separator + 1 < len(before) else None


def redact_dsn(dsn: str | None) -> str:
    """The DSN with any password replaced by ``***``: the only form ever shown."""
    if not dsn:
        return "(libpq environment)" if dsn == "" else ""
    out = dsn
    where = _userinfo_password(out)
    if where is not None:
        out = out[: where[0]] + "***" + out[where[1] :]
    out = _QUERY_PASSWORD.sub(lambda m: f"{m['key']}***", out)
    out = _KV_PASSWORD.sub(lambda m: f"{m['key']}***", out)
    return out


_SQL_PASSWORD = re.compile(
    r"(?P<key>\bPASSWORD\s+)(?P<pw>'(?:[^']|'')*'?|\$\w*\$.*?\$\w*\$)", re.I | re.S
)


_QUOTED = re.compile(r"'(?:[^']|'')*'?|\$(?P<tag>\w*)\$.*?\$(?P=tag)\$", re.S)


def masked_query(text: str | None, limit: int = 200) -> str:
    """Another session's query as migtui may show or keep it: one line, every
    quoted literal masked (a password, a token, a customer's data), cut short."""
    if not text:
        return ""
    one_line = " ".join(_QUOTED.sub("'…'", text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def scrub_secrets(text: str | None) -> str | None:
    """``text`` with what looks like a password in SQL (``ALTER ROLE … PASSWORD
    '…'``, as another session's query may be quoted) replaced by ``***``."""
    if not text:
        return text
    return _SQL_PASSWORD.sub(lambda m: f"{m['key']}'***'", text)


def dsn_passwords(dsn: str | None) -> list[str]:
    """Every password-looking part of a DSN, as written and URL-decoded, even when
    the DSN is malformed: what must never appear in a message."""
    from urllib.parse import unquote

    if not dsn:
        return []
    found = [m["pw"] for m in _URI_PASSWORD.finditer(dsn) if m["pw"]]
    where = _userinfo_password(dsn)
    if where is not None:
        found.append(dsn[where[0] : where[1]])
    found += [m["pw"] for m in _QUERY_PASSWORD.finditer(dsn) if m["pw"]]
    for m in _KV_PASSWORD.finditer(dsn):
        pw = m["pw"]
        found.append(pw)
        if pw.startswith("'"):
            found.append(pw.strip("'"))
    found += [unquote(pw, errors="ignore") for pw in found]
    # libpq cuts a password holding "@" at it, and may quote the rest as a host
    found += [part for pw in list(found) for part in pw.split("@") if len(part) >= 3]
    # a piece of two characters of a longer password is hidden by the whole, not
    # in every word of a message ("se" of "se@cret" in "service")
    kept = {
        pw
        for pw in found
        if len(pw) >= 3 or (len(pw) == 2 and not any(pw != o and pw in o for o in found))
    }
    return sorted(kept, key=len, reverse=True)
