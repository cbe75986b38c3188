"""Loading YAML: PyYAML's safe loader only, checked while it is composed, before anything is
built (see :mod:`mlkaizen.evidence.parse.yamlfile` for what comes back). Imported on the first
load."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from mlkaizen.errors import ParseError
from mlkaizen.formats.yamlnodes import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, LineDict


class LimitedComposer(Composer):
    """PyYAML's composer, counting the alias-expanded nodes and the depth of each document
    while it composes it, and refusing recursive anchors. Linear in the events read."""

    max_nodes = DEFAULT_MAX_NODES
    max_depth = DEFAULT_MAX_DEPTH
    # from the parser it is mixed with
    check_event: Callable[..., bool]
    get_event: Callable[[], Any]
    peek_event: Callable[[], Any]

    def __init__(self) -> None:
        super().__init__()
        # id(node) -> (expanded size, height), recorded when a node is complete
        self._shape: dict[int, tuple[int, int]] = {}
        self._depth = 0
        self._total = 0

    def compose_document(self) -> yaml.Node | None:
        self._shape, self._depth, self._total = {}, 0, 0
        try:
            return super().compose_document()
        finally:
            self._shape = {}

    def _count(self, size: int, mark: yaml.Mark) -> None:
        self._total += size
        if self._total > self.max_nodes:
            raise ParseError(
                f"YAML expands to more than max_yaml_nodes={self.max_nodes:,} nodes "
                "(an alias bomb?); not loaded",
                mark.line + 1,
            )

    def _check_depth(self, depth: int, mark: yaml.Mark) -> None:
        if depth > self.max_depth:
            raise ParseError(
                f"YAML nests deeper than max_yaml_depth={self.max_depth}; not loaded",
                mark.line + 1,
            )

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(AliasEvent):
            event = self.get_event()
            target: yaml.Node | None = self.anchors.get(event.anchor)
            if target is None:
                raise ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                )
            shape = self._shape.get(id(target))
            if shape is None:  # its anchor's node is still being composed: it contains itself
                raise ParseError(
                    "recursive YAML anchor (a node contains itself); not loaded",
                    event.start_mark.line + 1,
                )
            self._count(shape[0], event.start_mark)
            self._check_depth(self._depth + shape[1], event.start_mark)
            return target
        self._depth += 1
        try:
            mark = self.peek_event().start_mark
            self._check_depth(self._depth, mark)
            self._count(1, mark)
            node: yaml.Node = super().compose_node(parent, index)  # type: ignore[assignment]
        finally:
            self._depth -= 1
        size, height = 1, 0
        for child in _children(node):
            child_size, child_height = self._shape[id(child)]
            size += child_size
            height = max(height, child_height)
        self._shape[id(node)] = (size, height + 1)
        return node


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


_CParser: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)


if _CParser is not None:

    class _Loader(LimitedComposer, _CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        """libyaml's parser (events), the counting composer, the safe constructor."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            LimitedComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _Loader(  # type: ignore[no-redef]
        Reader, Scanner, Parser, LimitedComposer, SafeConstructor, Resolver
    ):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            LimitedComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key is True and key_node.value == "on":  # YAML 1.1 reads a bare `on` as a boolean
            key = "on"
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        if key in mapping:
            if getattr(loader, "first_key_wins", False):
                continue
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {str(key)[:60]!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_local_tag(loader: Any, suffix: str, node: yaml.Node) -> Any:
    """A local tag (CloudFormation's ``!Ref``/``!Sub``/``!GetAtt``, GitLab's ``!reference``)
    read as the plain value it tags: nothing is built but strings, lists and mappings."""
    if isinstance(node, yaml.MappingNode):
        return _construct_mapping(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return [loader.construct_object(child, deep=True) for child in node.value]
    return loader.construct_scalar(node)


_Loader.add_multi_constructor("!", _construct_local_tag)


def load_yaml_documents(
    text: str,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    *,
    first_key_wins: bool = False,
) -> list[Any]:
    """All documents of a YAML stream. Raises :class:`ParseError` with the line of the problem
    (limits are enforced while each document is composed, before it is built). A duplicate
    key is refused, unless ``first_key_wins`` (a template whose branches repeat a key)."""
    try:
        loader = _Loader(text)
    except UnicodeError:
        raise ParseError("YAML contains characters that cannot be encoded") from None
    loader.max_nodes, loader.max_depth = max_nodes, max_depth
    loader.first_key_wins = first_key_wins
    docs: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            docs.append(loader.construct_document(node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ParseError(f"invalid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ParseError(f"YAML nests too deeply (max_yaml_depth={max_depth})") from None
    except UnicodeError:
        raise ParseError("YAML contains characters that cannot be encoded") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ParseError(f"invalid YAML value: {str(exc)[:120]}") from None
    finally:
        loader.dispose()
    return docs


