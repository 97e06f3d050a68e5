"""Reading a scenario's YAML text into plain data plus a map from field path to line and column.

PyYAML's `compose` keeps a start mark on every node; walking the node tree alongside the constructed data
gives each value's position, so later checks (the file's own schema, references, the API specs) can all
say where a problem is. Timestamps stay strings here (the schema checks their format, the loader parses
them), because a datetime object is not a JSON value and would not validate as a string. Duplicate
mapping keys, which PyYAML silently resolves to the last one, are reported as problems.

A scenario may come from anyone who can reach the admin API, so parsing cannot be exhausted: control
characters are problems with their line and column (PyYAML's own error has neither), and the composer
refuses a document nested deeper than `MAX_DEPTH` (20,000 `[` would otherwise end in a RecursionError) or
that expands, aliases counted each time they are used, to more than `MAX_NODES` nodes (a "billion laughs"
of 342 bytes expands to 10^9). Every later step walks the expanded document, so that bound is the bound
on all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.events import AliasEvent

from mockserver.scenarios.problems import Problem

MAX_DEPTH = 64
"""Collections nested deeper than this are refused (real scenarios nest under 15)."""
MAX_NODES = 100_000
"""Nodes a document may expand to, every use of an alias counting its whole subtree."""
MAX_REPORTED = 20
"""Control characters reported one by one before the rest are summed up."""

# What YAML 1.1 (and PyYAML's reader) refuses: C0 controls but tab and line breaks, DEL, C1 controls but
# NEL, surrogates, U+FFFE and U+FFFF.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


class LimitExceeded(yaml.MarkedYAMLError):
    """The document is deeper or larger than the parser allows."""


class _Loader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp type, whose composer counts depth and expanded size."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> nodes in its subtree, aliases expanded

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            return super().compose_node(parent, index)  # an alias adds its anchor's size, counted below
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise LimitExceeded(None, None, f"the document is nested deeper than {MAX_DEPTH} levels", mark)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = ()
        size = 1 + sum(self._sizes.get(id(child), 1) for child in children)
        if size > MAX_NODES:
            raise LimitExceeded(None, None, f"the document expands to more than {MAX_NODES} nodes (aliases "
                                            "count each time they are used)", mark)
        self._sizes[id(node)] = size
        return node


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Source:
    """A parsed scenario document: its data and where each field path sits in the text."""

    file: str
    data: object
    marks: dict = field(default_factory=dict)  # path tuple -> (line, column), 1-based
    key_marks: dict = field(default_factory=dict)  # path tuple -> (line, column) of the key itself

    def where(self, path: tuple) -> tuple[int, int]:
        """Line and column of `path`, or of its nearest ancestor that has a mark."""
        path = tuple(path)
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (1, 1))

    def key_where(self, path: tuple) -> tuple[int, int]:
        """Line and column of the key naming `path` (for unknown-field problems)."""
        return self.key_marks.get(tuple(path)) or self.where(path)

    def problem(self, path: tuple, message: str, *, at_key: bool = False) -> Problem:
        line, column = self.key_where(path) if at_key else self.where(path)
        return Problem(self.file, line, column, tuple(path), message)


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def control_characters(text: str, file: str) -> list[Problem]:
    """A problem, with line and column, for each character YAML does not allow (NUL, ESC, ...)."""
    problems = []
    for match in _NOT_PRINTABLE.finditer(text):
        if len(problems) == MAX_REPORTED:
            rest = sum(1 for _ in _NOT_PRINTABLE.finditer(text, match.start()))
            problems.append(Problem(file, *_line_column(text, match.start()), (),
                                    f"and {rest} more characters YAML does not allow"))
            break
        problems.append(Problem(file, *_line_column(text, match.start()), (),
                                f"control character U+{ord(match.group()):04X} is not allowed in YAML"))
    return problems


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse(text: str, file: str) -> tuple[Source | None, list[Problem]]:
    """Parse `text`; on a syntax error or a limit return no source and the problem with its position."""
    problems = control_characters(text, file)
    if problems:
        return None, problems
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Source(file, None, {(): (1, 1)}), []
        data = loader.construct_document(node)
    except LimitExceeded as exc:
        mark = exc.problem_mark
        return None, [Problem(file, mark.line + 1, mark.column + 1, (), exc.problem)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        return None, [Problem(file, line, column, (), f"YAML syntax error: {message}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, (), f"YAML error: {exc}")]
    finally:
        loader.dispose()
    source = Source(file, _string_keys(data))
    problems: list[Problem] = []
    _walk(loader, node, (), source, problems)
    return source, problems


def _string_keys(data):
    # JSON (and the schema) only knows string keys; `1:` under `catalogs` is the catalog "1".
    if isinstance(data, dict):
        return {k if isinstance(k, str) else str(k): _string_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_string_keys(v) for v in data]
    return data


def _walk(loader, node, path: tuple, source: Source, problems: list[Problem]) -> None:
    source.marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) \
                else key_node.value
            if isinstance(key, str) or isinstance(key, (int, float, bool)) or key is None:
                child = path + (key if isinstance(key, str) else str(key),)
            else:
                child = path + (str(key),)
            if child[-1] in seen:
                line, column = _mark(key_node)
                problems.append(Problem(source.file, line, column, child,
                                        f"duplicate key {child[-1]!r} (first at line {seen[child[-1]]})"))
            seen[child[-1]] = _mark(key_node)[0]
            source.key_marks[child] = _mark(key_node)
            _walk(loader, value_node, child, source, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(loader, item, path + (index,), source, problems)
