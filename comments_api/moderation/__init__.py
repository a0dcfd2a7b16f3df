"""Moderation: the policy that decides what is published, moderators' actions with an audit log,
the queue, bans, authors' history and the learned spam model's counts. The pages are in `web.pages`.
"""
