"""CSV files through the API, for the REST endpoints and the compatibility ones alike: the
upload of a multipart request, and a CSV answer streamed whatever Accept asks for."""

from django.http import StreamingHttpResponse
from rest_framework.negotiation import BaseContentNegotiation

from scoring.accounts.access import request_account
from scoring.core.exceptions import InvalidInput
from scoring.leads.services.leads import leads_import

NO_FILE_ERROR = "No file uploaded. Send the CSV in the multipart field 'csv_file'."
# Rows read from the database at a time for an export.
EXPORT_BATCH_SIZE = 2000


def upload_from_request(request):
    """The uploaded CSV of a multipart request, imported; 400 when there is none."""
    csv_file = request.FILES.get("csv_file")
    if csv_file is None:
        raise InvalidInput(NO_FILE_ERROR)
    return leads_import(
        account=request_account(request),
        user=request.user,
        file=csv_file,
        file_name=csv_file.name or "upload.csv",
    )


class CsvExportNegotiation(BaseContentNegotiation):
    """The export is CSV whatever Accept asks for (`Accept: text/csv` must not be a 406); only
    its errors go through a renderer, and they are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def csv_attachment(lines, *, file_name: str) -> StreamingHttpResponse:
    """A CSV download streamed line block by line block, never held whole."""
    response = StreamingHttpResponse(lines, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
