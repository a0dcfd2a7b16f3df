"""The comments service: a small API that stores, moderates and serves blog comments."""
