"""The API's JSON parser: DRF's, with a nesting limit so no body can exhaust the stack."""

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def nesting_depth(value):
    """How many arrays and objects deep `value` goes, without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_JSON_MAX_DEPTH
        too_deep = f"JSON parse error - nested deeper than {limit} levels."
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:  # the json module recurses once per level
            raise ParseError(too_deep) from error
        if nesting_depth(data) > limit:
            raise ParseError(too_deep)
        return data
