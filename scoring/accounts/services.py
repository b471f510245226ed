import hashlib
import secrets

from django.db import transaction
from django.utils.text import slugify

from scoring.accounts.models import Account, ApiKey, AuditEvent, Membership

DEFAULT_ACCOUNT_SLUG = "default"
API_KEY_PREFIX = "isk"


def api_key_hash(secret: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is safe: there is nothing to guess.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def default_account() -> Account:
    """The account that pre-account data, the demo and anonymous demo requests use."""
    account, _ = Account.objects.get_or_create(
        slug=DEFAULT_ACCOUNT_SLUG, defaults={"name": "Default"}
    )
    return account


def account_for_user(*, user) -> Account:
    """The user's account; a user who has none gets a personal one."""
    # Requests ask this, so the read is outside a transaction: on SQLite one would take the
    # write lock, making each request wait for any write in progress (an upload).
    membership = Membership.objects.select_related("account").filter(user=user).first()
    if membership:
        return membership.account
    return _personal_account_create(user=user)


@transaction.atomic
def _personal_account_create(*, user) -> Account:
    membership = Membership.objects.select_related("account").filter(user=user).first()
    if membership:  # made by another request meanwhile
        return membership.account
    base = slugify(user.get_username())[:80] or "user"
    slug = base
    while Account.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    account = Account.objects.create(name=user.get_username(), slug=slug)
    Membership.objects.create(user=user, account=account)
    return account


@transaction.atomic
def membership_set(*, user, account: Account) -> Membership:
    membership, _ = Membership.objects.update_or_create(user=user, defaults={"account": account})
    return membership


@transaction.atomic
def audit_record(*, account: Account, user, action: str, obj=None, detail=None) -> AuditEvent:
    """Record who did what. `user` may be None (an anonymous demo request, a command)."""
    return AuditEvent.objects.create(
        account=account,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
    )


@transaction.atomic
def object_delete_audited(*, obj, user, detail: dict) -> None:
    """Delete an account's object (with what cascades from it) and record who did, with
    `detail` to say what it was; the record stays when the object is gone."""
    audit_record(
        account=obj.account, user=user, action=AuditEvent.Action.DELETE, obj=obj, detail=detail
    )
    obj.delete()


@transaction.atomic
def api_key_create(*, user, name: str = "") -> tuple[ApiKey, str]:
    """A new API key for user; returns it with the only copy of its secret."""
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    raw_key = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    api_key = ApiKey.objects.create(
        user=user, name=name, prefix=prefix, key_hash=api_key_hash(raw_key)
    )
    audit_record(
        account=account_for_user(user=user),
        user=user,
        action=AuditEvent.Action.API_KEY_CREATED,
        obj=api_key,
        detail={"prefix": prefix, "name": name},
    )
    return api_key, raw_key
