"""A comment's text in and out: input checks, Markdown rendering, the public JSON, feeds."""
