"""Read charter YAML as a person reads it, remembering where every value was written.

PyYAML's default (YAML 1.1) resolvers turn ``8:30`` into 510, ``no`` into False and ``0123``
into 83.  Editors write opening hours, codes and phone numbers, so here every plain scalar
stays the exact text that was written; the model converts text to numbers or dates only where
a field asks for one, and says so when it cannot.  Only ``null``, ``~`` and an empty value mean
"nothing".

Anchors, aliases and explicit tags are refused: charters do not need them, and they are how
hostile YAML expands exponentially or constructs objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from carta.errors import Problem

try:  # the C composer is several times faster; marks and behaviour are the same
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader


class _Loader(_BaseLoader):
    """PyYAML's safe loader, without guessing the type of each plain scalar: every value stays
    the text that was written (:func:`_plain`), so the guess (a regular expression per value,
    400,000 at 1000 schede) was thrown away.  Explicit tags are still read, and refused."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            return self.DEFAULT_SCALAR_TAG
        if kind is yaml.SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG


MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
_COMPOSER_SAFE = 1000  # levels of nesting the C composer takes without harm (libyaml's limit)
_NULLS = {"null", "Null", "NULL", "~", ""}
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    # resolved (implicit) tags of plain scalars: we ignore what PyYAML guessed
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:value",
    "tag:yaml.org,2002:merge",
}

Path_ = tuple[str | int, ...]


@dataclass
class Source:
    """One YAML file: its plain data and the line/column of every key path in it."""

    path: str  # relative to the charter root, with forward slashes
    data: Any = None
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def mark(self, keypath: Path_) -> tuple[int, int]:
        """Line and column (1-based) of ``keypath``, or of its nearest written ancestor."""
        keypath = tuple(keypath)
        while keypath:
            if keypath in self.marks:
                return self.marks[keypath]
            keypath = keypath[:-1]
        return self.marks.get((), (1, 1))

    def problem(self, keypath: Path_, message: str) -> Problem:
        """A problem located at ``keypath`` in this file."""
        line, col = self.mark(keypath)
        return Problem(self.path, line, col, keypath, message)


class _Refused(Exception):
    def __init__(self, node: yaml.Node | None, message: str):
        super().__init__(message)
        self.node = node
        self.message = message


def read_source(file: Path, rel: str) -> tuple[Source, list[Problem]]:
    """Read ``file`` into a :class:`Source`; problems come back instead of being raised."""
    source = Source(rel)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return source, [Problem(rel, 1, 1, (), f"cannot read the file: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return source, [
            Problem(rel, 1, 1, (), f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return source, [
            Problem(rel, line, col, (), "not UTF-8 text: save the file as UTF-8 (byte "
                    f"0x{raw[exc.start]:02x} cannot be decoded)")
        ]
    try:
        too_deep = _too_deep(text)
        if too_deep is not None:
            return source, [Problem(rel, too_deep.line + 1, too_deep.column + 1, (),
                                    f"nesting deeper than {MAX_DEPTH} levels")]
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = " ".join(part for part in (exc.context, exc.problem) if part)
        return source, [Problem(rel, line, col, (), f"YAML syntax: {msg}")]
    except yaml.YAMLError as exc:
        return source, [Problem(rel, 1, 1, (), f"YAML syntax: {exc}")]
    except RecursionError:
        return source, [Problem(rel, 1, 1, (), f"nesting deeper than {MAX_DEPTH} levels")]
    if node is None:
        source.data = None
        return source, []
    try:
        source.data = _plain(node, (), source.marks, set(), 0)
    except _Refused as exc:
        mark = exc.node.start_mark if exc.node is not None else None
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return source, [Problem(rel, line, col, (), exc.message)]
    return source, []


_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _too_deep(text: str) -> yaml.Mark | None:
    """Where the nesting first goes deeper than MAX_DEPTH, or None.

    Checked on the parser's event stream, which is flat, before anything is composed: the
    C composer recurses once per level and a file of 50,000 ``[`` overflows its stack (a
    crash, not an error message)."""
    # every level of nesting opens with a character of its own: [ { (flow), - (sequence),
    # : or ? (mapping); a file with a few hundred of them (a scheda) cannot nest deeply
    # enough to harm the composer, and _plain refuses it past MAX_DEPTH as this would
    # (reading the events twice was a fifth of loading a charter)
    if sum(text.count(c) for c in "[{-:?") <= _COMPOSER_SAFE:
        return None
    try:
        return _deepest(text, _Loader)
    except yaml.YAMLError:
        if _BaseLoader is yaml.SafeLoader:
            raise
        # libyaml (PyYAML 6.0.4 and later) refuses deep flow nesting with a limit and a
        # message of its own before carta's count reaches MAX_DEPTH; the pure-Python parser
        # hands out events one at a time, so carta's limit, message and mark come first
        # whatever the installed version. Taken only for files that fail anyway.
        return _deepest(text, yaml.SafeLoader)


def _deepest(text: str, loader) -> yaml.Mark | None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark
        elif isinstance(event, _CLOSE):
            depth -= 1
    return None


def _plain(node: yaml.Node, path: Path_, marks: dict, seen: set[int], depth: int) -> Any:
    if depth >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
        # the same limit and place as _too_deep's: a list or mapping inside 64 others
        raise _Refused(node, f"nesting deeper than {MAX_DEPTH} levels")
    if id(node) in seen:
        raise _Refused(node, "anchors and aliases (&name, *name) are not supported: "
                             "write the value out in full")
    seen.add(id(node))
    if node.tag not in _PLAIN_TAGS:
        raise _Refused(node, f"explicit tag {node.tag!r} is not allowed: remove it")
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.style in (None, "") and node.value in _NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, i), marks, seen, depth + 1)
                for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Refused(key_node, "keys must be plain words, not lists or mappings")
        if key_node.value == "<<":
            raise _Refused(key_node, "merge keys (<<) are not supported: write the keys out")
        key = key_node.value
        if key in result:
            raise _Refused(key_node, f"key {key!r} appears twice in the same mapping")
        result[key] = _plain(value_node, (*path, key), marks, seen, depth + 1)
        marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    return result
