"""Spam scoring for comments: rules with reasons, a learning filter, and one `assess()` call.

Everything here is a pure function over text and plain data: no database, no HTTP. Storage
keeps the learning filter's `BayesState` (see `state_to_rows` / `state_to_json`) and passes it
in; the routes pass what only they know (membership, duplicates) in a
`SpamContext`.
"""

from comments_api.screening.assess import (
    Assessment,
    Verdict,
    assess,
    learning_text,
    verdict_line,
)
from comments_api.screening.bayes import (
    DOCUMENT_TOTALS_TOKEN,
    BayesState,
    TokenCountRow,
    forget,
    probability,
    state_from_json,
    state_from_rows,
    state_to_json,
    state_to_rows,
    token_counts,
    token_probability,
    tokenize,
    train,
    train_many,
)
from comments_api.screening.comment import CommentDraft, SpamContext
from comments_api.screening.links import Link, domain_of, find_links, is_trusted_domain
from comments_api.screening.pretrained import default_model
from comments_api.screening.settings import DEFAULT_TRUSTED_DOMAINS, SpamSettings

__all__ = [
    "DEFAULT_TRUSTED_DOMAINS",
    "DOCUMENT_TOTALS_TOKEN",
    "Assessment",
    "BayesState",
    "CommentDraft",
    "Link",
    "SpamContext",
    "SpamSettings",
    "TokenCountRow",
    "Verdict",
    "assess",
    "default_model",
    "domain_of",
    "find_links",
    "forget",
    "is_trusted_domain",
    "learning_text",
    "probability",
    "state_from_json",
    "state_from_rows",
    "state_to_json",
    "state_to_rows",
    "token_counts",
    "token_probability",
    "tokenize",
    "train",
    "train_many",
    "verdict_line",
]
