"""The analysis of each migration, kept between runs by the content of its files.

Reading a migration (splitting its sections, parsing them, finding their
effects) depends only on its text and on migtui itself, so the result is kept
in the user's cache folder under a hash of both. A second ``check`` of a big
history only re-reads the migrations whose files changed.

One file per migrations folder holds every entry; it is read once at the
start and written back (atomically) when something new was analysed. The key
includes migtui's version and a fingerprint of the analysis code, so a new
migtui never trusts an old entry. ``MIGTUI_CACHE_DIR`` moves the folder;
``MIGTUI_NO_CACHE=1`` turns caching off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from migtui import __version__

_FORMAT = 1


def _code_fingerprint() -> str:
    """migtui's version, the parser's, and the size and time of the analysis
    code's files."""
    import pglast

    core = Path(__file__).parent
    parts = [__version__, str(_FORMAT), str(pglast.__version__)]
    for path in sorted(core.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(core)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()


def cache_dir() -> Path | None:
    if os.environ.get("MIGTUI_NO_CACHE"):
        return None
    configured = os.environ.get("MIGTUI_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return platformdirs.user_cache_path("migtui") / "analysis"


class AnalysisCache:
    """Entries for one migrations folder: key → whatever the analysis stored."""

    def __init__(self, root: Path, directory: Path | None = None) -> None:
        directory = directory if directory is not None else cache_dir()
        self.path: Path | None = None
        self.entries: dict[str, object] = {}
        self.used: set[str] = set()
        self.changed = False
        self.code = _code_fingerprint()
        if directory is None:
            return
        name = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:20]
        self.path = directory / f"{name}.pickle"
        try:
            with self.path.open("rb") as f:
                stored = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
            return
        if isinstance(stored, dict) and stored.get("code") == self.code:
            self.entries = stored.get("entries", {})

    def key(self, *parts: str) -> str:
        digest = hashlib.sha1()
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str):
        found = self.entries.get(key)
        if found is not None:
            self.used.add(key)
        return found

    def put(self, key: str, value: object) -> None:
        self.entries[key] = value
        self.used.add(key)
        self.changed = True

    def save(self) -> None:
        """Write the entries this run used back; drop the ones it did not."""
        if self.path is None or not (self.changed or len(self.used) != len(self.entries)):
            return
        kept = {k: v for k, v in self.entries.items() if k in self.used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump({"code": self.code, "entries": kept}, f, pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            return  # a cache that cannot be written only costs time
