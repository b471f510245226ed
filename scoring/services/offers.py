from django.db import transaction

from scoring.models import Account, AuditEvent, Offer
from scoring.services.accounts import audit_record


@transaction.atomic
def offer_create(
    *, account: Account, name: str, value_props: list[str], ideal_use_cases: list[str]
) -> Offer:
    return Offer.objects.create(
        account=account,
        name=name,
        value_props=list(value_props),
        ideal_use_cases=list(ideal_use_cases),
    )


@transaction.atomic
def offer_update(*, offer: Offer, **fields) -> Offer:
    for field, value in fields.items():
        setattr(offer, field, value)
    offer.save(update_fields=list(fields))
    return offer


@transaction.atomic
def offer_delete(*, offer: Offer, user=None) -> None:
    """Delete an offer and every score against it."""
    audit_record(
        account=offer.account,
        user=user,
        action=AuditEvent.Action.DELETE,
        obj=offer,
        detail={"name": offer.name, "scores": offer.scores.count()},
    )
    offer.delete()
