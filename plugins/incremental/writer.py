"""Pelican's Writer, rendering only the pages whose recorded reads changed.

`write_file` is Pelican's own (pagination included); the template it gets is wrapped so that,
for each output file, the page's record is checked first. An up-to-date page is not rendered
and its file is left alone; any other page is rendered with its reads recorded, and written
only when its bytes differ from the file already there. Feeds are rendered and written the
same way (only when their bytes changed).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from .recording import Recorder
from .state import Build, PageRecord

__all__ = ["IncrementalWriter"]

logger = logging.getLogger(__name__)


class _Buffered(io.StringIO):
    """A file opened for writing: kept in memory, written on close only if it changed."""

    def __init__(self, path: str, encoding: str, on_close: Any) -> None:
        super().__init__()
        self.path, self.target_encoding, self.on_close = path, encoding, on_close

    def close(self) -> None:
        if not self.closed:
            data = self.getvalue().encode(self.target_encoding)
            target = Path(self.path)
            try:
                same = target.stat().st_size == len(data) and target.read_bytes() == data
            except OSError:
                same = False
            if not same:
                target.write_bytes(data)
            self.on_close(self.path, same)
        super().close()


class _Discarded(io.StringIO):
    pass


class _RecordedTemplate:
    """Stands in for a template in `write_file`: checks, then renders only when needed."""

    def __init__(self, template: Any, writer: IncrementalWriter) -> None:
        self.template, self.writer = template, writer

    def render(self, localcontext: dict[str, Any]) -> str:
        return self.writer.render_page(self.template, localcontext)


class IncrementalWriter(Writer):  # type: ignore[misc]
    """Returned to Pelican by `get_writer`; `build` is this run's bookkeeping."""

    build: Build

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.build = Build(self.settings, output_path)
        self.pending: dict[str, PageRecord | None] = {}
        self.up_to_date: set[str] = set()
        self.opened: dict[str, int] = {}

    @property
    def recorder(self) -> Recorder:
        return self.build.recorder

    def write_file(self, name: Any, template: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        self.build.prepare(context, template.environment)
        return super().write_file(name, _RecordedTemplate(template, self), context, *args, **kwargs)

    def render_page(self, template: Any, localcontext: dict[str, Any]) -> str:
        path = sanitised_join(self.output_path, localcontext["output_file"])
        template_globals = template.globals
        identity = self.build.template_identity(template)
        if self.build.is_up_to_date(path, identity, localcontext, template_globals):
            self.up_to_date.add(path)
            return ""
        with self.recorder.recording(localcontext, template_globals) as reads:
            output: str = template.render(localcontext)
        record = None
        if not self.recorder.volatile:
            record = self.build.new_record(identity, reads, localcontext.get("localsiteurl"))
        self.pending[path] = record
        self.build.rendered.append(path)
        return output

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
            logger.info('Skipping "%s", not overwriting', filename)
            self.pending.pop(filename, None)
            return _Discarded()
        if filename in self._written_files:
            if override:
                logger.info('Overwriting "%s"', filename)
            else:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already written to it '
                    "previously (set `override=True` if intended)"
                )
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        self.opened[filename] = self.opened.get(filename, 0) + 1
        if filename in self.up_to_date:
            self.up_to_date.discard(filename)
            self.build.kept(filename)
            return _Discarded()
        return _Buffered(filename, encoding, self._closed)

    def _closed(self, path: str, unchanged: bool) -> None:
        record = self.pending.pop(path, None)
        if self.opened.get(path, 0) > 1:
            record = None  # written twice in one build: always render it
        self.build.written(path, record, unchanged)

    def write_feed(
        self,
        elements: Any,
        context: Any,
        path: Any = None,
        url: Any = None,
        feed_type: str = "atom",
        override_output: bool = False,
        feed_title: Any = None,
    ) -> Any:
        """A feed whose items and settings are as in the last build is not built again.

        Plugins that change or read a feed as it is made (`feed_generated`, `feed_written`)
        see every feed built, as without this plugin.
        """
        arguments = (url, feed_type, override_output, feed_title)
        if not path:
            return super().write_feed(elements, context, path, *arguments)
        complete = sanitised_join(self.output_path, path)
        identity = None
        if not (signals.feed_generated.receivers or signals.feed_written.receivers):
            items = elements[: self.settings["FEED_MAX_ITEMS"]]
            # The site's address as Pelican's writer takes it for the feed's links.
            site_url = context.get("SITEURL", path_to_url(get_relative_path(path)))
            identity = self.build.feed_identity(items, context, site_url, (str(path), *arguments))
        if identity is not None and self.build.is_up_to_date(complete, identity, {}, {}):
            self.up_to_date.add(complete)
            self._open_w(complete, "utf-8", override_output).close()
            return None
        self.pending[complete] = (
            None if identity is None else PageRecord(identity, (), frozenset(), 0, 0)
        )
        self.build.rendered.append(complete)
        return super().write_feed(elements, context, path, *arguments)
