"""Production settings: `invoke publish` and the publish workflow."""

import os
import sys

# Import pelicanconf from beside this file, whatever the current folder.
sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "")
RELATIVE_URLS = False

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"

DELETE_OUTPUT_DIRECTORY = True

if "COMMENTS_API_URL" in os.environ:
    COMMENTS_API_URL = os.environ["COMMENTS_API_URL"]
# Approved comments go into the static pages; the API being down only costs a warning.
COMMENTS_SNAPSHOT = True
COMMENTS_SNAPSHOT_TOKEN = os.environ.get("COMMENTS_BUILD_TOKEN", "")
