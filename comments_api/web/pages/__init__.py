"""Server-rendered pages: moderation, bans, the links in e-mails."""
