"""The API's JSON parser: DRF's, with the depth limit every parser of untrusted text has here."""

from rest_framework import exceptions, parsers

from catalog.parsing import ParseError, load_json, sentence


class BoundedJSONParser(parsers.JSONParser):
    """JSON bodies at most catalog.parsing.MAX_DEPTH levels deep; anything unreadable is a ParseError
    (a 400 in the API's JSON error shape), never a 500.

    The size is already bounded: DRF reads a JSONParser's body through request.body, which Django refuses
    beyond DATA_UPLOAD_MAX_MEMORY_SIZE (portal.api.errors answers that with a JSON 413)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})  # the request's charset, checked by DRF
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(f"The body is not {encoding} text.") from error
        try:
            return load_json(text, allow_constants=not self.strict)
        except ParseError as error:
            raise exceptions.ParseError(sentence(error)) from error
