"""The comments service: a small API that stores, moderates and serves blog comments."""

from comments_api.app import app_from_environment, create_app
from comments_api.config import ConfigurationError, Settings

__all__ = ["ConfigurationError", "Settings", "app_from_environment", "create_app"]
