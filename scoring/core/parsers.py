"""Request bodies DRF parses: JSON whose nesting could exhaust the parser's recursion is
refused as bad input (400), never a 500."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

TOO_DEEP_ERROR = "JSON parse error - the body is nested too deeply."


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # json's C scanner gives up at about 1,000 levels
            raise ParseError(TOO_DEEP_ERROR) from exc
