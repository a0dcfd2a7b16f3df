"""Accounts from the organisation's provider: linked by (issuer, subject), roles from claims."""

from __future__ import annotations

from sqlalchemy.orm import Session

from comments_api.auth.accounts import (
    BANNED,
    UNCHOSEN_NAME,
    Accounts,
    SignedIn,
    choose_name,
    chosen_display_name,
    masked_address,
)
from comments_api.auth.openid import PendingFlow, ProviderAccount, ProviderSignInFailed
from comments_api.db.accounts import open_session, user_with_email
from comments_api.db.identities import (
    add_identity,
    has_identity,
    identity_of,
    issuer_identity_of,
)
from comments_api.db.tables import Role, User, utcnow
from comments_api.db.used_tokens import use_once

__all__ = ["claim_state", "sign_in_with_provider", "uses_provider"]

STATE_PURPOSE = "oidc-state"


def uses_provider(accounts: Accounts, user_id: int) -> bool:
    """Whether this user has signed in with the provider (so may be signed in there still)."""
    with accounts.storage.reading() as session:
        return has_identity(session, user_id)


def claim_state(accounts: Accounts, flow: PendingFlow) -> None:
    """Use up the flow's `state`: an answer of the provider counts once (no replays)."""
    with accounts.storage.writing() as session:
        if not use_once(session, flow.state, STATE_PURPOSE):
            raise ProviderSignInFailed(
                400,
                "This sign-in was used already",
                "The answer from the sign-in service has been used once already, perhaps by "
                "reloading the page. Nobody was signed in again; start from the sign-in button.",
            )


def sign_in_with_provider(
    accounts: Accounts, account: ProviderAccount, flow: PendingFlow, previous_session: str | None
) -> SignedIn:
    """Find, link or create the user of a provider account and start a NEW session."""
    settings = accounts.settings
    now = utcnow()
    with accounts.storage.writing() as session:
        identity = identity_of(session, account.issuer, account.subject)
        if identity is not None:
            identity.last_sign_in_at = now
            user = session.get(User, identity.user_id)
            assert user is not None  # the foreign key cascades deletions
            _follow_address(session, user, account)
        else:
            user = _linked_or_new_user(session, accounts, account)
            add_identity(session, account.issuer, account.subject, user.id, now)
        if user.banned_at is not None:
            raise ProviderSignInFailed(403, "This account cannot sign in", BANNED)
        user.verified = account.verified_member or accounts.is_verified_address(user.email)
        if settings.oidc_moderator_claim:
            if account.moderator and user.role == Role.MEMBER.value:
                user.role = Role.MODERATOR.value
            elif not account.moderator and user.role == Role.MODERATOR.value:
                user.role = Role.MEMBER.value
        name = _provider_name(account)
        if name is not None and name != user.display_name:
            choose_name(session, user, name)
        secret = open_session(session, user.id, settings.session_days, previous_session)
    return SignedIn(user, secret, flow.next_url)


def _provider_name(account: ProviderAccount) -> str | None:
    """The provider's name for the person, when it can be shown."""
    if not account.name:
        return None
    try:
        return chosen_display_name(account.name)
    except ValueError:
        return None


def _linked_or_new_user(session: Session, accounts: Accounts, account: ProviderAccount) -> User:
    """The e-mail account this identity may link to (verified address only), or a new user."""
    if account.email is None or not account.email_verified:
        raise ProviderSignInFailed(
            403,
            "Your e-mail address is not verified",
            "Your account at the organisation's sign-in service has no verified e-mail "
            "address, and this blog links accounts only by verified addresses. Verify your "
            "address there and try again, or sign in with an e-mailed link.",
        )
    existing = user_with_email(session, account.email)
    if existing is None:
        user = User(
            email=account.email,
            display_name=UNCHOSEN_NAME,
            name_chosen=False,
            role=Role.MEMBER.value,
            verified=False,
            banned_at=None,
            created_at=utcnow(),
        )
        session.add(user)
        session.flush()
        return user
    if issuer_identity_of(session, existing.id, account.issuer) is not None:
        raise ProviderSignInFailed(
            409,
            "This e-mail address belongs to another account",
            f"The address {masked_address(account.email)} is already linked to a different "
            "account at the organisation's sign-in service, so this account cannot use it "
            "here. Sign in with the account you used before, or ask the blog's moderators.",
        )
    return existing


def _follow_address(session: Session, user: User, account: ProviderAccount) -> None:
    """A verified new address at the provider becomes the account's, unless someone has it."""
    if account.email is None or not account.email_verified or account.email == user.email:
        return
    if user_with_email(session, account.email) is None:
        user.email = account.email
