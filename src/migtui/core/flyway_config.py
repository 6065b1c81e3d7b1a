"""flyway's configuration as it bears on reading and running the scripts: its
placeholders, and the schemas it manages.

**Placeholders.** flyway replaces every ``${name}`` in a script (comments included) with the
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
false`` turns the replacement off.

**Schemas.** ``schemas`` (and ``defaultSchema``, else the first of them) from
the same files, or ``FLYWAY_SCHEMAS`` / ``FLYWAY_DEFAULT_SCHEMA``: flyway makes
the schemas that do not exist, keeps its history table in the default one, and
puts the default schema first on the search path while it migrates, so a
script's unqualified names land there.

Kept free of heavy imports, and outside the ``tools`` package (whose import
loads every reader): the analysis cache asks it for a signature of the
settings on every run, before anything else is known to be needed.
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
    """What the settings depend on, for the analysis cache's key."""
    from migtui.core.cache import file_marks

    parts = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("FLYWAY_")]
    return "\n".join(parts + file_marks(config_files(root)))


class Naming:
    """How flyway names its scripts, as configured: ``sqlMigrationPrefix``
    (``V``; Spring Boot projects often set it empty, for ``20170830105704952__a.sql``),
    ``undoSqlMigrationPrefix`` (``U``), ``repeatableSqlMigrationPrefix``
    (``R``), ``baselineMigrationPrefix`` (``B``), ``sqlMigrationSeparator``
    (``__``) and ``sqlMigrationSuffixes`` (``.sql``)."""

    def __init__(self, settings: dict[str, str]) -> None:
        prefixes = tuple(
            settings.get(key, default)
            for key, default in (
                ("sqlmigrationprefix", "V"),
                ("undosqlmigrationprefix", "U"),
                ("repeatablesqlmigrationprefix", "R"),
                ("baselinemigrationprefix", "B"),
            )
        )
        separator = settings.get("sqlmigrationseparator", "") or "__"
        listed = settings.get("sqlmigrationsuffixes", "").split(",")
        suffixes = tuple(s.strip() for s in listed if s.strip()) or (".sql",)
        #: whether any of them differs from flyway's own
        self.custom = (prefixes, separator, suffixes) != (("V", "U", "R", "B"), "__", (".sql",))
        versioned, undo, repeatable, baseline = (re.escape(p) for p in prefixes)
        sep = re.escape(separator)
        end = "(?:" + "|".join(re.escape(s) for s in suffixes) + ")$"
        number = r"(\d+(?:[._]\d+)*)"
        self.versioned = re.compile(f"^{versioned}{number}{sep}(.*){end}")
        self.undo = re.compile(f"^{undo}{number}{sep}(.*){end}")
        self.repeatable = re.compile(f"^{repeatable}{sep}(.*){end}")
        self.baseline = re.compile(f"^{baseline}{number}{sep}(.*){end}")

    def any(self, name: str) -> bool:
        """Whether ``name`` is named like one of flyway's scripts."""
        return any(
            p.match(name) for p in (self.versioned, self.undo, self.repeatable, self.baseline)
        )


def custom_naming(root: Path) -> Naming | None:
    """The folder's script naming, when its configuration sets one of its own."""
    naming = Naming(FlywayConfig(root).settings)
    return naming if naming.custom else None


class Placeholders:
    """The values for one folder; ``None`` from :func:`for_folder` when off."""

    def __init__(self, values: dict[str, str], settings: dict[str, str]) -> None:
        self.values = {k.lower(): v for k, v in values.items()}
        self.settings = settings
        #: ``placeholderPrefix`` and ``placeholderSuffix`` (``${`` and ``}``)
        self.prefix = settings.get("placeholderprefix", "") or "${"
        suffix = settings.get("placeholdersuffix", "") or "}"
        self.pattern = (
            PLACEHOLDER
            if (self.prefix, suffix) == ("${", "}")
            else re.compile(f"{re.escape(self.prefix)}([A-Za-z0-9_.:\\-]+){re.escape(suffix)}")
        )
        self.values.setdefault("flyway:defaultschema", _default_schema(settings))
        self.values.setdefault("flyway:table", settings.get("table", "flyway_schema_history"))
        self.values.setdefault("flyway:environment", settings.get("environment", "default"))
        self.values.setdefault("flyway:workingdirectory", os.getcwd())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        self.values.setdefault("flyway:timestamp", stamp)

    def replace(self, text: str, filename: str) -> tuple[str, list[tuple[str, int]]]:
        """``text`` with every known placeholder replaced, and the unknown ones
        (name, 0-based offset in ``text``) left as written."""
        if self.prefix not in text:
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

        return self.pattern.sub(value, text), unknown


class FlywayConfig:
    """What flyway's configuration says for one migrations folder."""

    def __init__(self, root: Path) -> None:
        values: dict[str, str] = {}
        settings: dict[str, str] = {}
        for path in config_files(root):
            file_values, file_settings = _read_config(path)
            values.update(file_values)
            settings.update(file_settings)
        for key, value in os.environ.items():
            if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
                values[key[len(ENV_PREFIX) :]] = value
            elif key in _ENV_SETTINGS:
                settings[_ENV_SETTINGS[key]] = value
        self.settings = settings
        #: How its scripts are named.
        self.naming = Naming(settings)
        #: The schemas flyway manages (and makes when missing), the default first.
        self.schemas = _schemas(settings)
        off = settings.get("placeholderreplacement", "").lower() == "false"
        self.placeholders = None if off else Placeholders(values, settings)

    @property
    def default_schema(self) -> str | None:
        """The schema flyway puts first on the search path, when configured."""
        return self.schemas[0] if self.schemas else None


#: flyway's settings read from the environment, by their names in a file.
_ENV_SETTINGS = {
    "FLYWAY_SCHEMAS": "schemas",
    "FLYWAY_DEFAULT_SCHEMA": "defaultschema",
    "FLYWAY_PLACEHOLDER_REPLACEMENT": "placeholderreplacement",
    "FLYWAY_TABLE": "table",
}


def _schemas(settings: dict[str, str]) -> tuple[str, ...]:
    listed = [s.strip() for s in settings.get("schemas", "").split(",") if s.strip()]
    default = settings.get("defaultschema", "").strip()
    if default:
        listed = [default] + [s for s in listed if s != default]
    return tuple(listed)


def _default_schema(settings: dict[str, str]) -> str:
    schemas = _schemas(settings)
    return schemas[0] if schemas else "public"


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
    spring = path.name == "application.properties"
    properties = dict(_properties(text)) if spring else {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, sep, value = _split_property(line)
        prefix = next((p for p in ("flyway.", "spring.flyway.") if key.startswith(p)), None)
        if not sep or prefix is None:
            continue
        if spring and "${" in value:
            value = _spring_value(value, properties)
        key = key[len(prefix) :]
        if key.startswith("placeholders.") and len(key) > len("placeholders."):
            values[key[len("placeholders.") :]] = value
        else:  # Spring writes settings in kebab case: placeholder-replacement
            settings[key.replace("-", "").lower()] = value
    return values, settings


def _properties(text: str):
    """Every ``key=value`` of a properties file."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            key, sep, value = _split_property(line)
            if sep:
                yield key, value


#: Spring's ``${NAME}`` or ``${NAME:default}`` in a property's value
_SPRING_REFERENCE = re.compile(r"\$\{([^}:]+)(?::([^}]*))?\}")


def _spring_value(value: str, properties: dict[str, str]) -> str:
    """A Spring Boot property's value as Spring resolves it when it starts: a
    reference to the environment (``DATASOURCE_SCHEMA``, or ``datasource.schema``
    relaxed to it) or to another property, else its default; one with neither
    is left as written."""

    def resolve(match: re.Match) -> str:
        name, default = match.group(1).strip(), match.group(2)
        relaxed = re.sub(r"[.\-]", "_", name).upper()
        for found in (os.environ.get(name), os.environ.get(relaxed), properties.get(name)):
            if found is not None and "${" not in found:
                return found
        return default if default is not None else match.group(0)

    return _SPRING_REFERENCE.sub(resolve, value)


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
