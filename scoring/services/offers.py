from django.db import transaction

from scoring.models import Offer


@transaction.atomic
def offer_create(*, name: str, value_props: list[str], ideal_use_cases: list[str]) -> Offer:
    return Offer.objects.create(
        name=name, value_props=list(value_props), ideal_use_cases=list(ideal_use_cases)
    )


@transaction.atomic
def offer_update(*, offer: Offer, **fields) -> Offer:
    for field, value in fields.items():
        setattr(offer, field, value)
    offer.save(update_fields=list(fields))
    return offer


@transaction.atomic
def offer_delete(*, offer: Offer) -> None:
    """Delete an offer and every score against it."""
    offer.delete()
