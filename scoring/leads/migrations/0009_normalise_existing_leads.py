"""Existing leads get their role's seniority and departments, existing offers a buyer
profile read from their text. Outside one transaction and in batches by id, so a large
table is neither scanned once per role nor locked for the whole run; run again, it only
fills what is still empty."""

from django.db import migrations

BATCH_SIZE = 5000


def normalise_existing(apps, schema_editor):
    from scoring.leads.buyer_profile import buyer_profile_infer
    from scoring.leads.titles import normalise_title

    Lead = apps.get_model("scoring", "Lead")
    Offer = apps.get_model("scoring", "Offer")
    pending = Lead.objects.filter(seniority="").exclude(role="").order_by("id")
    last_id = 0
    while batch := list(pending.filter(id__gt=last_id).values_list("id", "role")[:BATCH_SIZE]):
        last_id = batch[-1][0]
        by_title = {}
        for lead_id, role in batch:
            title = normalise_title(role)
            by_title.setdefault((title.seniority, title.departments), []).append(lead_id)
        for (seniority, departments), ids in by_title.items():
            Lead.objects.filter(id__in=ids).update(
                seniority=seniority, departments=list(departments)
            )
    for offer in Offer.objects.filter(buyer_profile={}).iterator():
        offer.buyer_profile = buyer_profile_infer(
            name=offer.name, value_props=offer.value_props, ideal_use_cases=offer.ideal_use_cases
        ).as_dict()
        offer.save(update_fields=["buyer_profile"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("scoring", "0008_buyer_profiles")]

    operations = [migrations.RunPython(normalise_existing, migrations.RunPython.noop)]
