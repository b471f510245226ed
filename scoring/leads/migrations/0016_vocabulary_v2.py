"""The title and buyer-profile vocabularies grew (more languages, safety and practice
managers, veterinary and construction work): existing leads get their role's seniority and
departments read again, and offers whose profile the local vocabulary inferred get it
inferred again (a profile given, or inferred by a remote model, stays). Outside one
transaction and in batches by id, writing only what changes; run again, it changes nothing.
An offer whose profile changes has its scores re-run by the next scoring run, as a profile
edited in the API does."""

from django.db import migrations

BATCH_SIZE = 5000
PREVIOUS_LOCAL_INFERENCE = "local-vocabulary-v1"


def vocabulary_apply(apps, schema_editor):
    from scoring.leads.buyer_profile import SOURCE_INFERRED, buyer_profile_infer
    from scoring.leads.titles import normalise_title

    Lead = apps.get_model("scoring", "Lead")
    Offer = apps.get_model("scoring", "Offer")
    leads = Lead.objects.exclude(role="").order_by("id")
    last_id = 0
    while batch := list(
        leads.filter(id__gt=last_id).values_list("id", "role", "seniority", "departments")[
            :BATCH_SIZE
        ]
    ):
        last_id = batch[-1][0]
        changed: dict[tuple, list[int]] = {}
        for lead_id, role, seniority, departments in batch:
            title = normalise_title(role)
            if (title.seniority, list(title.departments)) != (seniority, list(departments)):
                changed.setdefault((title.seniority, title.departments), []).append(lead_id)
        for (seniority, departments), ids in changed.items():
            Lead.objects.filter(id__in=ids).update(
                seniority=seniority, departments=list(departments)
            )
    for offer in Offer.objects.iterator():
        profile = offer.buyer_profile or {}
        if profile.get("source") != SOURCE_INFERRED:
            continue
        # The local vocabulary's, also as a remote model's fallback ("... (fallback: ...)").
        if not profile.get("inferred_by", PREVIOUS_LOCAL_INFERENCE).startswith(
            PREVIOUS_LOCAL_INFERENCE
        ):
            continue
        inferred = buyer_profile_infer(
            name=offer.name, value_props=offer.value_props, ideal_use_cases=offer.ideal_use_cases
        ).as_dict()
        if inferred != profile:
            offer.buyer_profile = inferred
            offer.save(update_fields=["buyer_profile"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("scoring", "0015_lead_account_via_upload")]

    operations = [migrations.RunPython(vocabulary_apply, migrations.RunPython.noop)]
