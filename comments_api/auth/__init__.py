"""Members and moderators: passwordless sign-in, sessions, roles (`accounts`), and the request
dependencies that check them: session user, moderator, CSRF and Origin (`dependencies`).
"""
