"""E-mail: an outbox written in the caller's transaction, delivered over SMTP off the request path.

`queue_message()` stores a message; `deliver_pending()` sends what is due (the CLI and tests call
it directly); `BackgroundSender` loops over it inside the app's lifespan.
"""

from comments_api.mail.outbox import (
    MAX_ATTEMPTS,
    deliver_pending,
    queue_message,
    sender_address,
)
from comments_api.mail.sender import BackgroundSender, Chore

__all__ = [
    "MAX_ATTEMPTS",
    "BackgroundSender",
    "Chore",
    "deliver_pending",
    "queue_message",
    "sender_address",
]
