"""The scores' account and latest-per-lead indexes end with the id, the tie-breaker of the
orders they serve (/api/scores/ by -score, id; a lead's latest score by -scored_at, -id), so
a page or a latest score is read from the index without sorting the ties.

Leads lose their (account, industry) index: the industry filters (/api/leads/, /api/scores/,
a run's lead_filter) match case-insensitively, which no plain index serves on SQLite or
PostgreSQL (their plans never used it), and an import wrote one entry per lead into it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scoring", "0011_idempotency_records")]

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
        migrations.RemoveIndex(model_name="lead", name="lead_account_industry_idx"),
    ]
