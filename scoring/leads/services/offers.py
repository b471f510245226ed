"""Writes of offers. An offer's buyer profile is inferred from its text when not given."""

import logging

from django.db import transaction

from scoring.accounts.models import Account
from scoring.accounts.services import object_delete_audited
from scoring.leads.assessment import OfferProfile
from scoring.leads.assessors import assessor_from_settings
from scoring.leads.buyer_profile import (
    PROFILE_FIELDS,
    PROFILE_METADATA,
    SOURCE_EXPLICIT,
    SOURCE_INFERRED,
    BuyerProfile,
)
from scoring.leads.matcher import LocalAssessor
from scoring.leads.models import Offer
from scoring.llm.base import ProviderError

logger = logging.getLogger(__name__)

# The offer fields a buyer profile is inferred from: changing one re-infers an inferred one.
_PROFILE_SOURCES = ("name", "value_props", "ideal_use_cases")


def _inferred_profile(*, name, value_props, ideal_use_cases, provider) -> dict:
    """The profile the offer's text implies: from a remote provider (one call), else, or when
    that call fails, from the local vocabulary."""
    offer = OfferProfile(
        name=name,
        value_props=tuple(value_props),
        ideal_use_cases=tuple(ideal_use_cases),
        buyer_profile=BuyerProfile(),  # not inferred twice
    )
    try:
        return provider.infer_buyer_profile(offer=offer).as_dict()
    except ProviderError as exc:
        logger.warning("buyer profile inference by %s failed: %s", provider.name, exc.message)
        local = LocalAssessor().infer_buyer_profile(offer=offer)
        fallback = f"{local.inferred_by} (fallback: {provider.name} failed)"
        return {**local.as_dict(), "inferred_by": fallback}


def _buyer_profile(*, name, value_props, ideal_use_cases, given: dict | None, provider) -> dict:
    """The profile inferred from the offer's text, with the fields given over it; "explicit"
    when any field was given (and nothing inferred when every field was)."""
    given = {key: value for key, value in (given or {}).items() if key not in PROFILE_METADATA}
    if set(PROFILE_FIELDS) <= set(given):
        return {**given, "source": SOURCE_EXPLICIT, "inferred_by": ""}
    inferred = _inferred_profile(
        name=name, value_props=value_props, ideal_use_cases=ideal_use_cases, provider=provider
    )
    if not given:
        return inferred
    return {**inferred, **given, "source": SOURCE_EXPLICIT}


def offer_create(
    *,
    account: Account,
    name: str,
    value_props: list[str],
    ideal_use_cases: list[str],
    buyer_profile: dict | None = None,
    rule_set: str = "",
    provider=None,
) -> Offer:
    """An offer with its buyer profile: the fields of `buyer_profile` given, the rest read
    from the offer's own text by `provider` (default: the configured one). Call it outside a
    transaction: a remote provider may take seconds; the write is atomic by itself."""
    profile = _buyer_profile(
        name=name,
        value_props=value_props,
        ideal_use_cases=ideal_use_cases,
        given=buyer_profile,
        provider=provider or assessor_from_settings(),
    )
    with transaction.atomic():
        return Offer.objects.create(
            account=account,
            name=name,
            value_props=list(value_props),
            ideal_use_cases=list(ideal_use_cases),
            buyer_profile=profile,
            rule_set=rule_set,
        )


def offer_update(
    *, offer: Offer, buyer_profile: dict | None = None, provider=None, **fields
) -> Offer:
    """Change an offer. Fields given in `buyer_profile` replace the profile's (it becomes
    explicit; `{}` infers it afresh); an inferred profile is inferred again when the text it
    came from changes. Its scores go stale by themselves: the profile is part of every
    score's content hash."""
    for field, value in fields.items():
        setattr(offer, field, value)
    changed = list(fields)
    current = BuyerProfile.from_dict(offer.buyer_profile)
    text_changed = any(field in _PROFILE_SOURCES for field in fields)
    if buyer_profile is not None or (text_changed and current.source == SOURCE_INFERRED):
        reset = buyer_profile is not None and not buyer_profile
        kept = {} if current.source == SOURCE_INFERRED or reset else offer.buyer_profile
        offer.buyer_profile = _buyer_profile(
            name=offer.name,
            value_props=offer.value_props,
            ideal_use_cases=offer.ideal_use_cases,
            given={**kept, **(buyer_profile or {})} or None,
            provider=provider or assessor_from_settings(),
        )
        changed.append("buyer_profile")
    if changed:
        with transaction.atomic():  # after the inference: a remote provider may take seconds
            offer.save(update_fields=changed)
    return offer


@transaction.atomic
def offer_delete(*, offer: Offer, user=None) -> None:
    """Delete an offer and every score against it."""
    object_delete_audited(
        obj=offer, user=user, detail={"name": offer.name, "scores": offer.scores.count()}
    )
