"""Read every post once: Markdown and typogrify output cached by content, filled in parallel.

Reading is most of a Pelican build: Markdown runs on each post's body and summary, and
typogrify (smartypants) on the result. This plugin keeps what a reader produced, and what
typogrify made of each text, in Pelican's cache folder, keyed by a hash of the source and of the
settings and library versions that shape the result; a build reads only what changed. Each
set of settings (and plugins' code) has a file of its own under `read_cache/`, so a build loads
only its own; the files of the two other sets written last are kept, older ones removed. The
sources that are not cached yet are read in a pool of processes, one per CPU, before Pelican
asks for them, so a first build uses every core; if the pool cannot start they are read one by
one as usual. What Pelican does with the result is unchanged, so the output is byte-identical
to a build without the plugin.

The theme's templates are compiled once too: Jinja's own bytecode cache keeps them under
`templates/` in the cache folder (Jinja compiles a template again when its source changes), so a
build does not spend its first fifth of a second turning the same templates into Python.

A build that empties the output first (`DELETE_OUTPUT_DIRECTORY`, as a publication builds) saves
the cache as soon as the posts are read and keeps in memory only what it has not used yet (the
pages' readings), then lets the rest go once the pages are read too, so its readings (some
20 MB at 1,000 posts) are not held while plugins work on the posts and the pages are written;
a later build in the same process reads the file again.

Pelican's relative paths of posts and slugs of names are remembered by their arguments, and a
body without `{` or `|` is not scanned for links to other content (`shortcuts.py`): Pelican
did each of these again ten times a post, at each comparison of tags, and for each page and
feed that shows a body.

The lists of each tag's, category's and author's posts answer `post in posts` with a set lookup
(`members.py`): Pelican checks every post against each of them, which grew with the square of
the site.

While a build runs, Python's cycle collector runs less often (its first threshold is 50,000
new objects instead of 700): a build makes hundreds of thousands of objects that live until it
ends, and each collection walked them again, about a tenth of a rebuild. What lives when a
build starts is frozen (`gc.freeze`) until it ends, so that the collections walk only what the
build made. The thresholds are put back, and the frozen objects collected as before, when the
build ends.

Any Pelican site can use it: add `"read_cache"` to `PLUGINS` (with this folder on
`PLUGIN_PATHS`). `READ_CACHE = False` turns it off; `READ_CACHE_WORKERS` sets the pool size
(default: the number of CPUs; 1 reads serially).
"""

from __future__ import annotations

import concurrent.futures
import gc
import hashlib
import io
import json
import logging
import multiprocessing
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

from pelican import signals

from . import shortcuts
from .members import index_members

__all__ = ["ReadCache", "register"]

logger = logging.getLogger(__name__)

# One file per set of settings (and plugins' code), named by its fingerprint, in this folder.
CACHE_FOLDER = "read_cache"
# The single file of earlier versions, removed when found.
OLD_CACHE_FILE = "read_cache.pickle"
FORMAT = 2
# Entries unused for this long are dropped when the cache is saved.
KEEP_SECONDS = 14 * 24 * 3600
# Besides this build's file, the files of this many other sets of settings are kept, the ones
# written last (a preview's and a publication's settings, say). Older ones are removed, so
# that each edit of a plugin does not leave a whole set of readings behind for two weeks.
OTHER_SETTINGS_KEPT = 2
# Below this many sources to read, starting a pool costs more than it saves.
POOL_MINIMUM = 8
# Settings that say where a build writes, never what a reader makes of a source.
UNRELATED_SETTINGS = {"OUTPUT_PATH", "CACHE_PATH", "DELETE_OUTPUT_DIRECTORY", "WRITE_SELECTED"}
LIBRARIES = ("pelican", "markdown", "typogrify", "smartypants", "pygments", "docutils")

Reading = tuple[Any, dict[str, Any]]


def _versions() -> dict[str, str]:
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            found[name] = ""
    return found


def settings_fingerprint(settings: dict[str, Any]) -> str:
    """A hash of the settings a reader's output can depend on, and of the libraries' versions.

    Every plain setting counts (a changed one only costs a re-read); values that cannot be
    written the same way twice (functions, modules, objects) are left out.
    """
    plain: dict[str, str] = {}
    for name, value in settings.items():
        if name in UNRELATED_SETTINGS:
            continue
        try:
            text = json.dumps(value, sort_keys=True)
        except (TypeError, ValueError):
            continue
        plain[name] = text
    plain["__versions__"] = json.dumps(_versions(), sort_keys=True)
    plain["__plugins__"] = _plugin_sources(settings)
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()


def _plugin_sources(settings: dict[str, Any]) -> str:
    """A hash of the plugins' code: a plugin may add a reader or a Markdown extension."""
    digest = hashlib.sha256()
    for folder in settings.get("PLUGIN_PATHS", []):
        for path in sorted(Path(folder).rglob("*.py")):
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


SETTINGS_ID = "pelican-settings"


def dumps(value: Any, settings: dict[str, Any]) -> bytes:
    """Pickle `value`, writing the build's settings (which metadata objects hold) as a name."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: SETTINGS_ID if obj is settings else None  # type: ignore[method-assign]
    pickler.dump(value)
    return buffer.getvalue()


def loads(data: bytes, settings: dict[str, Any]) -> Any:
    """Unpickle what `dumps` wrote, giving metadata objects this build's settings."""
    unpickler = pickle.Unpickler(io.BytesIO(data))

    def settings_by_name(name: Any) -> Any:
        if name != SETTINGS_ID:
            raise pickle.UnpicklingError(f"unknown reference {name!r}")
        return settings

    unpickler.persistent_load = settings_by_name  # type: ignore[method-assign]
    return unpickler.load()


class ReadCache:
    """Readers' output by source, and typogrify's output by text, kept between builds.

    Each reader's output is kept pickled, and unpickled for the build that asks for it: a
    build gets objects of its own (Pelican and plugins may change them) and only the entries
    it needs are unpickled. Rebuilds in one process (the live preview) keep the cache in
    memory instead of reading the file again, as long as the file is the one they wrote.
    """

    def __init__(self, settings: dict[str, Any], fingerprint: str | None = None) -> None:
        self.settings = settings
        self.fingerprint = fingerprint or settings_fingerprint(settings)
        self.folder = Path(settings.get("CACHE_PATH") or "cache") / CACHE_FOLDER
        self.path = self.folder / f"{self.fingerprint[:32]}.pickle"
        self.reads: dict[str, tuple[float, bytes]] = {}
        self.texts: dict[str, tuple[float, str]] = {}
        self.changed = False
        self.stamp: tuple[int, int] | None = None  # the file as this cache last read or wrote it
        self.released = False
        # Keys this build read or added; once some were let go (`let_go_of_used`), a save
        # merges what is in memory into the file.
        self.used: set[str] = set()
        self.partial = False
        # This build's sources, as they were when the pool was filled: path -> key, so that a
        # source found in the cache is not read and hashed a second time when Pelican asks.
        self.keys_of_sources: dict[str, str] = {}
        self._saving: threading.Thread | None = None
        self._load()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_size, stat.st_mtime_ns)

    def still_current(self, fingerprint: str) -> bool:
        """Whether a later build in this process can use this cache as it is in memory."""
        self.wait()
        if self.released:
            return False
        return fingerprint == self.fingerprint and self._file_stamp() == self.stamp

    def let_go_of_used(self) -> None:
        """Save what changed (in the background), then keep only the entries not used yet."""
        self.save(in_background=True)
        self.reads = {key: entry for key, entry in self.reads.items() if key not in self.used}
        self.texts = {key: entry for key, entry in self.texts.items() if key not in self.used}
        self.partial = True

    def release(self) -> None:
        """Save what changed (in the background) and let go of the entries held in memory."""
        self.save(in_background=True)
        self.reads, self.texts = {}, {}
        self.released = True

    def rebind(self, settings: dict[str, Any]) -> None:
        """Serve a later build, whose settings the unpickled metadata will hold."""
        self.settings = settings
        self.used = set()

    # --- keys -----------------------------------------------------------------------------

    def read_key(self, reader_name: str, source: bytes) -> str:
        digest = hashlib.sha256(source).hexdigest()
        return f"{self.fingerprint}:{reader_name}:{digest}"

    def text_key(self, text: str, arguments: tuple[Any, ...]) -> str:
        digest = hashlib.sha256(f"{len(text)}:".encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(repr(arguments).encode("utf-8", "surrogatepass"))
        return f"{self.fingerprint}:{digest.hexdigest()}"

    # --- entries --------------------------------------------------------------------------

    def has_reading(self, key: str) -> bool:
        return key in self.reads

    def reading(self, key: str) -> Reading | None:
        entry = self.reads.get(key)
        if entry is None:
            return None
        self.reads[key] = (time.time(), entry[1])
        self.used.add(key)
        reading: Reading = loads(entry[1], self.settings)
        return reading

    def keep_reading(self, key: str, reading: Reading) -> None:
        self.keep_pickled_reading(key, dumps(reading, self.settings))

    def keep_pickled_reading(self, key: str, pickled: bytes) -> None:
        self.reads[key] = (time.time(), pickled)
        self.used.add(key)
        self.changed = True

    def text(self, key: str) -> str | None:
        entry = self.texts.get(key)
        if entry is None:
            return None
        self.texts[key] = (time.time(), entry[1])
        self.used.add(key)
        return entry[1]

    def keep_text(self, key: str, text: str) -> None:
        self.texts[key] = (time.time(), text)
        self.used.add(key)
        self.changed = True

    # --- the file -------------------------------------------------------------------------

    def _load(self) -> None:
        stamp = self._file_stamp()
        saved = self._stored()
        if saved is not None:
            self.stamp = stamp
            self.reads, self.texts = saved["reads"], saved["texts"]

    def _stored(self) -> dict[str, Any] | None:
        """What the file holds, or None when there is no file, or a damaged or foreign one."""
        try:
            # Unpickled as it is read: the file's bytes (15 MB at 1,000 posts) are never held
            # beside what they unpickle to.
            with self.path.open("rb") as stored:
                saved = pickle.load(stored)
        except FileNotFoundError:
            return None
        except Exception as problem:  # a damaged or foreign file: start afresh
            logger.warning("read_cache: ignoring %s (%s)", self.path, problem)
            return None
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            return None
        return {"reads": saved.get("reads", {}), "texts": saved.get("texts", {})}

    def save(self, in_background: bool = False) -> None:
        """Write the cache beside itself and rename it into place (a killed build keeps the old).

        In the background, the file is written by a thread while the process goes on (the
        live preview shows the pages meanwhile); the process waits for it before it exits, and
        the next build that uses this cache waits for it first.
        """
        if not self.changed:
            return
        oldest = time.time() - KEEP_SECONDS
        self.reads = {key: entry for key, entry in self.reads.items() if entry[0] >= oldest}
        self.texts = {key: entry for key, entry in self.texts.items() if entry[0] >= oldest}
        saved = {"format": FORMAT, "reads": dict(self.reads), "texts": dict(self.texts)}
        self.changed = False
        self.wait()
        arguments = (saved, self.partial)
        if in_background:
            self._saving = threading.Thread(
                target=self._write, args=arguments, name="read-cache-save"
            )
            self._saving.start()
        else:
            self._write(*arguments)

    def _remove_other_sets(self) -> None:
        """Keep OTHER_SETTINGS_KEPT files of other settings besides this one: the newest."""
        (self.folder.parent / OLD_CACHE_FILE).unlink(missing_ok=True)
        others = []
        for path in self.folder.glob("*.pickle"):
            if path != self.path:
                try:
                    others.append((path.stat().st_mtime_ns, path))
                except OSError:
                    continue
        for _, path in sorted(others, reverse=True)[OTHER_SETTINGS_KEPT:]:
            path.unlink(missing_ok=True)

    def wait(self) -> None:
        """Until the file being written in the background is in place."""
        if self._saving is not None:
            self._saving.join()
            self._saving = None

    def _write(self, saved: dict[str, Any], merge: bool = False) -> None:
        if merge:  # some entries were let go: they are in the file, this build's are added
            stored = self._stored() or {"reads": {}, "texts": {}}
            oldest = time.time() - KEEP_SECONDS
            for name in ("reads", "texts"):
                stored[name].update(saved[name])
                saved[name] = {key: item for key, item in stored[name].items() if item[0] >= oldest}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".read_cache.")
            try:
                with os.fdopen(handle, "wb") as written:  # pickled as it is written
                    pickle.dump(saved, written, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._remove_other_sets()
        except Exception as problem:  # a full disk, a read-only folder: the next build reads
            logger.warning("read_cache: not saved (%s)", problem)
            return
        self.stamp = self._file_stamp()


# --- typogrify, remembered ----------------------------------------------------------------

_cache: ReadCache | None = None
# The last build's cache, for the next build in this process (the live preview's rebuilds).
_kept: ReadCache | None = None
_original_typogrify: Callable[..., str] | None = None


def _typogrify_arguments(arguments: tuple[Any, ...], options: dict[str, Any]) -> tuple[Any, ...]:
    import smartypants

    # Pelican sets smartypants' dash style globally before typogrify runs: part of the key.
    return (arguments, sorted(options.items()), int(smartypants.Attr.default))


def _remembered_typogrify(text: str, *arguments: Any, **options: Any) -> str:
    assert _original_typogrify is not None
    if _cache is None:
        return _original_typogrify(text, *arguments, **options)
    key = _cache.text_key(text, _typogrify_arguments(arguments, options))
    found = _cache.text(key)
    if found is None:
        found = _original_typogrify(text, *arguments, **options)
        _cache.keep_text(key, found)
    return found


def _install_typogrify() -> None:
    global _original_typogrify
    try:
        import typogrify.filters as filters
    except ImportError:
        return
    if _original_typogrify is None:
        _original_typogrify = filters.typogrify
        filters.typogrify = _remembered_typogrify


def _uninstall_typogrify() -> None:
    global _original_typogrify
    if _original_typogrify is None:
        return
    import typogrify.filters as filters

    filters.typogrify = _original_typogrify
    _original_typogrify = None


# --- readers, remembered and filled in parallel -------------------------------------------


def _remembering(reader: Any, cache: ReadCache) -> Callable[[str], Reading]:
    read = reader.read
    name = type(reader).__name__

    def remembered_read(path: str) -> Reading:
        key = cache.keys_of_sources.pop(path, None)
        found = cache.reading(key) if key is not None else None
        if key is None or found is None:  # read now: the key and the reading kept agree
            key = cache.read_key(name, Path(path).read_bytes())
            found = cache.reading(key)
        if found is None:
            found = read(path)
            try:
                cache.keep_reading(key, found)
            except Exception as problem:  # an output that cannot be pickled: not kept
                logger.warning("read_cache: %s not kept (%s)", path, problem)
        return found

    return remembered_read


def _sources(settings: dict[str, Any], extensions: set[str]) -> Iterator[Path]:
    """The files under the content folder that some reader will read."""
    content = Path(settings["PATH"])
    static = {content / folder for folder in settings.get("STATIC_PATHS", [])}
    for folder, subfolders, files in os.walk(content):
        here = Path(folder)
        subfolders[:] = [name for name in subfolders if here / name not in static]
        for name in files:
            if name.rsplit(".", 1)[-1] in extensions:
                yield here / name


# Set in the parent before the pool forks, so that workers inherit the readers and the cache.
_worker_readers: dict[str, Any] = {}


def pelican_typogrify_call(settings: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments Pelican's read_file gives typogrify, from the settings."""
    return (settings["TYPOGRIFY_IGNORE_TAGS"],), dict.fromkeys(
        settings["TYPOGRIFY_OMIT_FILTERS"], False
    )


def set_smartypants_dashes(settings: dict[str, Any]) -> None:
    """smartypants' dash style, set as Pelican's read_file sets it before typogrify runs."""
    import smartypants

    dashes = settings["TYPOGRIFY_DASHES"]
    if dashes == "oldschool":
        smartypants.Attr.default = smartypants.Attr.set2
    elif dashes == "oldschool_inverted":
        smartypants.Attr.default = smartypants.Attr.set3
    else:
        smartypants.Attr.default = smartypants.Attr.set1
    smartypants.Attr.default |= smartypants.Attr.w


def _read_in_worker(extension: str, path: str) -> bytes:
    """One source read, and the typogrify output of its body, title and summary, pickled."""
    assert _cache is not None
    settings = _cache.settings
    source = Path(path).read_bytes()
    try:
        content, metadata = _worker_readers[extension].read(path)
        texts = {}
        if settings["TYPOGRIFY"] and _original_typogrify is not None:
            set_smartypants_dashes(settings)
            arguments, options = pelican_typogrify_call(settings)
            for text in (content, metadata.get("title"), metadata.get("summary")):
                if isinstance(text, str) and text:
                    key = _cache.text_key(text, _typogrify_arguments(arguments, options))
                    texts[key] = _original_typogrify(text, *arguments, **options)
        return pickle.dumps(
            (source, dumps((content, metadata), settings), texts),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    except Exception:  # Pelican reports the problem when it reads the file itself
        return b""


def _fill_in_parallel(readers: Any, cache: ReadCache) -> None:
    settings = readers.settings
    workers = int(settings.get("READ_CACHE_WORKERS") or os.cpu_count() or 1)
    extensions = {ext for ext, reader in readers.readers.items() if reader.enabled}
    missing = []
    cache.keys_of_sources.clear()
    for path in _sources(settings, extensions):
        extension = path.name.rsplit(".", 1)[-1]
        name = type(readers.readers[extension]).__name__
        key = cache.read_key(name, path.read_bytes())
        if cache.has_reading(key):
            cache.keys_of_sources[str(path)] = key
        else:
            missing.append((extension, str(path)))
    forking = "fork" in multiprocessing.get_all_start_methods()
    if workers < 2 or len(missing) < POOL_MINIMUM or not forking:
        return
    _worker_readers.clear()
    _worker_readers.update(readers.readers)
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            chunk = max(1, len(missing) // (workers * 4))
            extensions_in_order, paths = zip(*missing, strict=True)
            for (extension, _path), packed in zip(
                missing,
                pool.map(_read_in_worker, extensions_in_order, paths, chunksize=chunk),
                strict=True,
            ):
                if not packed:
                    continue
                source, reading, texts = pickle.loads(packed)
                name = type(readers.readers[extension]).__name__
                cache.keep_pickled_reading(cache.read_key(name, source), reading)
                for key, text in texts.items():
                    cache.keep_text(key, text)
    except Exception as problem:  # no pool here, or a worker died: read in this process
        logger.warning("read_cache: reading in one process (%s)", problem)
    finally:
        _worker_readers.clear()


def _before_reading(generator: Any) -> None:
    """Sent before each source is read, once the generator's readers exist."""
    global _cache
    readers = generator.readers
    if not readers.settings.get("READ_CACHE", True):
        return
    _install_typogrify()
    if _cache is None or _cache.settings is not readers.settings:
        _cache = _cache_for(readers.settings)
        _fill_in_parallel(readers, _cache)
    cache: ReadCache = _cache
    for reader in readers.readers.values():
        if getattr(reader, "_read_cache", None) is not cache:
            reader.read = _remembering(reader, cache)
            reader._read_cache = cache


# The collector's first threshold during a build; see the module's docstring.
BUILD_GC_THRESHOLD = 50_000
_thresholds_before: tuple[int, int, int] | None = None
_froze = False


def _take_shortcuts(pelican: Any) -> None:
    """Sent as a build starts: shortcuts through work Pelican repeats (shortcuts.py)."""
    if pelican.settings.get("READ_CACHE", True):
        shortcuts.install()


def _collect_less(pelican: Any) -> None:
    """Sent as a build starts (Pelican asks plugins for generators): collect less often."""
    global _thresholds_before, _froze
    if not pelican.settings.get("READ_CACHE", True) or _thresholds_before is not None:
        return
    _thresholds_before = gc.get_threshold()
    gc.set_threshold(max(BUILD_GC_THRESHOLD, _thresholds_before[0]), *_thresholds_before[1:])
    # What lives when the build starts (modules, a preview's caches of earlier builds) is left
    # out of the collections the build makes: they walk only what the build itself made.
    _froze = gc.get_freeze_count() == 0
    if _froze:
        gc.freeze()


def _collect_as_before() -> None:
    global _thresholds_before, _froze
    if _thresholds_before is not None:
        gc.set_threshold(*_thresholds_before)
        _thresholds_before = None
    if _froze:
        gc.unfreeze()
        _froze = False


def _cache_for(settings: dict[str, Any]) -> ReadCache:
    """The last build's cache when it still holds (same settings and file), else the file's."""
    global _kept
    fingerprint = settings_fingerprint(settings)
    kept, _kept = _kept, None
    if kept is not None and kept.still_current(fingerprint):
        kept.rebind(settings)
        return kept
    return ReadCache(settings, fingerprint)


def _after_posts(generator: Any) -> None:
    """The posts are read: a build that empties the output first keeps only the pages' part."""
    if _cache is not None and _cache.settings.get("DELETE_OUTPUT_DIRECTORY"):
        _cache.let_go_of_used()


def _after_reading(generators: Any) -> None:
    """Every source is read: a build that empties the output first lets its cache go."""
    global _cache, _kept
    if _cache is None or not _cache.settings.get("DELETE_OUTPUT_DIRECTORY"):
        return
    _cache.release()
    _kept, _cache = _cache, None


def _index_members(generator: Any) -> None:
    if generator.settings.get("READ_CACHE", True):
        index_members(generator)


def _on_finalized(pelican: Any) -> None:
    global _cache, _kept
    if _cache is not None:
        _cache.save(in_background=True)
        _kept = _cache
    _cache = None
    _uninstall_typogrify()
    shortcuts.uninstall()
    _collect_as_before()


def _keep_compiled_templates(generator: Any) -> None:
    """Give the generator's Jinja environment a bytecode cache in Pelican's cache folder."""
    settings = generator.settings
    if not settings.get("READ_CACHE", True):
        return
    from jinja2 import FileSystemBytecodeCache

    folder = Path(settings["CACHE_PATH"]) / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as problem:  # a read-only cache folder: compile as usual
        logger.warning("read_cache: templates are compiled afresh (%s)", problem)
        return
    generator.env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def register() -> None:
    signals.get_generators.connect(_collect_less)
    signals.get_generators.connect(_take_shortcuts)
    signals.generator_init.connect(_keep_compiled_templates)
    signals.article_generator_preread.connect(_before_reading)
    signals.page_generator_preread.connect(_before_reading)
    signals.article_generator_pretaxonomy.connect(_after_posts)
    signals.article_generator_finalized.connect(_index_members)
    signals.all_generators_finalized.connect(_after_reading)
    signals.finalized.connect(_on_finalized)
