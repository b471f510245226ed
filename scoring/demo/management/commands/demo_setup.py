from django.core.management.base import BaseCommand

from scoring.demo.services import demo_data_ensure

NOTHING_TO_DO_MESSAGE = "Sample data and admin user already present; nothing to do."


class Command(BaseCommand):
    help = (
        "Load the sample offer and leads and the seed's bot into an empty database and create "
        "an admin user."
    )

    def handle(self, *args, **options):
        result = demo_data_ensure()
        if result.offer:
            self.stdout.write(f"Loaded the sample offer '{result.offer.name}'.")
        if result.upload:
            self.stdout.write(f"Loaded {result.upload.row_count} sample leads.")
        if result.bot:
            self.stdout.write(
                f"Added the bot '{result.bot.bot_id}' for grading conversations "
                "(fixtures/conversation_task.json)."
            )
        if result.admin_password:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the admin user '{result.admin_username}' with password "
                    f"'{result.admin_password}' (sign in at /admin/; change it with "
                    f"`manage.py changepassword {result.admin_username}`)."
                )
            )
            self.stdout.write(
                f"Its API key (shown once; `manage.py create_api_token {result.admin_username}` "
                f"makes another): {result.admin_api_key}"
            )
        if not (result.offer or result.upload or result.bot or result.admin_password):
            self.stdout.write(NOTHING_TO_DO_MESSAGE)
