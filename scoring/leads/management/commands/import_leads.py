from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from scoring.accounts.commands import account_from_option
from scoring.core.exceptions import ApplicationError
from scoring.leads.services.leads import leads_import

FILE_NOT_FOUND_ERROR = "No such file: {path}"
UNKNOWN_USER_ERROR = "No user named '{username}'."
INTERRUPTED_ERROR = "Interrupted: nothing was imported."
DONE_MESSAGE = (
    "Imported {count} leads from {file_name} into the account '{slug}' (upload {upload})."
)
# Ctrl-C's exit status, as a shell reports it.
INTERRUPTED_EXIT_CODE = 130


class Command(BaseCommand):
    help = (
        "Import a CSV file of leads as one upload, with a progress bar: the same reading and "
        "checks as POST /leads/upload/, all or nothing, but without MAX_UPLOAD_MB and "
        "MAX_UPLOAD_ROWS, for files too large to send over HTTP."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (name,role,company,industry,location,…).")
        parser.add_argument("--account", help="The account's slug (default: the default account).")
        parser.add_argument("--user", help="The user the audit trail names as the uploader.")

    def handle(self, *args, file, account, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(FILE_NOT_FOUND_ERROR.format(path=path))
        account = account_from_option(account)
        user = self._user(user)
        bar = tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=path.name,
            file=self.stderr._out,  # the stream itself: tqdm ends its own lines
            disable=options["verbosity"] == 0,
        )

        def progress(leads: int, bytes_read: int) -> None:
            bar.set_postfix(leads=f"{leads:,}", refresh=False)
            bar.update(bytes_read - bar.n)

        try:
            with path.open("rb") as csv_file:
                upload = leads_import(
                    account=account,
                    user=user,
                    file=csv_file,
                    file_name=path.name,
                    progress=progress,
                    enforce_limits=False,
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        except KeyboardInterrupt:
            raise CommandError(INTERRUPTED_ERROR, returncode=INTERRUPTED_EXIT_CODE) from None
        finally:
            bar.close()
        self.stdout.write(
            DONE_MESSAGE.format(
                count=upload.row_count,
                file_name=path.name,
                slug=account.slug,
                upload=upload.pk,
            )
        )

    @staticmethod
    def _user(username: str | None):
        if username is None:
            return None
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(UNKNOWN_USER_ERROR.format(username=username)) from None
