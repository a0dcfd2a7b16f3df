"""Every kind of refusal the domain raises has its HTTP answer, with the one error body."""

from __future__ import annotations

import inspect

import pytest

from comments_api import errors
from comments_api.errors import ApiError, Invalid, RateLimited, Refusal
from comments_api.web.refusals import STATUS_CODES, as_api_error


def domain_refusals() -> list[type[Refusal]]:
    return [
        kind
        for _, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, Refusal) and kind not in {Refusal, ApiError}
    ]


def test_every_kind_of_refusal_has_its_status() -> None:
    kinds = domain_refusals()
    assert len(kinds) >= 6
    assert sorted(kind.__name__ for kind in kinds) == sorted(kind.__name__ for kind in STATUS_CODES)


@pytest.mark.parametrize("kind", domain_refusals(), ids=lambda kind: kind.__name__)
def test_a_refusal_keeps_its_words_in_the_answer(kind: type[Refusal]) -> None:
    refusal = (
        RateLimited("Too many.", [("rate_limit", "create: 5 per minute")], retry_after=7)
        if kind is RateLimited
        else kind("Not like that.", [("body", "Write something.")])
    )

    answer = as_api_error(refusal)

    assert answer.status_code == STATUS_CODES[kind]
    assert answer.body() == {
        "detail": refusal.detail,
        "errors": [{"field": error.field, "message": error.message} for error in refusal.errors],
    }
    assert answer.headers == ({"Retry-After": "7"} if kind is RateLimited else {})


def test_a_field_refusal_sums_up_the_fields_by_their_labels() -> None:
    refusal = Invalid.correct([("author", "Give your name."), ("email", "Give an address.")])

    assert as_api_error(refusal).body()["detail"] == "Please correct: Name, E-mail."
    assert as_api_error(refusal).status_code == 422
