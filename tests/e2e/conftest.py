"""The e2e suite's stacks: a built site and the real comments API on loopback ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.live_site import Stack, start_stack
from tests.smtp import SmtpServer


@pytest.fixture(scope="module")
def stack_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Stack]]:
    """Start site+API stacks; all are stopped when the module is done."""
    stacks: list[Stack] = []

    def start(posts: list[tuple[str, str]], smtp: SmtpServer | None = None) -> Stack:
        stack = start_stack(tmp_path_factory.mktemp("stack"), posts, smtp)
        stacks.append(stack)
        return stack

    yield start
    for stack in stacks:
        stack.api.stop()
        stack.site.close()
