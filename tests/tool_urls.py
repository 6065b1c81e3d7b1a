"""What the interoperation tests share: a DSN spelled as another tool's URL."""

from __future__ import annotations

from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict


def url_parts(dsn: str) -> tuple[str, str, str, str]:
    """The DSN's ``user[:password]`` (quoted for a URL), host (a socket folder
    for a local server), port and database."""
    info = conninfo_to_dict(dsn)
    user = quote(info.get("user", "postgres"), safe="")
    password = info.get("password")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    return auth, info.get("host", "localhost"), info.get("port", "5432"), info["dbname"]
