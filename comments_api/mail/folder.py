"""The development mail sink: each message as an `.eml` file in a folder, and shown on stderr.

Django's file and console e-mail backends follow the same convention: without a mail server, a
person still reads what the service sends (the sign-in links above all) and can open it in any
mail program.
"""

from __future__ import annotations

import email.policy
import os
import sys
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TextIO

__all__ = ["show_message", "write_message"]

RULE = "-" * 72
SHOWN_HEADERS = ("From", "To", "Subject", "Date")


def write_message(folder: Path, message: EmailMessage, message_id: int, now: datetime) -> Path:
    """Write `<folder>/<UTC time>-<outbox id>.eml` whole, or not at all (no half-written file)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{now:%Y%m%d-%H%M%S}-{message_id}.eml"
    partial = folder / f".{name}.partial"
    partial.write_bytes(message.as_bytes(policy=email.policy.default))
    os.replace(partial, folder / name)
    return folder / name


def show_message(message: EmailMessage, path: Path, stream: TextIO | None = None) -> None:
    """Print the headers a person reads and the plain text (links and all), in one write."""
    text = message.get_body(preferencelist=("plain",))
    lines = [
        f"{RULE}\nMail saved as {path}",
        *(f"{name}: {message[name]}" for name in SHOWN_HEADERS if message[name]),
        "",
        str(text.get_content()).rstrip() if text is not None else "(no plain-text part)",
        f"{RULE}\n",
    ]
    out = stream or sys.stderr
    out.write("\n".join(lines))
    out.flush()
