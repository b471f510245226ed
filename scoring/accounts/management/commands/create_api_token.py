from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from scoring.accounts.services import api_key_create

UNKNOWN_USER_ERROR = "No user named '{username}'."


class Command(BaseCommand):
    help = "Create an API key for USER and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label to recognise the key by.")

    def handle(self, *args, username, name, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(UNKNOWN_USER_ERROR.format(username=username)) from None
        _, raw_key = api_key_create(user=user, name=name)
        self.stdout.write(raw_key)
