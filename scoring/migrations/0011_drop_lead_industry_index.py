"""Leads lose their (account, industry) index: the industry filters (/api/leads/, /api/scores/,
a run's lead_filter) match case-insensitively, which no plain index serves on SQLite or
PostgreSQL (their plans never used it), and an import wrote one entry per lead into it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scoring", "0010_read_path_indexes")]

    operations = [migrations.RemoveIndex(model_name="lead", name="lead_account_industry_idx")]
