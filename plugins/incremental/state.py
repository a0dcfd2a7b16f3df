"""One build's bookkeeping, and the records kept between builds in CACHE_PATH.

The records are thrown away (every page is rendered) when the build's fingerprint changes: the
settings, the templates Jinja can load, the plugins' code and the libraries' versions. After
the pages are written, the files an earlier build wrote that this one did not are removed, so
the output holds what a clean build of the same content would write.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import tempfile
from dataclasses import dataclass, field, replace
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

from .digests import Digests, Key, Unstable, object_key
from .recording import Read, Reads, Recorder, track_environment

__all__ = ["Build", "PageRecord"]

logger = logging.getLogger(__name__)

STATE_FILE = "incremental.pickle"
FORMAT = 2
ADDRESS = re.compile(r" at 0x[0-9a-f]+")
# What Pelican's writer reads of each item of a feed, besides its content.
FEED_FIELDS = ("title", "url", "summary", "category", "tags", "author", "date", "modified")
LIBRARIES = ("pelican", "jinja2", "markupsafe", "markdown", "typogrify", "smartypants")


# What a read gave when a page was rendered: the read, the local site URL of that page (a
# tracked object's URLs depend on it), and the digest. A page's record holds the ids of these
# in the build's table, so that a check is a set comparison once each distinct read of the
# build has been evaluated (a thousand posts make ~190,000 reads, ~20,000 of them distinct).
Observation = tuple[Read, Any, str]


@dataclass(frozen=True)
class PageRecord:
    template: str
    names: tuple[tuple[Read, str], ...]  # reads of the page's own context, with their digests
    fields: frozenset[int]  # ids of the observations of tracked objects it made
    size: int
    mtime_ns: int


def _tree_digest(folders: list[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")) if Path(folder).is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _named(value: Any) -> str:
    """A setting that JSON cannot write: functions by name, other objects without addresses."""
    name = getattr(value, "__qualname__", None)
    if name:
        return f"{getattr(value, '__module__', '')}.{name}"
    return ADDRESS.sub("", repr(value))


def build_fingerprint(settings: dict[str, Any], template_folders: list[str]) -> str:
    """What every page depends on: settings, templates, plugins' code, libraries' versions."""
    plain = {}
    for name, value in sorted(settings.items()):
        try:
            plain[name] = json.dumps(value, sort_keys=True, default=_named)
        except (TypeError, ValueError):
            plain[name] = repr(type(value))
    versions = {}
    for library in LIBRARIES:
        try:
            versions[library] = package_metadata.version(library)
        except package_metadata.PackageNotFoundError:
            versions[library] = ""
    material = {
        "settings": plain,
        "versions": versions,
        "templates": _tree_digest(template_folders),
        "plugins": _tree_digest([str(folder) for folder in settings.get("PLUGIN_PATHS", [])]),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


# The records this process wrote last, by file: the next build in the same process (the live
# preview's) takes them from here while the file is still the one written.
_kept_records: dict[str, tuple[tuple[int, int] | None, dict[str, Any]]] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


def _written_here(path: Path) -> dict[str, Any] | None:
    kept = _kept_records.pop(str(path), None)
    if kept is None or kept[0] is None or kept[0] != _stamp(path):
        return None
    return kept[1]


@dataclass
class Build:
    """This run: the records of the last one, the new ones, and what was rendered."""

    settings: dict[str, Any]
    output_path: str
    previous: dict[str, PageRecord] = field(default_factory=dict)
    records: dict[str, PageRecord] = field(default_factory=dict)
    outputs: set[str] = field(default_factory=set)
    rendered: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    recorder: Recorder = field(init=False)
    _registry: dict[Key, Any] | None = None
    _context: dict[str, Any] | None = None
    _templates: dict[str, str] = field(default_factory=dict)
    _previous_outputs: set[str] = field(default_factory=set)
    _previous_fingerprint: str | None = None
    # The observations the records refer to, by id; which of them hold in this build so far.
    _observations: list[Observation] = field(default_factory=list)
    _observation_ids: dict[Observation, int] = field(default_factory=dict)
    _by_object: dict[Key, list[int]] = field(default_factory=dict)
    _holding: set[int] = field(default_factory=set)
    _broken: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.digests = Digests({"settings": self.settings})
        self.recorder = Recorder(self.digests, self.find)
        self.path = Path(self.settings.get("CACHE_PATH") or "cache") / STATE_FILE
        self._load()

    # --- state between builds -----------------------------------------------------------

    def _load(self) -> None:
        try:
            saved = _written_here(self.path) or pickle.loads(self.path.read_bytes())
        except FileNotFoundError:
            return
        except Exception as problem:  # a damaged or foreign file: render everything
            logger.warning("incremental: ignoring %s (%s)", self.path, problem)
            return
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            return
        if saved.get("output_path") != os.path.abspath(self.output_path):
            return
        self.previous = {path: PageRecord(*fields) for path, fields in saved["records"].items()}
        for observation in saved["observations"]:
            self._observe(observation)
        self._previous_outputs = set(saved.get("outputs", ()))
        self._previous_fingerprint = saved.get("fingerprint")

    def save(self) -> None:
        records, observations = self._compacted()
        saved = {
            "format": FORMAT,
            "output_path": os.path.abspath(self.output_path),
            "fingerprint": self.fingerprint,
            # Plain tuples, so that the file can be read without this package.
            "records": {
                path: (record.template, record.names, record.fields, record.size, record.mtime_ns)
                for path, record in records.items()
            },
            "observations": observations,
            "outputs": sorted(self.outputs),
            "rendered": sorted(self.rendered),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".incremental.")
        try:
            with os.fdopen(handle, "wb") as written:
                pickle.dump(saved, written, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _kept_records[str(self.path)] = (_stamp(self.path), saved)

    def _compacted(self) -> tuple[dict[str, PageRecord], list[Observation]]:
        """The records, and only the observations they refer to (renumbered when many are not)."""
        used: set[int] = set().union(*(record.fields for record in self.records.values()))
        if len(used) * 2 >= len(self._observations):
            return self.records, self._observations
        renumbered = {old: new for new, old in enumerate(sorted(used))}
        records = {
            path: replace(record, fields=frozenset(renumbered[old] for old in record.fields))
            for path, record in self.records.items()
        }
        return records, [self._observations[old] for old in sorted(used)]

    def _observe(self, observation: Observation) -> int:
        found = self._observation_ids.get(observation)
        if found is None:
            found = self._observation_ids[observation] = len(self._observations)
            self._observations.append(observation)
            self._by_object.setdefault(observation[0][1], []).append(found)
        return found

    # --- the objects of this build -------------------------------------------------------

    def prepare(self, context: dict[str, Any], environment: Any) -> None:
        """Before the first page of a generator: hook its templates, fingerprint the build."""
        track_environment(environment, self.recorder)
        if self._context is None:
            self._context = context
        self.digests.share(context, "context")
        if self.fingerprint is None:
            folders = [
                folder
                for loader in getattr(environment.loader, "loaders", [environment.loader])
                for folder in getattr(loader, "searchpath", [])
            ]
            folders += list(self.settings.get("THEME_TEMPLATES_OVERRIDES", []))
            folders.append(os.path.join(self.settings["THEME"], "templates"))
            self.fingerprint = build_fingerprint(self.settings, folders)
            if self.fingerprint != self._previous_fingerprint:
                self.previous = {}

    def find(self, key: Key) -> Any:
        """The tracked object with this key in this build, or None."""
        if self._registry is None:
            self._registry = {}
            context = self._context or {}
            contents: list[Any] = list(context.get("generated_content", {}).values())
            contents += list(context.get("static_content", {}).values())
            for content in contents:
                if not isinstance(content, Content):
                    continue
                self._register(content)
                for name in ("tags", "authors"):
                    for wrapper in getattr(content, name, None) or []:
                        self._register(wrapper)
                for name in ("category", "author"):
                    self._register(getattr(content, name, None))
            for name in ("tags", "categories", "authors"):
                entries = context.get(name) or []
                for entry in entries.items() if isinstance(entries, dict) else entries:
                    if isinstance(entry, tuple) and entry:
                        self._register(entry[0])
        return self._registry.get(key)

    def _register(self, value: Any) -> None:
        if isinstance(value, Content | URLWrapper):
            try:
                key = object_key(value)
            except Unstable:
                return
            if key is not None:
                assert self._registry is not None
                self._registry.setdefault(key, value)

    def template_identity(self, template: Any) -> str:
        filename = getattr(template, "filename", None) or ""
        found = self._templates.get(filename)
        if found is None:
            try:
                source = Path(filename).read_bytes() if filename else b""
            except OSError:
                source = b""
            found = f"{template.name}:{hashlib.blake2b(source, digest_size=16).hexdigest()}"
            self._templates[filename] = found
        return found

    # --- pages --------------------------------------------------------------------------

    def feed_identity(
        self, items: list[Any], context: dict[str, Any], site_url: str, arguments: tuple[Any, ...]
    ) -> str | None:
        """What Pelican's writer makes a feed of: the site's names, the call's arguments and,
        of each item, the fields `Writer._add_item_to_the_feed` reads.

        None when a value cannot be digested (the feed is then built every time).
        """
        digests = self.digests
        try:
            material = [
                digests.material((site_url, *arguments), 0),
                *(
                    digests.material(context.get(name), 0)
                    for name in ("SITENAME", "SITEURL", "SITESUBTITLE", "FEED_DOMAIN")
                ),
            ]
            for item in items:
                fields = [getattr(item, name, None) for name in FEED_FIELDS]
                fields.append(item.get_content(site_url))
                material.append(digests.material(fields, 0))
        except (Unstable, AttributeError):
            return None
        joined = "\x1f".join(material).encode("utf-8", "surrogatepass")
        return f"feed:{hashlib.blake2b(joined, digest_size=16).hexdigest()}"

    def is_up_to_date(
        self,
        path: str,
        template: str,
        localcontext: dict[str, Any],
        template_globals: dict[str, Any],
    ) -> bool:
        record = self.previous.get(path)
        if record is None or record.template != template:
            return False
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (record.size, record.mtime_ns):
            return False
        try:
            return self._reads_hold(record, localcontext, template_globals)
        except Unstable:
            return False

    def _reads_hold(
        self, record: PageRecord, localcontext: dict[str, Any], template_globals: dict[str, Any]
    ) -> bool:
        recorder = self.recorder
        for (_kind, name), digest in record.names:
            if recorder.current_name(name, localcontext, template_globals) != digest:
                return False
        fields = record.fields
        if fields <= self._holding:
            return True
        if not fields.isdisjoint(self._broken):
            return False
        for number in fields - self._holding:
            read, local_site_url, digest = self._observations[number]
            if recorder.current_field(read, local_site_url) != digest:
                self._broken.add(number)
                return False
            self._holding.add(number)
        return True

    def new_record(self, template: str, reads: Reads, local_site_url: Any) -> PageRecord:
        """The record of a page just rendered, from what it read (size and time come later)."""
        names = []
        fields = []
        for read, digest in reads.items():
            if read[0] == "name":
                names.append((read, digest))
            else:
                number = self._observe((read, local_site_url, digest))
                self._holding.add(number)  # what the page read holds now, by definition
                fields.append(number)
        return PageRecord(template, tuple(names), frozenset(fields), 0, 0)

    def forget(self, key: Key) -> None:
        """A plugin may change this object before its page is written: check it afresh."""
        self.recorder.forget(key)
        numbers = self._by_object.get(key)
        if numbers:
            self._holding.difference_update(numbers)
            self._broken.difference_update(numbers)

    def kept(self, path: str) -> None:
        self.outputs.add(path)
        self.records[path] = self.previous[path]

    def written(self, path: str, record: PageRecord | None, unchanged: bool) -> None:
        self.outputs.add(path)
        self.records.pop(path, None)
        if record is not None:
            stat = os.stat(path)
            self.records[path] = replace(record, size=stat.st_size, mtime_ns=stat.st_mtime_ns)

    def remove_stale_outputs(self) -> list[str]:
        """Files an earlier build wrote and this one did not: a clean build has none of them."""
        removed = []
        root = os.path.abspath(self.output_path)
        for path in sorted(self._previous_outputs - self.outputs):
            if not os.path.abspath(path).startswith(root + os.sep):
                continue
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            removed.append(path)
            folder = os.path.dirname(os.path.abspath(path))
            while folder != root and folder.startswith(root) and not os.listdir(folder):
                os.rmdir(folder)
                folder = os.path.dirname(folder)
        return removed
