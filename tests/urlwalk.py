"""Every URL pattern of the example project, with sample values in place of its converters."""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

SAMPLES = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000", "path": "1"}
METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


def _regex_group(match):
    body = match.group(1)
    first = body.split("|")[0]
    return first if re.fullmatch(r"[\w-]+", first) else "1"


def _concrete(pattern):
    if isinstance(pattern, RegexPattern):
        route = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", _regex_group, str(pattern))
        return route.replace("^", "").replace("$", "").replace("\\", "")
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), str(pattern))


def _walk(patterns, prefix, namespace):
    for pattern in patterns:
        route = prefix + _concrete(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route, f"{namespace}:{pattern.namespace}".strip(":")
                             if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}".strip(":") if pattern.name else ""
            yield "/" + route, name


def all_paths():
    """(path, view name) for every pattern of the active URLconf."""
    return sorted(set(_walk(get_resolver().url_patterns, "", "")))
