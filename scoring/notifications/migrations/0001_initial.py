"""Notifications of hot leads, one per event of an account."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_key', models.CharField(max_length=100)),
                ('subject', models.CharField(max_length=255)),
                ('body', models.TextField()),
                ('recipients', models.JSONField(blank=True, default=list)),
                ('slack_message', models.JSONField(blank=True, default=dict)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='pending', max_length=10)),
                ('email_status', models.CharField(choices=[('none', 'None'), ('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='none', max_length=10)),
                ('slack_status', models.CharField(choices=[('none', 'None'), ('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='none', max_length=10)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('claimed_until', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='accounts.account')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['status'], name='notification_status_idx')],
                'constraints': [models.UniqueConstraint(fields=('account', 'event_key'), name='unique_notification_per_event')],
            },
        ),
    ]
