"""CSV files through the API, for the REST endpoints and the compatibility ones alike: the
upload of a multipart request, and a CSV answer streamed whatever Accept asks for."""

from django.http import StreamingHttpResponse
from rest_framework.negotiation import BaseContentNegotiation

from scoring.accounts.access import request_account
from scoring.core.exceptions import InvalidInput
from scoring.leads.api.serializers import LeadUploadOptionsSerializer
from scoring.leads.header_mapping import mapping_from_json
from scoring.leads.services.leads import leads_import

NO_FILE_ERROR = "No file uploaded. Send the CSV in the multipart field 'csv_file'."
# Rows read from the database at a time for an export.
EXPORT_BATCH_SIZE = 2000


def upload_from_request(request):
    """The uploaded file of a multipart request, imported with the request's mapping,
    on_duplicate and sheet; 400 when there is no file or a parameter is wrong."""
    csv_file = request.FILES.get("csv_file")
    if csv_file is None:
        raise InvalidInput(NO_FILE_ERROR)
    options = LeadUploadOptionsSerializer(data=request.data)
    options.is_valid(raise_exception=True)
    return leads_import(
        account=request_account(request),
        user=request.user,
        file=csv_file,
        file_name=csv_file.name or "upload.csv",
        mapping=mapping_from_json(options.validated_data.get("mapping")),
        on_duplicate=options.validated_data["on_duplicate"],
        sheet=options.validated_data.get("sheet"),
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
