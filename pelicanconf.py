"""Development settings: `invoke build` / `make run`. Production overrides are in publishconf.py."""

AUTHOR = "Improvement Network editors"
SITENAME = "Improvement Network Blog"
SITEURL = ""
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
THEME = "theme"

TYPOGRIFY = True
DEFAULT_PAGINATION = 10

# Feeds are off while editing; publishconf.py turns them on.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["comments"]

# The comments service (see README, "Comments settings").
COMMENTS_API_URL = "http://127.0.0.1:8001"
COMMENTS_POLICY_URL = ""  # empty: {SITEURL}/pages/comments-policy.html
COMMENTS_SIGN_IN = False
COMMENTS_SNAPSHOT = False  # development pages load comments live through the widget
COMMENTS_CLOSE_AFTER_DAYS = None
