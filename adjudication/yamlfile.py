"""Strict YAML reading: safe types only, duplicate keys refused, errors naming the file."""

from __future__ import annotations

import copy
import threading
from typing import Any

import yaml

from .errors import RuleFileError


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML silently keeps the last)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # ``<<: *anchor`` merges a mapping whose keys the explicit ones override, by design
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# dates stay text here: PyYAML would raise a bare ValueError on 2020-02-31; the loader parses each date
# itself so the error names the key
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# The same loader on libyaml's parser, where PyYAML was built with it (its wheels are): every ruleset built parses
# all its files, and the pure-Python scanner was ~85% of a build. Same constructors, same resolvers, same data; a
# file it refuses is parsed again by the Python loader, whose messages name the offending character.
_FastLoader: Any = _StrictLoader
if getattr(yaml, "__with_libyaml__", False):
    class _CStrictLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers

    _CStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FastLoader = _CStrictLoader


# Parsed documents by text. A ruleset built from another with one file changed (``rules check`` builds one per
# parameter, ~100) parses only that file again. Callers get, and the cache keeps, copies of their own: a caller may
# change what it was given. Only documents that parsed are kept; a refused one raises each time.
_PARSED: dict[str, Any] = {}
_PARSED_MAX = 256
_PARSED_LOCK = threading.Lock()


def parse_yaml(path: str, text: str) -> Any:
    """Parse one YAML document; a syntax error or a duplicate key becomes a RuleFileError."""
    with _PARSED_LOCK:
        parsed = _PARSED.get(text, _PARSED)
    if parsed is not _PARSED:
        return copy.deepcopy(parsed)
    parsed = _parse(path, text)
    with _PARSED_LOCK:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[text] = copy.deepcopy(parsed)
    return parsed


def _parse(path: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        pass
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleFileError(path, where, f"not valid YAML: {problem}") from exc


def key_path(*parts: str | int) -> str:
    """Render a location inside a file as ``[2].when.all[0].fact``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = part
    return out
