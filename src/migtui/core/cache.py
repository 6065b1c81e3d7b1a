"""The analysis kept between runs: of each migration by the content of its
files, and of the whole folder by what its files look like on disk.

Reading a migration (splitting its sections, parsing them, finding their
effects) depends only on its text and on migtui itself, so the result is kept
in the user's cache folder under a hash of both. A second ``check`` of a big
history only re-reads the migrations whose files changed.

One file per migrations folder holds every entry; it is read once at the
start and written back (atomically) when something new was analysed. The key
includes migtui's version and a fingerprint of the analysis code, so a new
migtui never trusts an old entry. ``MIGTUI_CACHE_DIR`` moves the folder;
``MIGTUI_NO_CACHE=1`` turns caching off.

The whole folder's analysis is kept too (``ProjectCache``), under a signature
of every file beneath the folder — path, size, modification and change times
and inode,
the way ``git`` and ``make`` notice a changed file without reading it. It
serves an unchanged folder without reading a single migration. A file changed
in the last two seconds makes no signature at all (two writes within one tick
of the file system's clock would look the same), so the folder is read and
each migration found by content as above.

The ``migtui`` program writes its caches after it has answered
(``defer_writes``, ``write_deferred``): a forked child that has left the
terminal pickles and writes them while the command's process exits. The child
holds a lock on the cache folder until every file is in place, and whoever
reads the cache waits for that lock, so the next run finds what this one kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import threading
import time
from pathlib import Path

from migtui import __version__

try:
    import fcntl
except ImportError:  # no POSIX file locks: writes happen at once, nobody waits
    fcntl = None  # type: ignore[assignment]
from migtui.core.memory import collector_paused

_FORMAT = 1


def _code_fingerprint() -> str:
    """migtui's version, the parser's, and the size and time of the analysis
    code's files."""
    core = Path(__file__).parent
    parts = [__version__, str(_FORMAT), *_parser_files()]
    for path in sorted(p for p in core.rglob("*") if p.suffix in (".py", ".gz", ".json", ".txt")):
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(core)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()


def _parser_files() -> list[str]:
    """The installed parser's files, by size and time: a new pglast is a new
    grammar (found without importing it, which costs more than a cached run)."""
    from importlib.util import find_spec

    spec = find_spec("pglast")
    if spec is None or spec.origin is None:
        return ["no pglast"]
    found = []
    for path in sorted(Path(spec.origin).parent.iterdir()):
        if path.suffix in (".py", ".so", ".pyd"):
            stat = path.stat()
            found.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return found


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
        stored = _read(self.path)
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
        _write_atomically(self.path, {"code": self.code, "entries": kept})


#: Files changed this recently are not trusted to a signature (see above).
_RACY_NS = 2_000_000_000
#: Folders with more entries than this are read every time.
_MOST_ENTRIES = 50_000
_NEVER_MIGRATIONS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__"})


def folder_signature(root: Path) -> str | None:
    """A digest of every file and folder under ``root`` as the disk describes
    it, or None when one changed a moment ago or there are too many."""
    now = time.time_ns()
    digest = hashlib.sha1()
    count = 0
    stack = [(Path(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError:
            return None
        for entry in entries:
            if entry.name in _NEVER_MIGRATIONS:
                continue
            count += 1
            if count > _MOST_ENTRIES:
                return None
            name = prefix + entry.name
            try:
                st = entry.stat()
            except OSError:  # a dangling link: its name is all there is
                digest.update(f"{name}\0dangling\n".encode("utf-8", "surrogateescape"))
                continue
            if now - st.st_mtime_ns < _RACY_NS or now - st.st_ctime_ns < _RACY_NS:
                return None
            line = f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n"
            digest.update(line.encode("utf-8", "surrogateescape"))
            if entry.is_dir():
                stack.append((Path(entry.path), name + "/"))
    return digest.hexdigest()


def _liquibase_settings(root: Path) -> str:
    """Where the nearest ``liquibase.properties`` at or above ``root`` is, and its stat."""
    folder = Path(root).resolve()
    for _ in range(8):
        path = folder / "liquibase.properties"
        try:
            st = path.stat()
        except OSError:
            st = None
        if st is not None:
            return f"{path}:{st.st_size}:{st.st_mtime_ns}"
        if (folder / ".git").exists() or folder.parent == folder:
            break
        folder = folder.parent
    return ""


def _layout_markers(root: Path) -> str:
    """The files outside ``root`` that layout detection reads, and their stat:
    Supabase's ``config.toml`` beside it, a Rust crate's ``Cargo.toml`` above."""
    folder = Path(root).resolve()
    above = [folder, *list(folder.parents)[:4]]
    return "\n".join(
        file_marks([folder.parent / "config.toml"] + [f / "Cargo.toml" for f in above])
    )


def file_marks(paths) -> list[str]:
    """``path:size:mtime`` of each of ``paths`` that exists, for a cache key."""
    found = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        found.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return found


class ProjectCache:
    """The finished analysis of one folder, for the same files, options and
    migtui. Only the analysis of the folder alone is kept (no target's catalog)."""

    def __init__(
        self,
        root: Path,
        layout: str | None,
        assume: tuple[str, ...],
        directory: Path | None = None,
    ) -> None:
        directory = directory if directory is not None else cache_dir()
        self.path: Path | None = None
        self.key: str | None = None
        if directory is None:
            return
        signature = folder_signature(root)
        if signature is None:
            return
        where = str(root) if Path(root).is_absolute() else f"{os.getcwd()}\0{root}"
        from migtui.core.flyway_config import signature as flyway_settings

        parts = [
            _code_fingerprint(),
            where,
            str(layout),
            *assume,
            signature,
            flyway_settings(root),  # flyway's placeholders and schemas, from outside the folder
            _liquibase_settings(root),  # Liquibase's changelog and parameters, from above
            _layout_markers(root),  # the files beside the folder that decide its layout
        ]
        self.key = hashlib.sha1("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
        name = hashlib.sha1(str(Path(root).resolve()).encode()).hexdigest()[:20]
        self.path = directory / f"{name}.project.pickle"

    def load(self):
        """The analysis kept for exactly these files, or None."""
        if self.path is None or self.key is None:
            return None
        stored = _read(self.path)
        if isinstance(stored, dict) and stored.get("key") == self.key:
            analysis = stored.get("analysis")
            # placeholders' values read from the environment must still be so
            for name, value in getattr(analysis, "environment", ()):
                if os.environ.get(name) != value:
                    return None
            return analysis
        return None

    def save(self, analysis) -> None:
        if self.path is None or self.key is None:
            return
        _write_atomically(self.path, {"key": self.key, "analysis": analysis})

    def _extra_path(self, name: str) -> Path | None:
        return self.path.with_suffix(f".{name}.pickle") if self.path is not None else None

    def load_extra(self, name: str):
        """Something a command made from this analysis (its report), kept
        under the same key, or None."""
        path = self._extra_path(name)
        stored = _read(path) if path is not None else None
        if isinstance(stored, dict) and stored.get("key") == self.key:
            return stored.get("value")
        return None

    def save_extra(self, name: str, value) -> None:
        path = self._extra_path(name)
        if path is not None and self.key is not None:
            _write_atomically(path, {"key": self.key, "value": value})


#: The lock file a writer of the cache folder holds (see the module's docstring).
_LOCK_NAME = ".writing"
#: How long a reader waits for a writer before it reads what is there.
_WAIT_SECONDS = 10.0
#: Cache writes kept for the end of the program, or None when they happen at once.
_deferred: list[tuple[Path, object]] | None = None
#: What the last ``write_deferred`` handed to its child, not freed here.
_handed: list[tuple[Path, object]] = []
#: Cache folders this process has already waited on.
_waited: set[Path] = set()


def _wait_for_writer(directory: Path) -> None:
    """Wait until no process is writing ``directory`` (once per folder and process)."""
    if directory in _waited or fcntl is None:
        return
    _waited.add(directory)
    try:
        fd = os.open(directory / _LOCK_NAME, os.O_RDONLY)
    except OSError:
        return  # never written by a deferred writer, or not there at all
    try:
        deadline = time.monotonic() + _WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # a stuck writer only costs this run the cache
                time.sleep(0.005)
            except OSError:
                return
    finally:
        os.close(fd)


def defer_writes() -> None:
    """Keep this process's cache writes for ``write_deferred``."""
    global _deferred
    if _deferred is None:
        _deferred = []


def write_deferred() -> None:
    """Write the kept cache files: in a forked child that has left the terminal
    and outlives this process where that is possible, here otherwise."""
    global _deferred
    pending, _deferred = _deferred or [], None
    if not pending:
        return
    folders = sorted({path.parent for path, _ in pending})
    if not _can_detach():
        for path, value in pending:
            _write_atomically(path, value)
        return
    locks = []
    for folder in folders:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(folder / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)  # the next reader waits for the child
            locks.append(fd)
        except OSError:
            continue
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()  # nothing buffered may be written twice
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        status = 1
        try:
            os.setsid()  # out of the terminal's process group: no ^C, no hangup
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)  # whoever waits for the program's output is done
            for path, value in pending:
                _write_atomically(path, value)
            status = 0
        finally:
            os._exit(status)  # the locks go with the child
    for fd in locks:
        os.close(fd)  # the child holds them now (one lock per open file, shared by fork)
    global _handed
    _handed = pending  # freed, if ever, with the process: it is leaving
    if pid < 0:
        for path, value in pending:
            _write_atomically(path, value)


def _can_detach() -> bool:
    """A forked child can finish the writes: POSIX, and no other thread (a fork
    copies only the forking one, and any lock another held)."""
    return fcntl is not None and hasattr(os, "fork") and threading.active_count() == 1


def _read(path: Path) -> object:
    """What a cache file holds, or None when it is missing or cannot be read
    (damaged, or written by a migtui whose classes differ)."""
    _wait_for_writer(path.parent)
    try:
        with collector_paused(), path.open("rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - a cache that cannot be read only costs time
        return None


def _write_atomically(path: Path, value: object) -> None:
    if _deferred is not None:
        _deferred.append((path, value))
        return
    try:
        # the analysis holds the migrations' SQL: only its owner reads it
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # 0600
        with collector_paused(), os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        return  # a cache that cannot be written only costs time
