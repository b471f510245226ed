"""The scores' account and latest-per-lead indexes end with the id, the tie-breaker of the
orders they serve (/api/scores/ by -score, id; a lead's latest score by -scored_at, -id), so
a page or a latest score is read from the index without sorting the ties."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scoring", "0009_normalise_existing_leads")]

    operations = [
        migrations.RemoveIndex(model_name="score", name="score_account_score_idx"),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(fields=["account", "-score", "id"], name="score_account_score_idx"),
        ),
        migrations.RemoveIndex(model_name="score", name="score_lead_latest_idx"),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(fields=["lead", "-scored_at", "-id"], name="score_lead_latest_idx"),
        ),
    ]
