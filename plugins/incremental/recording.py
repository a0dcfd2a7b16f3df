"""What a page read while its template rendered, and the same reads evaluated in a later build.

A template reaches data in four ways, and each goes through a hook here:

- a name of its context (`article`, `articles_page`, `SITENAME`): `Context.resolve_or_missing`;
- an attribute or item (`article.title`, `tag["name"]`, and the attribute lookups of filters
  such as `map(attribute=...)` and `sort(attribute=...)`): `Environment.getattr`/`getitem`;
- a call (`article.date.isoformat()`, a macro, a global function): `Context.call`;
- a filter or test that is not one of Jinja's own: the environment's filters and tests.

Names and attributes of tracked objects are recorded with the digest of what they gave. A
call or a foreign filter that receives a tracked object records that object whole (every
field); a call of a function that may read anything makes the page volatile (rendered on every
build). The record of a page is its list of reads; the page is up to date when each read gives
the same digest again.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from jinja2 import Environment, Undefined
from jinja2.defaults import DEFAULT_NAMESPACE
from jinja2.filters import FILTERS
from jinja2.runtime import Context, Macro
from jinja2.tests import TESTS
from jinja2.utils import missing

from .digests import Digests, Key, Unstable, object_key

__all__ = ["Read", "Recorder", "Reads", "track_environment"]

# ("name", name) | ("attr", key, attribute) | ("item", key, item) | ("whole", key)
Read = tuple[Any, ...]
Reads = dict[Read, str]

MISSING_OBJECT = "missing-object"
SAFE_CALLABLES = frozenset(id(value) for value in DEFAULT_NAMESPACE.values())


def jinja_getattr(value: Any, attribute: str) -> Any:
    """`Environment.getattr` without the environment: the attribute, else the item."""
    try:
        return getattr(value, attribute)
    except AttributeError:
        pass
    try:
        return value[attribute]
    except (TypeError, LookupError, AttributeError):
        return missing


def jinja_getitem(value: Any, item: Any) -> Any:
    """`Environment.getitem` without the environment: the item, else the attribute."""
    try:
        if not hasattr(type(value), "__getitem__"):  # an article: no exception to raise
            raise TypeError
        return value[item]
    except (AttributeError, TypeError, LookupError):
        if isinstance(item, str):
            try:
                return getattr(value, item)
            except AttributeError:
                pass
    return missing


class Recorder:
    """The reads of the page being rendered, and the digests that decide if a page is stale."""

    def __init__(self, digests: Digests, registry: Callable[[Key], Any]) -> None:
        self.digests = digests
        self.registry = registry
        self.reads: Reads | None = None
        self.volatile = False
        self.original: dict[str, Any] = {}
        self.globals: dict[str, Any] = {}
        # Digests of what was read of each tracked object, by (read, local site URL).
        self.known: dict[Key, dict[tuple[Read, Any], str]] = {}
        self.local_site_url: Any = None
        self.by_identity: dict[int, tuple[Any, str]] = {}
        self.plain: dict[tuple[type, Any], str] = {}

    # --- while a page renders -----------------------------------------------------------

    @contextmanager
    def recording(
        self, localcontext: dict[str, Any], template_globals: dict[str, Any]
    ) -> Iterator[Reads]:
        self.reads, self.volatile = {}, False
        self.original, self.globals = localcontext, template_globals
        self.local_site_url = localcontext.get("localsiteurl")
        try:
            yield self.reads
        finally:
            self.reads = None

    def _note(self, read: Read, digest: Callable[[], str]) -> None:
        reads = self.reads
        if reads is None or self.volatile or read in reads:
            return
        try:
            reads[read] = digest()
        except Unstable:
            self.volatile = True

    def name_read(self, name: str, value: Any) -> None:
        if self.reads is None:
            return
        original = self.original.get(name, missing)
        if original is missing:
            original = self.globals.get(name, missing)
        if value is not original:
            return  # set by the template itself, from reads recorded on their own
        self._note(("name", name), lambda: self._value_digest(value))

    def attribute_read(self, owner: Any, attribute: Any, value: Any, kind: str) -> None:
        if self.reads is None:
            return
        try:
            key = object_key(owner)
        except Unstable:
            self.volatile = True
            return
        if key is None:
            return
        if isinstance(value, types.MethodType) or not isinstance(attribute, str | int):
            self.whole_read(owner)
            return
        read = (kind, key, attribute)
        self._note(read, lambda: self._known(read, value))

    def whole_read(self, owner: Any) -> None:
        try:
            key = object_key(owner)
        except Unstable:
            self.volatile = True
            return
        if key is not None:
            read = ("whole", key)
            self._note(read, lambda: self._known(read, owner))

    def arguments_read(self, arguments: tuple[Any, ...], keywords: dict[str, Any]) -> None:
        """A call or foreign filter got these: the tracked objects among them count whole."""
        if self.reads is None:
            return
        for argument in (*arguments, *keywords.values()):
            items = argument if isinstance(argument, list | tuple) else (argument,)
            for item in items:
                self.whole_read(item)

    def call_made(self, function: Any) -> None:
        if self.reads is None or id(function) in SAFE_CALLABLES:
            return
        if isinstance(function, types.MethodType):
            self.whole_read(function.__self__)
        elif isinstance(function, types.FunctionType | functools.partial):
            self.volatile = True

    # --- digests --------------------------------------------------------------------------

    def _value_digest(self, value: Any) -> str:
        if value is missing or isinstance(value, Undefined):
            return "undefined"  # what the template got for a name or field that is not there
        if isinstance(value, str | int | float | bool) or value is None:
            plain = (type(value), value)
            digest = self.plain.get(plain)
            if digest is None:
                digest = self.plain[plain] = self.digests.digest(value)
            return digest
        # Lists, pages of a list, settings' values: the same object on many pages of a build.
        found = self.by_identity.get(id(value))
        if found is None or found[0] is not value:
            found = (value, self.digests.digest(value))
            self.by_identity[id(value)] = found
        return found[1]

    def _known(self, read: Read, value: Any) -> str:
        known = self.known.setdefault(read[1], {})
        found = known.get((read, self.local_site_url))
        if found is None:
            whole = read[0] == "whole"
            found = self.digests.whole(value) if whole else self._value_digest(value)
            known[(read, self.local_site_url)] = found
        return found

    def forget(self, key: Key) -> None:
        """A plugin may change this object before its page is written: digest it afresh."""
        self.known.pop(key, None)

    def current_name(
        self, name: str, localcontext: dict[str, Any], template_globals: dict[str, Any]
    ) -> str:
        """What the context name `name` gives now, for a page with this context."""
        value = localcontext.get(name, missing)
        if value is missing and name not in localcontext:
            value = template_globals.get(name, missing)
        return self._value_digest(value)

    def current_field(self, read: Read, local_site_url: Any) -> str:
        """What a read of a tracked object (`attr`, `item`, `whole`) gives now."""
        known = self.known.setdefault(read[1], {})
        known_key = (read, local_site_url)
        found = known.get(known_key)
        if found is not None:
            return found
        owner = self.registry(read[1])
        if owner is None:
            return MISSING_OBJECT
        kind = read[0]
        if kind == "whole":
            found = self.digests.whole(owner)
        elif kind == "attr":
            found = self._value_digest(jinja_getattr(owner, read[2]))
        else:
            found = self._value_digest(jinja_getitem(owner, read[2]))
        known[known_key] = found
        return found


# --- the hooks ------------------------------------------------------------------------------


class TrackingContext(Context):
    """A template context that tells the recorder which names and calls a page used."""

    recorder: Recorder | None = None

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        recorder = self.recorder
        if recorder is not None and key not in self.vars:
            recorder.name_read(key, value)
        return value

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        recorder = __self.recorder
        if recorder is not None and recorder.reads is not None and not isinstance(__obj, Macro):
            recorder.call_made(__obj)
            recorder.arguments_read(args, kwargs)
        return super().call(__obj, *args, **kwargs)


class TrackedCallables(dict[str, Any]):
    """Filters or tests: those that are not Jinja's own record the tracked objects they get."""

    def __init__(self, callables: dict[str, Any], own: dict[str, Any], recorder: Recorder):
        super().__init__(callables)
        self.own = own
        self.recorder = recorder

    def __getitem__(self, name: str) -> Any:
        function = super().__getitem__(name)
        if self.own.get(name) is function:
            return function
        return self._wrapped(function)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default  # noqa: SIM401 - wraps like __getitem__

    def _wrapped(self, function: Any) -> Any:
        recorder = self.recorder

        @functools.wraps(function)
        def recorded(*arguments: Any, **keywords: Any) -> Any:
            recorder.arguments_read(arguments, keywords)
            return function(*arguments, **keywords)

        return recorded


def track_environment(environment: Environment, recorder: Recorder) -> None:
    """Send this environment's reads to `recorder` (only while it records a page)."""
    if getattr(environment, "_incremental_recorder", None) is recorder:
        return
    original_getattr = type(environment).getattr
    original_getitem = type(environment).getitem

    def tracked_getattr(value: Any, attribute: str) -> Any:
        found = original_getattr(environment, value, attribute)
        if recorder.reads is not None:
            recorder.attribute_read(value, attribute, found, "attr")
        return found

    def tracked_getitem(value: Any, item: Any) -> Any:
        found = original_getitem(environment, value, item)
        if recorder.reads is not None:
            recorder.attribute_read(value, item, found, "item")
        return found

    context_class = type("RecordedContext", (TrackingContext,), {"recorder": recorder})
    environment.getattr = tracked_getattr  # type: ignore[method-assign,assignment]
    environment.getitem = tracked_getitem  # type: ignore[method-assign,assignment]
    environment.context_class = context_class
    environment.filters = TrackedCallables(environment.filters, FILTERS, recorder)
    environment.tests = TrackedCallables(environment.tests, TESTS, recorder)
    environment._incremental_recorder = recorder  # type: ignore[attr-defined]
