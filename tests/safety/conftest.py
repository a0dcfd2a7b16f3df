"""The safety tests use the mail tests' fixtures: real app, real SMTP, SQLite and PostgreSQL."""

from tests.mail.app_support import make_mail_api  # noqa: F401  (a fixture)
from tests.mail.conftest import (  # noqa: F401  (fixtures)
    engine,
    mail_settings,
    smtp_server,
)
