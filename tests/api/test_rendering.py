"""What a commenter typed is what readers see: the line breaks they pressed Enter for."""

from __future__ import annotations

from comments_api.content.rendering import render_comment


def test_a_line_break_typed_in_the_comment_box_stays_a_line_break() -> None:
    html = render_comment("We started huddles last spring.\nThe second line says what changed.")

    assert html == (
        "<p>We started huddles last spring.<br>\nThe second line says what changed.</p>"
    )


def test_a_blank_line_still_starts_a_new_paragraph() -> None:
    assert render_comment("One.\n\nTwo.") == "<p>One.</p>\n<p>Two.</p>"
