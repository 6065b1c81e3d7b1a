"""flyway's placeholders: ``${name}`` in a script, replaced before it runs.

flyway replaces every ``${name}`` in a script (comments included) with the
value its configuration gives, and refuses a script with a placeholder it has
no value for. migtui reads the values where flyway's command line finds them:

- ``flyway.conf`` (``flyway.placeholders.name=value``), ``flyway.toml``
  (``[flyway.placeholders]`` or ``placeholders.name`` under ``[flyway]``) and
  Spring Boot's ``application.properties`` (``spring.flyway.placeholders.name``),
  in the migrations folder or a folder above it, up to the repository's root,
  the nearer file winning;
- ``FLYWAY_PLACEHOLDERS_NAME=value`` in the environment, over any file;
- flyway's own: ``flyway:defaultSchema``, ``flyway:table``, ``flyway:filename``,
  ``flyway:timestamp``, ``flyway:environment``, ``flyway:workingDirectory``.

Names match without regard to case, as flyway's do. ``placeholderReplacement =
false`` turns the replacement off. Kept free of heavy imports: the analysis
cache asks it for a signature of the values on every run.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:\-]+)\}")
ENV_PREFIX = "FLYWAY_PLACEHOLDERS_"
_CONF_NAMES = (
    "flyway.conf",
    "flyway.toml",
    os.path.join("conf", "flyway.conf"),
    "application.properties",  # Spring Boot's: spring.flyway.placeholders.name=value
)
#: How many folders above the migrations folder are looked at, at most.
_MOST_LEVELS = 8


def config_files(root: Path) -> list[Path]:
    """flyway's configuration files for ``root``: farthest first."""
    found: list[Path] = []
    folder = Path(root).resolve()
    for _ in range(_MOST_LEVELS):
        for name in _CONF_NAMES:
            path = folder / name
            if path.is_file():
                found.append(path)
        if (folder / ".git").exists() or folder.parent == folder:
            break
        folder = folder.parent
    return list(reversed(found))


def signature(root: Path) -> str:
    """What the values depend on, for the analysis cache's key."""
    parts = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith(ENV_PREFIX)]
    for path in config_files(root):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


class Placeholders:
    """The values for one folder; ``None`` from :func:`for_folder` when off."""

    def __init__(self, values: dict[str, str], settings: dict[str, str]) -> None:
        self.values = {k.lower(): v for k, v in values.items()}
        self.settings = settings
        self.values.setdefault("flyway:defaultschema", _default_schema(settings))
        self.values.setdefault("flyway:table", settings.get("table", "flyway_schema_history"))
        self.values.setdefault("flyway:environment", settings.get("environment", "default"))
        self.values.setdefault("flyway:workingdirectory", os.getcwd())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        self.values.setdefault("flyway:timestamp", stamp)

    def replace(self, text: str, filename: str) -> tuple[str, list[tuple[str, int]]]:
        """``text`` with every known placeholder replaced, and the unknown ones
        (name, 0-based offset in ``text``) left as written."""
        if "${" not in text:
            return text, []
        unknown: list[tuple[str, int]] = []

        def value(match: re.Match) -> str:
            name = match.group(1).lower()
            if name == "flyway:filename":
                return filename
            if name in self.values:
                return self.values[name]
            unknown.append((match.group(1), match.start()))
            return match.group(0)

        return PLACEHOLDER.sub(value, text), unknown


def for_folder(root: Path) -> Placeholders | None:
    """The placeholder values that apply to ``root``, or None when flyway's
    replacement is turned off."""
    values: dict[str, str] = {}
    settings: dict[str, str] = {}
    for path in config_files(root):
        file_values, file_settings = _read_config(path)
        values.update(file_values)
        settings.update(file_settings)
    for key, value in os.environ.items():
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            values[key[len(ENV_PREFIX) :]] = value
    if os.environ.get("FLYWAY_PLACEHOLDER_REPLACEMENT", "").lower() == "false":
        return None
    if settings.get("placeholderreplacement", "").lower() == "false":
        return None
    return Placeholders(values, settings)


def _default_schema(settings: dict[str, str]) -> str:
    if settings.get("defaultschema"):
        return settings["defaultschema"]
    schemas = settings.get("schemas", "")
    return schemas.split(",")[0].strip() if schemas.strip() else "public"


def _read_config(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(placeholder values, other flyway settings by lowercased name) of one file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}, {}
    if path.suffix == ".toml":
        return _read_toml(text)
    values: dict[str, str] = {}
    settings: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, sep, value = _split_property(line)
        prefix = next((p for p in ("flyway.", "spring.flyway.") if key.startswith(p)), None)
        if not sep or prefix is None:
            continue
        key = key[len(prefix) :]
        if key.startswith("placeholders.") and len(key) > len("placeholders."):
            values[key[len("placeholders.") :]] = value
        else:  # Spring writes settings in kebab case: placeholder-replacement
            settings[key.replace("-", "").lower()] = value
    return values, settings


def _split_property(line: str) -> tuple[str, str, str]:
    """A Java properties line: ``key=value`` or ``key: value``."""
    for i, char in enumerate(line):
        if char in "=:":
            return line[:i].strip(), char, line[i + 1 :].strip()
    return line, "", ""


def _read_toml(text: str) -> tuple[dict[str, str], dict[str, str]]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}, {}
    flyway = data.get("flyway")
    if not isinstance(flyway, dict):
        return {}, {}
    raw = flyway.get("placeholders")
    values = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    settings = {
        str(k).lower(): str(v) if not isinstance(v, list) else ",".join(map(str, v))
        for k, v in flyway.items()
        if not isinstance(v, dict)
    }
    return values, settings
