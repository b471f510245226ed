"""`manage.py import_leads FILE.csv [--account SLUG] [--user USERNAME]`: a CSV file of any
size into one upload, through the same service as POST /leads/upload/, with a progress bar."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scoring.accounts.models import AuditEvent
from scoring.accounts.selectors import ACCOUNT_NOT_FOUND_ERROR
from scoring.accounts.services import DEFAULT_ACCOUNT_SLUG
from scoring.leads.header_mapping import missing_fields_message
from scoring.leads.management.commands.import_leads import (
    DONE_MESSAGE,
    FILE_NOT_FOUND_ERROR,
    UNKNOWN_USER_ERROR,
)
from scoring.leads.models import Lead, LeadUpload
from scoring.leads.services.leads import INSERT_BATCH_SIZE
from scoring.leads.xlsx import UNSUPPORTED_BINARY_ERROR
from tests.factories import CSV_HEADER, AccountFactory, UserFactory, created

pytestmark = pytest.mark.django_db


def lead_lines(count):
    return "".join(f"Lead {n},CEO,Company {n},SaaS,Berlin,Bio {n}\n" for n in range(count))


@pytest.fixture
def csv_path(tmp_path):
    def write(content, name="leads.csv"):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write


def import_leads(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_leads", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_every_lead_into_the_default_account_and_says_so(csv_path):
    path = csv_path(CSV_HEADER + lead_lines(INSERT_BATCH_SIZE + 5), name="march.csv")

    out, _ = import_leads(path)

    upload = LeadUpload.objects.get()
    assert upload.account.slug == DEFAULT_ACCOUNT_SLUG
    assert (upload.file_name, upload.row_count) == ("march.csv", INSERT_BATCH_SIZE + 5)
    assert Lead.objects.filter(upload=upload).count() == INSERT_BATCH_SIZE + 5
    assert Lead.objects.get(name="Lead 7").company == "Company 7"
    assert out.strip() == DONE_MESSAGE.format(
        count=INSERT_BATCH_SIZE + 5, file_name="march.csv", slug="default", upload=upload.pk
    )


def test_shows_a_progress_bar_of_the_file_read_and_the_leads(csv_path):
    path = csv_path(CSV_HEADER + lead_lines(INSERT_BATCH_SIZE * 2 + 1))

    _, err = import_leads(path)

    states = err.replace("\r", "\n").strip().splitlines()
    size_kib = f"{path.stat().st_size / 1024:.0f}k"
    assert states[0].startswith("leads.csv:   0%")
    assert f"0.00/{size_kib}" in states[0]
    assert states[-1].startswith("leads.csv: 100%")
    assert f"{size_kib}/{size_kib}" in states[-1]
    assert f"leads={INSERT_BATCH_SIZE * 2 + 1:,}" in states[-1]


def test_verbosity_0_shows_no_progress_bar(csv_path):
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_leads", str(csv_path(CSV_HEADER + lead_lines(3))), verbosity=0, stdout=out,
        stderr=err,
    )  # fmt: skip

    assert err.getvalue() == ""
    assert Lead.objects.count() == 3


def test_account_and_user_options_choose_the_account_and_the_audited_uploader(csv_path):
    account = AccountFactory(name="Globex")
    user = UserFactory(username="grace", membership__account=account)

    import_leads(csv_path(CSV_HEADER + lead_lines(2)), "--account", "globex", "--user", "grace")

    upload = LeadUpload.objects.get()
    assert upload.account == account
    assert set(Lead.objects.values_list("account", flat=True)) == {account.pk}
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPLOAD)
    assert (event.account, event.user, event.object_id) == (account, user, str(upload.pk))
    assert event.detail == {"file_name": "leads.csv", "rows": 2, **created(2)}


def test_is_not_bound_by_the_upload_limits(settings, csv_path):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_ROWS = 10
    text = CSV_HEADER + lead_lines(25_000)
    assert len(text) > 1024 * 1024

    import_leads(csv_path(text))

    assert LeadUpload.objects.get().row_count == 25_000


def test_missing_file_is_a_command_error(tmp_path):
    missing = tmp_path / "nope.csv"

    with pytest.raises(CommandError) as excinfo:
        import_leads(missing)

    assert str(excinfo.value) == FILE_NOT_FOUND_ERROR.format(path=missing)
    assert not LeadUpload.objects.exists()


def test_a_directory_is_not_a_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        import_leads(tmp_path)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("name,company\nAda,Acme\n", missing_fields_message(
            ["role", "industry"], ["name", "company"])),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", UNSUPPORTED_BINARY_ERROR),
    ],
    ids=["missing-columns", "binary"],
)  # fmt: skip
def test_a_bad_csv_is_a_command_error_with_the_services_message_and_stores_nothing(
    csv_path, content, error
):
    with pytest.raises(CommandError) as excinfo:
        import_leads(csv_path(content))

    assert str(excinfo.value) == error
    assert not LeadUpload.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_bad_row_after_many_good_ones_stores_nothing(csv_path):
    text = CSV_HEADER + lead_lines(INSERT_BATCH_SIZE + 10) + "a,b,c,d,e,f,unexpected\n"

    with pytest.raises(CommandError, match=f"^Line {INSERT_BATCH_SIZE + 12}: 7 cells"):
        import_leads(csv_path(text))

    assert not Lead.objects.exists()


def test_unknown_account_is_a_command_error(csv_path):
    with pytest.raises(CommandError) as excinfo:
        import_leads(csv_path(CSV_HEADER + lead_lines(1)), "--account", "nobody")

    assert str(excinfo.value) == ACCOUNT_NOT_FOUND_ERROR.format(slug="nobody")
    assert not Lead.objects.exists()


def test_unknown_user_is_a_command_error(csv_path):
    with pytest.raises(CommandError) as excinfo:
        import_leads(csv_path(CSV_HEADER + lead_lines(1)), "--user", "ghost")

    assert str(excinfo.value) == UNKNOWN_USER_ERROR.format(username="ghost")
    assert not Lead.objects.exists()
