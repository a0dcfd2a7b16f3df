"""Development settings: `invoke build` / `make run`. Production overrides are in publishconf.py."""

import os

AUTHOR = "Improvement Network editors"
SITENAME = "Improvement Network Blog"
SITESUBTITLE = "Notes from people making health care better, one small test at a time."
SITEURL = ""
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

PATH = "content"
# Relative to this file, so builds land in the checkout whatever the current folder.
OUTPUT_PATH = "output"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra"]
# A rebuild copies only the static files that changed (see README, "Build speed").
STATIC_CHECK_IF_MODIFIED = True
# Browsers ask for /favicon.ico whatever the page says; answer them instead of a 404.
EXTRA_PATH_METADATA = {"extra/favicon.ico": {"path": "favicon.ico"}}
DEFAULT_CATEGORY = "Community news"
USE_FOLDER_AS_CATEGORY = False

# Drafts are never written: `invoke build --drafts` writes them to drafts/ for a preview.
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""

THEME = "theme"
# sitemap.xml and robots.txt are theme templates rendered like the archives page.
DIRECT_TEMPLATES = [
    "index",
    "categories",
    "tags",
    "authors",
    "archives",
    "search",
    "sitemap",
    "robots",
]
SITEMAP_SAVE_AS = "sitemap.xml"
ROBOTS_SAVE_AS = "robots.txt"
DEFAULT_PAGINATION = 10

TYPOGRIFY = True
# widont glues a title's last two words with a no-break space: on a 320 px screen a long
# pair ("spreadsheet dread") no longer fits and breaks mid-word. site.css balances headings.
TYPOGRIFY_OMIT_FILTERS = ["widont"]
# The extensions editors use (see README, "Editors' guide"). No syntax highlighting: code
# blocks stay plain, readable in both colour schemes and cheap to build.
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.fenced_code": {},
        "markdown.extensions.tables": {},
        "markdown.extensions.footnotes": {"BACKLINK_TITLE": "Back to the text of note %d"},
        "markdown.extensions.attr_list": {},
        "markdown.extensions.abbr": {},
        "markdown.extensions.def_list": {},
        "markdown.extensions.md_in_html": {},
    },
    "output_format": "html5",
}

# Feeds are off while editing; publishconf.py turns them on.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

PLUGIN_PATHS = ["plugins"]
# reading: reading time, contents, heading anchors, related posts; social: preview images;
# search: Pagefind over the output, the last step of every build; read_cache: Markdown and
# typogrify output cached by content in CACHE_PATH; incremental: a rebuild renders only the
# pages whose inputs changed (both in README, "Build speed"; incremental before search).
PLUGINS = ["comments", "reading", "social", "incremental", "search", "read_cache"]

# The comments service (see README, "Comments settings"). COMMENTS_API_URL is left to the
# plugin's default, the API that `make run` starts (plugins/comments/settings.py).
COMMENTS_POLICY_URL = ""  # empty: {SITEURL}/pages/comments-policy.html
COMMENTS_SIGN_IN = True  # the prompt links to the API's sign-in form
# Beside it, the button of the organisation's OpenID provider, when the API started with one
# (COMMENTS_OIDC_ISSUER, as `make run` passes it on); its label as the API's sign-in page shows it.
COMMENTS_SIGN_IN_PROVIDER = (
    os.environ.get("COMMENTS_OIDC_BUTTON_LABEL", "").strip() or "Sign in with your network account"
    if os.environ.get("COMMENTS_OIDC_ISSUER")
    else ""
)
COMMENTS_SNAPSHOT = False  # `make run` turns it on against the API it starts
COMMENTS_CLOSE_AFTER_DAYS = None
