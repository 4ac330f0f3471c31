"""Safe YAML loading that keeps line numbers, shared by the config and front-matter parsers.

PyYAML's `safe_load` loses positions; `compose` keeps them. We compose once, refuse anchors and
aliases (an alias bomb expands exponentially, RELIABILITY B9), then construct the value from the
same node tree, and keep a map from key paths to 1-based lines for error messages.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # the C loader is several times faster, and front matter is parsed for every post
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class YamlProblem(Exception):
    """A YAML document could not be parsed; `line`/`col` are 1-based and relative to the text."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.hint = hint


def _hint_for(problem: str) -> str | None:
    text = problem.lower()
    if "flow sequence" in text or "expected ',' or ']'" in text:
        return "a list in [brackets] is not closed: add the missing ']'"
    if "flow mapping" in text:
        return "a mapping in {braces} is not closed: add the missing '}'"
    if "mapping values are not allowed" in text:
        return "a value contains ': ' - put the whole value in quotes"
    if "could not determine a constructor" in text:
        return "YAML tags such as !!python/... are not allowed; write plain values"
    if "found character '\\t'" in text:
        return "YAML does not allow tabs for indentation; use spaces"
    return None


def _check_no_aliases(text: str) -> None:
    """Refuse anchors and aliases, from the event stream (composed nodes do not keep them).

    An alias is the same node object reused, so a walk over the composed tree would expand a
    9x9 alias bomb into 9**9 visits; the events list each anchor and alias exactly once.
    """
    for event in yaml.parse(text, Loader=_Loader):
        if getattr(event, "anchor", None):
            mark = event.start_mark  # the parser always sets it; the stubs allow None
            raise YamlProblem("YAML anchors and aliases (&name, *name) are not allowed here",
                              mark.line + 1 if mark else None,
                              mark.column + 1 if mark else None,
                              "write the values out in full")


def load_with_lines(text: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Parse one YAML document; return the value and a `{key path: line}` map (1-based)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        context = str(exc.context or "")
        if exc.context_mark is not None and ("flow" in context or "quoted" in context):
            # an unclosed [list], {map} or quote: point at where it opened, not at the end
            mark = exc.context_mark
            if "quoted" in context:
                problem = f"a quoted value is opened here and never closed ({problem})"
        raise YamlProblem(f"invalid YAML: {problem}",
                          mark.line + 1 if mark else None,
                          mark.column + 1 if mark else None, _hint_for(str(exc))) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}") from None
    if node is None:
        return None, {}
    if "*" in text or "&" in text:  # cheap pre-filter; the event scan is exact
        _check_no_aliases(text)
    lines: dict[tuple[str, ...], int] = {}
    _collect_lines(node, (), lines)
    try:
        loader = _Loader("")
        value = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise YamlProblem(f"invalid YAML: {exc.problem}",
                          mark.line + 1 if mark else None, mark.column + 1 if mark else None,
                          _hint_for(str(exc))) from None
    except ValueError as exc:  # e.g. `date: 2024-13-45` looks like a date but is not one
        line = _first_bad_scalar_line(node)
        raise YamlProblem(f"invalid value: {exc}", line, None,
                          "write a real date as YYYY-MM-DD, or quote the value") from None
    return value, lines


def _collect_lines(node: yaml.Node, path: tuple[str, ...], out: dict[tuple[str, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                sub = (*path, str(key.value))
                out.setdefault(sub, key.start_mark.line + 1)
                _collect_lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            sub = (*path, str(index))
            out.setdefault(sub, item.start_mark.line + 1)
            _collect_lines(item, sub, out)


def _first_bad_scalar_line(node: yaml.Node) -> int | None:
    """Find the timestamp-tagged scalar that failed to construct, for its line."""
    import datetime

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode) and current.tag.endswith(":timestamp"):
            try:
                datetime.date.fromisoformat(str(current.value)[:10])
            except ValueError:
                return current.start_mark.line + 1
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((value, key))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return None
