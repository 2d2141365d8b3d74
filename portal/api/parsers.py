"""The API's JSON parser: DRF's, with the depth limit every parser of untrusted text has here, and no NUL
characters in its texts."""

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
            value = load_json(text, allow_constants=not self.strict)
        except ParseError as error:
            raise exceptions.ParseError(sentence(error)) from error
        where = _nul_at(value)
        if where is not None:
            # PostgreSQL text cannot hold a NUL, and a lookup by such a value (a slug, a name) fails there
            # with a 500; no field of ours accepts one. One check for every body, like the middleware's for
            # addresses, naming the field as the API's errors do ("languages.0").
            raise exceptions.ValidationError({where or "non_field_errors": [NUL_MESSAGE]})
        return value


NUL_MESSAGE = "A NUL character (\\u0000) is not accepted."


def _nul_at(value, path: str = "") -> str | None:
    """The path of the first text (a key or a value) holding a NUL character, or None. The depth is
    bounded by load_json."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, inner in value.items():
            inner_path = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                return inner_path.replace("\x00", "\\u0000")
            found = _nul_at(inner, inner_path)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found = _nul_at(inner, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
