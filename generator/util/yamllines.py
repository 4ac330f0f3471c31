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


MAX_DEPTH = 50  # lists and mappings inside each other; front matter needs a handful


def _check_events(text: str) -> None:
    """Refuse anchors and aliases, and nesting deeper than `MAX_DEPTH`, from the event stream.

    Composed nodes do not keep anchors: an alias is the same node object reused, so a walk
    over the tree would expand a 9x9 alias bomb into 9**9 visits; the events list each anchor
    and alias once. Composing (in C) and constructing recurse once a level: thousands of
    levels crash the interpreter or exhaust Python's stack, so depth is checked first.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        mark = event.start_mark  # the parser always sets it; the stubs allow None
        if getattr(event, "anchor", None):
            raise YamlProblem("YAML anchors and aliases (&name, *name) are not allowed here",
                              mark.line + 1 if mark else None,
                              mark.column + 1 if mark else None,
                              "write the values out in full")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep",
                                  mark.line + 1 if mark else None,
                                  mark.column + 1 if mark else None,
                                  "flatten the lists and mappings")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _may_need_events(text: str) -> bool:
    """Cheap pre-filter for `_check_events`: an anchor or alias needs `&` or `*`, and each
    level of nesting one of `[`, `{`, `:`, `-` or `?` (a flow bracket, a key, an item)."""
    if "*" in text or "&" in text:
        return True
    return sum(text.count(c) for c in "[{:-?") > MAX_DEPTH


def load_with_lines(text: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Parse one YAML document; return the value and a `{key path: line}` map (1-based)."""
    try:
        if _may_need_events(text):
            _check_events(text)  # before composing: see there
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
        if "integer string conversion" in str(exc):  # Python reads up to 4300 digits
            raise YamlProblem("a number too long to read (over 4300 digits)", line, None,
                              "quote it to keep it as text") from None
        raise YamlProblem(f"invalid value: {exc}", line, None,
                          "write a real date as YYYY-MM-DD, or quote the value") from None
    return value, lines


def _collect_lines(node: yaml.Node, path: tuple[str, ...], out: dict[tuple[str, ...], int]) -> None:
    """Fill `out` with the line of every key and item, in file order; refuse a key given
    twice in one mapping (PyYAML would keep the last value without a word)."""
    stack = [(node, path)]
    while stack:
        current, where = stack.pop()
        children: list[tuple[yaml.Node, tuple[str, ...]]] = []
        if isinstance(current, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, value in current.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                line = key.start_mark.line + 1
                if (key.tag, str(key.value)) in seen:
                    first = seen[(key.tag, str(key.value))]
                    raise YamlProblem(f"duplicate key '{key.value}' (first on line {first})",
                                      line, key.start_mark.column + 1,
                                      "remove one: YAML would silently keep only the last")
                seen[(key.tag, str(key.value))] = line
                children.append((value, (*where, str(key.value))))
                out.setdefault(children[-1][1], line)
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                children.append((item, (*where, str(index))))
                out.setdefault(children[-1][1], item.start_mark.line + 1)
        stack.extend(reversed(children))


def _first_bad_scalar_line(node: yaml.Node) -> int | None:
    """Find the timestamp-tagged scalar that failed to construct (or the over-long number),
    for its line."""
    import datetime

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode) and current.tag.endswith(":timestamp"):
            try:
                datetime.date.fromisoformat(str(current.value)[:10])
            except ValueError:
                return current.start_mark.line + 1
        elif isinstance(current, yaml.ScalarNode) and current.tag.endswith(":int") and \
                len(str(current.value)) > 4300:
            return current.start_mark.line + 1
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((value, key))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return None
