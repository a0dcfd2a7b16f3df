"""Editors' tooling: scaffold a draft post, and check content before it is published.

Used by `invoke new-post` and `invoke check` (see tasks.py). Every problem names the file and
the line to fix, in the `path:line: message` form that editors and CI logs both understand.
"""

from .checks import check_content, drafts_in
from .documents import Document, Problem, read_document, slug_for
from .scaffold import scaffold_post

__all__ = [
    "Document",
    "Problem",
    "check_content",
    "drafts_in",
    "read_document",
    "scaffold_post",
    "slug_for",
]
