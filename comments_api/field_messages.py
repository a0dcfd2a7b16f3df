"""What to tell people about each field of a comment, written once in `field_messages.json`.

The API's refusals, the service's error pages and the blog's comment form say the same words:
the comments plugin reads the same file (it never imports the service), writes each message
into the form's `data-error` attributes, and the widget shows them from there.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["FIELD_MESSAGES", "MISSING_MESSAGES", "SOURCE"]

SOURCE = Path(__file__).with_name("field_messages.json")
_TABLE = json.loads(SOURCE.read_text(encoding="utf-8"))

# Fields in the order of the form: a refusal lists them in this order.
FIELD_MESSAGES: dict[str, str] = dict(_TABLE["messages"])
# What to say when a required field is empty, where that differs from the message above.
MISSING_MESSAGES: dict[str, str] = dict(_TABLE["missing"])
