"""The `comments-api` command: serve, migrate, sync threads, moderate, back up, add users."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

from pydantic import ValidationError

from comments_api.comments.backup_cli import add_backup_commands, export_command, import_command
from comments_api.comments.threads import manifest_entries
from comments_api.config import (
    DEVELOPMENT_API_PORT,
    DEVELOPMENT_HOST,
    ConfigurationError,
    Settings,
)
from comments_api.db.engine import create_database_engine, import_driver, migrate
from comments_api.db.storage import Storage
from comments_api.db.tables import Status
from comments_api.schemas import ThreadManifest

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="comments-api",
        description="The blog's comments service. Settings come from COMMENTS_* variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument(
        "--host", default=DEVELOPMENT_HOST, help=f"address to bind (default {DEVELOPMENT_HOST})"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEVELOPMENT_API_PORT,
        help=f"port (default {DEVELOPMENT_API_PORT})",
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--log-level", default="info", help="uvicorn log level")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (dev)")

    commands.add_parser("migrate", help="apply database migrations")
    sync = commands.add_parser("sync-threads", help="load a thread manifest (threads.json)")
    sync.add_argument("file", type=Path, help="the manifest the site build writes")
    commands.add_parser("list-pending", help="list comments held for moderation")
    approve = commands.add_parser("approve", help="publish a held comment")
    approve.add_argument("id", type=int, help="the comment id")
    commands.add_parser("bans", help="list the bans in force")
    unban = commands.add_parser("unban", help="lift bans, by id (see `bans`) or by address")
    unban.add_argument("ids", type=int, nargs="*", metavar="ID", help="ban ids to lift")
    unban.add_argument("--email", help="lift the bans of this address and of its account")
    unban.add_argument("--reason", help="why, for the audit log")
    commands.add_parser(
        "purge", help="apply COMMENTS_RETENTION_DAYS, forget expired links, send queued mail"
    )
    add_backup_commands(commands)
    user = commands.add_parser("create-user", help="create a user or change their role")
    user.add_argument("email", help="the person's e-mail address (they sign in with it)")
    user.add_argument(
        "--role",
        choices=["member", "moderator", "admin"],
        default="member",
        help="what they may do (default member)",
    )
    user.add_argument("--name", help="name shown with their comments (default: before the @)")
    return parser


def _storage(settings: Settings) -> Storage:
    engine = create_database_engine(settings.database_url, pool_size=2)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Storage(
        engine, session_info={"settings": settings}, busy_seconds=settings.db_busy_timeout_seconds
    )


def _migrate_database(database_url: str) -> None:
    engine = create_database_engine(database_url, pool_size=1)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def _serve(settings: Settings, arguments: argparse.Namespace) -> int:
    import uvicorn

    from comments_api.web.server import BoundedH11Protocol, fork_workers, limit_malloc_arenas

    limit_malloc_arenas()
    # Migrate once, before any worker starts, in a process of its own: Alembic (about 10 MB)
    # stays out of the workers, and the workers' modules are imported here meanwhile.
    migration = multiprocessing.get_context("fork").Process(
        target=_migrate_database, args=(settings.database_url,), name="comments-migrate"
    )
    migration.start()
    if arguments.workers > 1 and not arguments.reload:
        import comments_api.app  # noqa: F401  (the workers' modules, shared once forked)

        import_driver(settings.database_url)
        fork_workers()
    migration.join()
    if migration.exitcode != 0:
        print("comments-api: the database could not be migrated (see above)", file=sys.stderr)
        return 1
    # The workers (and this process, with one worker) must not migrate again.
    os.environ["COMMENTS_MIGRATE_ON_START"] = "false"
    uvicorn.run(
        "comments_api.app:app_from_environment",
        factory=True,
        host=arguments.host,
        port=arguments.port,
        workers=arguments.workers if arguments.workers > 1 else None,
        log_level=arguments.log_level,
        access_log=arguments.log_level in {"trace", "debug", "info"},
        reload=arguments.reload,
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        server_header=False,
        http=BoundedH11Protocol,
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `comments-api` and `python -m comments_api`."""
    arguments = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigurationError as exc:
        print(f"comments-api: {exc}", file=sys.stderr)
        return 2
    if arguments.command == "serve":
        return _serve(settings, arguments)
    with ExitStack() as opened:

        def open_storage() -> Storage:
            storage = _storage(settings)
            opened.callback(storage.engine.dispose)
            opened.callback(storage.close)
            return storage

        return _run(arguments, settings, open_storage)


def _run(
    arguments: argparse.Namespace, settings: Settings, open_storage: Callable[[], Storage]
) -> int:
    """One command other than `serve`; the databases it opens are closed by the caller."""
    command = arguments.command
    if command == "migrate":
        engine = create_database_engine(settings.database_url, pool_size=1)
        try:
            migrate(engine)
            print(f"Database is up to date: {engine.url.render_as_string(hide_password=True)}")
        finally:
            engine.dispose()
        return 0
    if command == "export":
        return export_command(arguments, open_storage)
    if command == "import":
        return import_command(arguments, open_storage)
    storage = open_storage()
    if command == "sync-threads":
        try:
            manifest = ThreadManifest.model_validate(json.loads(arguments.file.read_text("utf-8")))
        except (OSError, ValueError, ValidationError) as exc:
            print(f"comments-api: cannot read {arguments.file}: {exc}", file=sys.stderr)
            return 1
        result = storage.sync_threads(manifest_entries(manifest))
        print(f"created {result.created}, updated {result.updated}, retired {result.retired}")
        return 0
    if command == "list-pending":
        pending = storage.comments_with_status(Status.PENDING)
        if not pending:
            print("No comments are waiting for moderation.")
        for comment in pending:
            excerpt = " ".join(comment.body_md.split())[:70]
            reasons = "; ".join(comment.held_reasons.splitlines())
            print(
                f"{comment.id}\t{comment.thread_key}\t{comment.created_at:%Y-%m-%d %H:%M}\t"
                f"{comment.author_name} <{comment.author_email or ''}>\t{excerpt}\t{reasons}"
            )
        return 0
    if command == "approve":
        from comments_api.moderation.actions import (
            ActionRefused,
            AlreadyDone,
            UnknownComment,
            apply_action,
        )

        try:
            with storage.writing() as session:
                changed = apply_action(session, arguments.id, "approve", "command line")
        except UnknownComment:
            print(f"comments-api: there is no comment {arguments.id}", file=sys.stderr)
            return 1
        except AlreadyDone as done:  # what was asked for holds: not a failure
            print(done)
            return 0
        except ActionRefused as refusal:
            print(f"comments-api: {refusal}", file=sys.stderr)
            return 1
        print(f"Approved comment {arguments.id} on {changed.thread_key}")
        return 0
    if command in {"bans", "unban"}:
        from comments_api.moderation.cli import list_bans, unban

        if command == "bans":
            return list_bans(storage)
        return unban(storage, arguments.ids, arguments.email, arguments.reason)
    if command == "purge":
        from comments_api.background import run_chores_now

        purged, delivered = run_chores_now(storage.engine, settings)
        print(f"Removed personal data from {purged} comments; sent {delivered} e-mails")
        return 0
    if command == "create-user":
        from comments_api.auth.cli import create_user

        return create_user(settings, storage, arguments.email, arguments.role, arguments.name)
    raise AssertionError(command)  # pragma: no cover - argparse limits the choices
