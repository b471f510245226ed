"""Bots and conversation grades move here from the one `scoring` app: Django's record of
them only; their tables keep their names (`db_table`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("scoring", "0012_read_path_indexes"),
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist (made by scoring's migrations) and keep their names.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Bot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('bot_id', models.CharField(max_length=255, unique=True)),
                        ('name', models.CharField(blank=True, max_length=255)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bots', to='accounts.account')),
                    ],
                    options={
                        'db_table': 'scoring_bot',
                        'ordering': ['bot_id'],
                    },
                ),
                migrations.CreateModel(
                    name='ConversationGrade',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('task_id', models.CharField(max_length=255)),
                        ('visitor_id', models.CharField(max_length=255)),
                        ('session_id', models.CharField(max_length=255)),
                        ('conversation_history', models.JSONField(default=list)),
                        ('visitor_profile', models.JSONField(blank=True, default=dict)),
                        ('lead_score', models.PositiveSmallIntegerField()),
                        ('lead_category', models.CharField(choices=[('hot', 'Hot'), ('warm', 'Warm'), ('cold', 'Cold')], max_length=10)),
                        ('intent_signals', models.JSONField(blank=True, default=list)),
                        ('engagement_level', models.CharField(choices=[('high', 'High'), ('medium', 'Medium'), ('low', 'Low'), ('none', 'None')], max_length=10)),
                        ('key_interests', models.JSONField(blank=True, default=list)),
                        ('recommended_actions', models.JSONField(blank=True, default=list)),
                        ('reasoning', models.TextField()),
                        ('graded_at', models.DateTimeField()),
                        ('model_used', models.CharField(max_length=150)),
                        ('conversation_count', models.PositiveIntegerField()),
                        ('grading_error', models.TextField(blank=True)),
                        ('delivery_status', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('failed', 'Failed'), ('returned', 'Returned')], default='pending', max_length=10)),
                        ('delivery_attempts', models.PositiveIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('delivery_claimed_until', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conversation_grades', to='accounts.account')),
                        ('bot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grades', to='conversations.bot')),
                    ],
                    options={
                        'db_table': 'scoring_conversationgrade',
                        'ordering': ['-graded_at', '-id'],
                        'indexes': [models.Index(fields=['account', '-graded_at'], name='grade_account_graded_idx'), models.Index(fields=['account', 'lead_category'], name='grade_account_category_idx'), models.Index(fields=['delivery_status'], name='grade_delivery_status_idx')],
                        'constraints': [models.UniqueConstraint(fields=('account', 'task_id'), name='unique_grade_per_task')],
                    },
                ),
            ],
        ),
    ]
