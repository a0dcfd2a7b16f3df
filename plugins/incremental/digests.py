"""Stable digests of the values a template reads, the same in every build that sees them.

Articles, pages and static files (Pelican's `Content`) and tags, categories and authors
(`URLWrapper`) are *tracked*: a value that holds one is digested by its key (its source path,
or its kind and name), and what a template reads of it is recorded as a read of its own. Any
other value is digested whole: strings, numbers, dates, containers, and plain objects through
their attributes. A value that cannot be digested the same way twice raises `Unstable`, and
the page that read it is rendered on every build.
"""

from __future__ import annotations

import datetime
import enum
import functools
import hashlib
import os
import types
import weakref
from pathlib import PurePath
from typing import Any

from jinja2 import Undefined
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

__all__ = ["Digests", "Unstable", "object_key"]

Key = tuple[str, str]

# Strings longer than this are hashed rather than spelled out in a digest's material.
INLINE_TEXT = 80
# Containers at least this long are digested once per build (by identity).
REMEMBERED_LENGTH = 16
DEPTH_LIMIT = 12
# Properties that `Content` computes from its fields and the site's other contents.
CONTENT_PROPERTIES = ("content", "summary", "url", "save_as")


# Attributes an object computes from its others on first use: whether they are filled in yet
# depends on which page asked first, not on the content (one paginator serves every page).
DERIVED_ATTRIBUTES: dict[type, frozenset[str]] = {Paginator: frozenset({"_count", "_num_pages"})}


class Unstable(Exception):
    """A value whose digest would not be the same in the next build."""


def object_key(value: Any) -> Key | None:
    """The key of a tracked object, or None when `value` is not tracked."""
    if isinstance(value, Content):
        source = getattr(value, "relative_source_path", None) or value.source_path
        if not source:
            raise Unstable(f"{type(value).__name__} without a source path")
        return (type(value).__name__, str(source))
    if isinstance(value, URLWrapper):
        return (type(value).__name__, str(value.name))
    return None


# Digests of immutable values (frozen dataclasses of strings, numbers and paths, such as the
# comments plugin's sections and the social plugin's images, which a rebuild in the same
# process reuses), across builds, for as long as the values live.
# Equal values of other field types (a Markup for a str) are told apart by the types.
_immutable: weakref.WeakKeyDictionary[Any, tuple[tuple[type, ...], str]] = (
    weakref.WeakKeyDictionary()
)
PLAIN = (str, int, float, bool, type(None), PurePath)


def _is_immutable(value: Any) -> bool:
    parameters = getattr(type(value), "__dataclass_params__", None)
    if parameters is None or not parameters.frozen:
        return False
    fields = getattr(value, "__dict__", None)  # none with __slots__: digested as other objects
    return isinstance(fields, dict) and all(isinstance(field, PLAIN) for field in fields.values())


def _hashed(material: str) -> str:
    return hashlib.blake2b(material.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Digests:
    """Digests of values for one build; containers are remembered by identity."""

    def __init__(self, shared: dict[str, Any]) -> None:
        # The settings and context dicts, by label: fingerprinted once for the whole build.
        # Each is kept (not only its id), so that no later object can be taken for it.
        self.shared: dict[int, tuple[Any, str]] = {}
        for label, value in shared.items():
            self.share(value, label)
        self.remembered: dict[int, tuple[Any, str]] = {}
        # Pages of lists, by their paginator, fields and posts (see `_page`).
        self.pages: dict[tuple[Any, ...], tuple[Any, str]] = {}
        # Tracked objects' material (their key), by identity: lists of posts hold the same
        # thousand articles, once per list and per page of a list.
        self.tracked: dict[int, tuple[Any, str]] = {}

    def share(self, value: Any, label: str) -> None:
        self.shared.setdefault(id(value), (value, label))

    def forget(self) -> None:
        self.remembered.clear()

    def digest(self, value: Any) -> str:
        """A short digest of `value`."""
        if not _is_immutable(value):
            return _hashed(self.material(value, 0))
        types_of_fields = tuple(type(field) for field in vars(value).values())
        found = _immutable.get(value)
        if found is None or found[0] != types_of_fields:
            found = _immutable[value] = (types_of_fields, _hashed(self.material(value, 0)))
        return found[1]

    def whole(self, value: Any) -> str:
        """A tracked object digested through all its fields, not just its key."""
        fields = {
            name: field
            for name, field in vars(value).items()
            if not name.startswith("_get_") and name != "_context"
        }
        material = [type(value).__qualname__, self.material(fields, 1)]
        if isinstance(value, Content):
            for name in CONTENT_PROPERTIES:
                material.append(self.material(getattr(value, name, None), 1))
        return _hashed("\x1f".join(material))

    def material(self, value: Any, depth: int) -> str:  # noqa: C901 - one case per kind of value
        if depth > DEPTH_LIMIT:
            raise Unstable("a value nested too deeply to digest")
        if value is None or isinstance(value, bool | int | float | complex):
            return f"{type(value).__name__}:{value!r}"
        if isinstance(value, str):
            text = str.__str__(value)
            body = text if len(text) <= INLINE_TEXT else "#" + _hashed(text)
            return f"{type(value).__name__}:{len(text)}:{body}"
        if isinstance(value, bytes):
            return f"bytes:{hashlib.blake2b(value, digest_size=16).hexdigest()}"
        if isinstance(value, Undefined):
            return "undefined"
        tracked = self.tracked.get(id(value))
        if tracked is not None and tracked[0] is value:
            return tracked[1]
        key = object_key(value)
        if key is not None:
            material = f"tracked:{key!r}"
            self.tracked[id(value)] = (value, material)
            return material
        shared = self.shared.get(id(value))
        if shared is not None and shared[0] is value:
            return shared[1]
        if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
            return f"{type(value).__name__}:{value!r}"
        if isinstance(value, datetime.tzinfo):  # a ZoneInfo's name, a fixed offset's offset
            return f"tzinfo:{type(value).__qualname__}:{value!s}"
        if isinstance(value, enum.Enum):
            return f"enum:{type(value).__qualname__}.{value.name}"
        if isinstance(value, os.PathLike):
            return f"path:{os.fspath(value)}"
        if isinstance(value, list | tuple | set | frozenset | dict):
            return self._container(value, depth)
        if isinstance(value, types.MethodType):
            owner = value.__self__
            owner_key = object_key(owner)
            about = self.whole(owner) if owner_key else self.material(owner, depth + 1)
            return f"method:{value.__func__.__qualname__}:{about}"
        if isinstance(value, functools.partial):
            parts = (value.func, value.args, value.keywords)
            return f"partial:{self.material(parts, depth + 1)}"
        if isinstance(value, types.FunctionType | types.BuiltinFunctionType | type):
            return f"code:{value.__module__}.{value.__qualname__}"
        if type(value) is Page:
            return self._page(value, depth)
        attributes = getattr(value, "__dict__", None)
        if isinstance(attributes, dict):
            derived = DERIVED_ATTRIBUTES.get(type(value))
            if derived is None:
                return f"object:{type(value).__qualname__}:{self.material(attributes, depth + 1)}"
            # A paginator serves every page of its list, and only fills in its derived fields.
            found = self.remembered.get(id(value))
            if found is not None and found[0] is value:
                return found[1]
            attributes = {name: item for name, item in attributes.items() if name not in derived}
            material = f"object:{type(value).__qualname__}:{self.material(attributes, depth + 1)}"
            self.remembered[id(value)] = (value, material)
            return material
        raise Unstable(f"a {type(value).__qualname__} cannot be digested")

    def _page(self, page: Page, depth: int) -> str:
        """A page of a list: Pelican makes it again for each page that links to it (as the
        next or previous page), with the same fields, so it is digested once by those."""
        fields = vars(page)
        key = (
            id(page.paginator),
            tuple(
                (name, type(field), field if isinstance(field, str | int) else id(field))
                for name, field in fields.items()
                if name != "object_list"
            ),
            tuple(map(id, page.object_list)) if isinstance(page.object_list, list) else None,
        )
        found = self.pages.get(key)
        if found is not None and found[0] is page.paginator:
            return found[1]
        material = f"object:{type(page).__qualname__}:{self.material(fields, depth + 1)}"
        if key[2] is not None:
            self.pages[key] = (page.paginator, material)
        return material

    def _container(self, value: Any, depth: int) -> str:
        remember = len(value) >= REMEMBERED_LENGTH
        if remember:
            found = self.remembered.get(id(value))
            if found is not None and found[0] is value:
                return found[1]
        if isinstance(value, dict):
            items = sorted(
                f"{self.material(name, depth + 1)}={self.material(item, depth + 1)}"
                for name, item in value.items()
            )
            material = "{" + ",".join(items) + "}"
        elif isinstance(value, set | frozenset):
            material = "set{" + ",".join(sorted(self.material(v, depth + 1) for v in value)) + "}"
        else:
            inner = ",".join(self.material(item, depth + 1) for item in value)
            material = f"{type(value).__name__}[{inner}]"
        if len(material) > INLINE_TEXT * 4:
            material = f"{type(value).__name__}#{_hashed(material)}"
        if remember:
            self.remembered[id(value)] = (value, material)
        return material
