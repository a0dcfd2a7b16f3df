"""`python -m comments_api ...` is the `comments-api` command."""

from comments_api.cli import main

raise SystemExit(main())
