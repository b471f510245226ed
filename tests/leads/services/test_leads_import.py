import re

import pytest
from django.conf import settings as django_settings
from django.db import connection

from scoring.core.exceptions import InvalidInput, PayloadTooLarge
from scoring.leads.lead_csv import FIELD_TOO_LONG_ERROR, NOT_TEXT_ERROR
from scoring.leads.models import LEAD_FIELD_MAX_LENGTH, Lead, LeadUpload, Score
from scoring.leads.services import leads as leads_service
from scoring.leads.services.leads import (
    FILE_TOO_LARGE_ERROR,
    INSERT_BATCH_SIZE,
    TOO_MANY_ROWS_ERROR,
    lead_delete,
    lead_upload_delete,
    leads_import,
)
from tests.factories import (
    CSV_HEADER,
    AccountFactory,
    LeadFactory,
    OfferFactory,
    ScoreFactory,
    csv_upload,
)

pytestmark = pytest.mark.django_db

FIXTURE_LEADS = django_settings.BASE_DIR / "fixtures" / "leads.csv"


def lead_lines(count, start=0):
    numbers = range(start, start + count)
    return "".join(f"Lead {n},CEO,Company {n},SaaS,Berlin,Bio number {n}\n" for n in numbers)


def import_text(text, file_name="leads.csv"):
    return leads_import(
        account=AccountFactory(), file=csv_upload(text, file_name), file_name=file_name
    )


def test_leads_import_stores_every_row_as_a_lead_of_one_new_upload():
    upload = import_text(
        CSV_HEADER
        + "Ada Lovelace,CTO,Analytical Engines,SaaS,London,Writes programs.\n"
        + "Bob,,,,,\n",
        file_name="march.csv",
    )

    assert LeadUpload.objects.get() == upload
    assert upload.file_name == "march.csv"
    assert upload.row_count == 2
    assert LeadUpload.objects.get().row_count == 2
    assert list(upload.leads.values("name", "role", "company", "industry", "location")) == [
        {
            "name": "Ada Lovelace",
            "role": "CTO",
            "company": "Analytical Engines",
            "industry": "SaaS",
            "location": "London",
        },
        {"name": "Bob", "role": "", "company": "", "industry": "", "location": ""},
    ]
    assert Lead.objects.count() == 2


def test_leads_import_stores_the_seed_fixture_file():
    with FIXTURE_LEADS.open("rb") as fixture:
        upload = leads_import(account=AccountFactory(), file=fixture, file_name="leads.csv")

    assert upload.row_count == 20
    assert Lead.objects.filter(upload=upload).count() == 20
    john = Lead.objects.get(name="John Doe")
    assert john.role == "Senior Data Scientist"
    assert john.company == "TechCorp Analytics"
    assert john.linkedin_bio.startswith("Passionate about machine learning")


def test_leads_import_stores_more_rows_than_one_insert_batch():
    count = INSERT_BATCH_SIZE * 2 + 500

    upload = import_text(CSV_HEADER + lead_lines(count))

    assert upload.row_count == count
    assert upload.leads.count() == count
    names = set(upload.leads.values_list("name", flat=True))
    assert names == {f"Lead {n}" for n in range(count)}


def test_leads_import_keeps_earlier_uploads_when_importing_again():
    first = import_text(CSV_HEADER + lead_lines(3), file_name="first.csv")

    second = import_text(CSV_HEADER + lead_lines(2, start=10), file_name="second.csv")

    assert first.pk != second.pk
    assert LeadUpload.objects.count() == 2
    assert first.leads.count() == 3
    assert second.leads.count() == 2
    assert set(second.leads.values_list("name", flat=True)) == {"Lead 10", "Lead 11"}
    assert Lead.objects.count() == 5


@pytest.mark.parametrize(
    "bad_row_index", [2, INSERT_BATCH_SIZE + 10], ids=["third-row", "after-first-batch"]
)
def test_leads_import_stores_nothing_when_a_row_is_bad(bad_row_index):
    existing = LeadFactory()
    too_long = "x" * (LEAD_FIELD_MAX_LENGTH + 1)
    text = (
        CSV_HEADER
        + lead_lines(bad_row_index)
        + f"{too_long},CEO,Acme,SaaS,Berlin,bio\n"
        + lead_lines(5, start=bad_row_index + 1)
    )

    with pytest.raises(InvalidInput) as excinfo:
        import_text(text)

    assert excinfo.value.message == FIELD_TOO_LONG_ERROR.format(
        line=bad_row_index + 2, column="name", limit=LEAD_FIELD_MAX_LENGTH
    )
    assert list(Lead.objects.all()) == [existing]
    assert list(LeadUpload.objects.all()) == [existing.upload]


def test_leads_import_rejects_a_file_over_the_upload_limit(settings):
    settings.MAX_UPLOAD_MB = 1
    text = CSV_HEADER + lead_lines(20_000)
    assert 1.05 * 1024 * 1024 < len(text.encode()) < 1.2 * 1024 * 1024

    with pytest.raises(PayloadTooLarge, match=re.escape(FILE_TOO_LARGE_ERROR.format(limit=1))):
        import_text(text)

    assert not Lead.objects.exists()
    assert not LeadUpload.objects.exists()


def test_leads_import_accepts_a_file_of_exactly_the_upload_limit(settings):
    settings.MAX_UPLOAD_MB = 1
    start = CSV_HEADER + "Ada,CTO,Acme,SaaS,London,"
    bio = "b" * (1024 * 1024 - len(start) - 1)
    data = (start + bio + "\n").encode()
    assert len(data) == 1024 * 1024

    upload = import_text(data)

    assert upload.row_count == 1
    assert Lead.objects.get().linkedin_bio == bio


def test_leads_import_rejects_binary_files_and_stores_nothing():
    with pytest.raises(InvalidInput, match=re.escape(NOT_TEXT_ERROR)):
        import_text(b"\x00\x01\x02 not a csv")

    assert not LeadUpload.objects.exists()


def test_leads_import_stores_cp1252_names_exactly():
    data = (CSV_HEADER + "José Müller,Gerente,Café Ñandú,Tech,München,Señor\n").encode("cp1252")

    import_text(data)

    lead = Lead.objects.get()
    assert lead.name == "José Müller"
    assert lead.company == "Café Ñandú"
    assert lead.location == "München"


def test_leads_import_stores_a_long_bio_whole():
    bio = ("Data leader with a decade of analytics work. " * 120)[:5000].strip()
    assert len(bio) >= 4990

    import_text(CSV_HEADER + f'Ada,CTO,Acme,SaaS,London,"{bio}"\n')

    assert Lead.objects.get().linkedin_bio == bio


def test_leads_import_truncates_a_long_file_name():
    upload = import_text(CSV_HEADER + lead_lines(1), file_name="a" * 300 + ".csv")

    upload.refresh_from_db()
    assert upload.file_name == "a" * 255


def test_lead_upload_delete_removes_the_upload_its_leads_and_their_scores():
    upload = import_text(CSV_HEADER + lead_lines(3))
    other = LeadFactory()
    offer = OfferFactory()
    for lead in upload.leads.all():
        ScoreFactory(lead=lead, offer=offer)
    other_score = ScoreFactory(lead=other, offer=offer)

    lead_upload_delete(upload=upload)

    assert list(LeadUpload.objects.all()) == [other.upload]
    assert list(Lead.objects.all()) == [other]
    assert list(Score.objects.all()) == [other_score]


def test_lead_delete_removes_one_lead_and_its_scores():
    score = ScoreFactory()
    lead = score.lead
    ScoreFactory(lead=lead)  # a second offer's score for the same lead
    neighbour = LeadFactory(upload=lead.upload)
    neighbour_score = ScoreFactory(lead=neighbour, offer=score.offer)

    lead_delete(lead=lead)

    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert list(Score.objects.all()) == [neighbour_score]
    assert list(Lead.objects.all()) == [neighbour]
    assert LeadUpload.objects.filter(pk=lead.upload_id).exists()


# --- Streaming: files of any size, read in chunks and stored in batches --------------------------


def _read_chunks_of(monkeypatch, size):
    monkeypatch.setattr("scoring.leads.services.leads.READ_CHUNK_BYTES", size)


def test_leads_import_streams_a_file_of_several_insert_batches_in_file_order():
    count = 12_000
    assert count > 2 * INSERT_BATCH_SIZE

    upload = import_text(CSV_HEADER + lead_lines(count))

    assert upload.row_count == count
    stored = list(upload.leads.order_by("id").values_list("name", "company", "linkedin_bio"))
    assert stored == [(f"Lead {n}", f"Company {n}", f"Bio number {n}") for n in range(count)]
    assert set(upload.leads.values_list("account_id", flat=True)) == {upload.account_id}


def test_leads_import_uses_copy_on_postgresql_and_executemany_elsewhere(monkeypatch):
    written, inserts = [], []
    real = leads_service._write_rows

    def spy(cursor, *, table, columns, rows):
        rows = list(rows)
        if rows:
            written.append((table, len(rows)))
        return real(cursor, table=table, columns=columns, rows=rows)

    def record_inserts(execute, sql, params, many, context):
        if sql.startswith(f"INSERT INTO {connection.ops.quote_name(Lead._meta.db_table)} "):
            inserts.append(many)
        return execute(sql, params, many, context)

    monkeypatch.setattr(leads_service, "_write_rows", spy)
    with connection.execute_wrapper(record_inserts):
        upload = import_text(CSV_HEADER + lead_lines(INSERT_BATCH_SIZE + 7))

    assert written == [(Lead._meta.db_table, INSERT_BATCH_SIZE + 7)]
    # One COPY, around Django's cursor, on PostgreSQL; an INSERT per batch elsewhere.
    assert inserts == ([] if connection.vendor == "postgresql" else [True, True])
    assert upload.leads.count() == INSERT_BATCH_SIZE + 7
    lead = upload.leads.get(name="Lead 3")
    assert (lead.role, lead.industry, lead.location) == ("CEO", "SaaS", "Berlin")
    assert lead.created_at is not None


def test_leads_import_stores_text_that_copy_must_escape_exactly():
    bio = 'Tab\there, backslash \\N and \\ too,\nnew line, "quotes", \\. and \r\nCRLF'
    name = "O'Brien \\ Söhne"
    text = CSV_HEADER + f'"{name}",CEO,Acme,SaaS,Berlin,"{bio.replace(chr(34), chr(34) * 2)}"\n'

    import_text(text)

    lead = Lead.objects.get()
    assert (lead.name, lead.linkedin_bio) == (name, bio)


def test_leads_import_falls_back_to_cp1252_for_a_byte_after_the_first_chunk(monkeypatch):
    _read_chunks_of(monkeypatch, 4096)
    ascii_part = (CSV_HEADER + lead_lines(500)).encode()
    assert len(ascii_part) > 4 * 4096
    data = ascii_part + "José Müller,Gerente,Café,Tech,München,Señor\n".encode("cp1252")

    upload = import_text(data)

    assert upload.row_count == 501
    last = upload.leads.order_by("id").last()
    assert (last.name, last.company, last.location) == ("José Müller", "Café", "München")
    assert upload.leads.get(name="Lead 499").company == "Company 499"


def test_leads_import_keeps_a_utf8_character_split_between_two_chunks(monkeypatch):
    _read_chunks_of(monkeypatch, 64)
    head = CSV_HEADER.encode() + b"Ann,CEO,Acme,SaaS,Oslo,"
    padding = b"x" * (64 * 3 - len(head) - 1)  # "é" (2 bytes) straddles the third boundary
    data = head + padding + "é and ü\n".encode()
    assert data[64 * 3 - 1 : 64 * 3 + 1] == "é".encode()

    import_text(data)

    assert Lead.objects.get().linkedin_bio == padding.decode() + "é and ü"


def test_leads_import_reads_utf16_in_chunks(monkeypatch):
    _read_chunks_of(monkeypatch, 101)  # odd: code units straddle the chunks
    text = CSV_HEADER + lead_lines(50) + "José Müller,CEO,Café,SaaS,Köln,€ fan\n"

    upload = import_text(text.encode("utf-16"))

    assert upload.row_count == 51
    assert upload.leads.order_by("id").last().linkedin_bio == "€ fan"


def test_leads_import_refuses_a_nul_after_the_first_chunk_and_stores_nothing(monkeypatch):
    _read_chunks_of(monkeypatch, 4096)
    data = (CSV_HEADER + lead_lines(1000)).encode() + b"Nul\x00,CEO,Acme,SaaS,Oslo,bio\n"

    with pytest.raises(InvalidInput, match=re.escape(NOT_TEXT_ERROR)):
        import_text(data)

    assert not LeadUpload.objects.exists()
    assert not Lead.objects.exists()


def test_leads_import_checks_the_size_limit_before_the_content(settings):
    settings.MAX_UPLOAD_MB = 1
    data = b"\x00" * (1024 * 1024 + 1)  # binary, and too large: too large wins, as before

    with pytest.raises(PayloadTooLarge, match=re.escape(FILE_TOO_LARGE_ERROR.format(limit=1))):
        import_text(data)


def test_leads_import_reports_progress_every_batch_and_at_the_end():
    data = (CSV_HEADER + lead_lines(INSERT_BATCH_SIZE * 2 + 3)).encode()
    calls = []

    leads_import(
        account=AccountFactory(),
        file=csv_upload(data),
        file_name="leads.csv",
        progress=lambda leads, read: calls.append((leads, read)),
    )

    assert [leads for leads, _ in calls] == [
        INSERT_BATCH_SIZE,
        INSERT_BATCH_SIZE * 2,
        INSERT_BATCH_SIZE * 2 + 3,
    ]
    assert [read for _, read in calls] == sorted(read for _, read in calls)
    assert calls[-1][1] == len(data)


def test_leads_import_without_limits_takes_larger_and_longer_files(settings):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_ROWS = 10
    data = (CSV_HEADER + lead_lines(20_000)).encode()
    assert len(data) > 1024 * 1024

    upload = leads_import(
        account=AccountFactory(), file=csv_upload(data), file_name="big.csv", enforce_limits=False
    )

    assert upload.row_count == 20_000
    assert Lead.objects.count() == 20_000


def test_leads_import_refuses_the_row_past_max_upload_rows_naming_the_limit(settings):
    settings.MAX_UPLOAD_ROWS = INSERT_BATCH_SIZE + 1

    with pytest.raises(InvalidInput) as excinfo:
        import_text(CSV_HEADER + lead_lines(INSERT_BATCH_SIZE + 2))

    assert excinfo.value.message == TOO_MANY_ROWS_ERROR.format(limit=INSERT_BATCH_SIZE + 1)
    assert not Lead.objects.exists()
    assert not LeadUpload.objects.exists()


def test_leads_import_leaves_the_callers_file_open():
    with FIXTURE_LEADS.open("rb") as fixture:
        leads_import(account=AccountFactory(), file=fixture, file_name="leads.csv")

        assert not fixture.closed
        assert fixture.read(4) == b""  # read to its end
