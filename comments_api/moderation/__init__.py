"""Moderation: actions on comments with an audit log (`actions`), and the moderators' pages."""
