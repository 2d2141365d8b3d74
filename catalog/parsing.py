"""Bounded loaders for the JSON and YAML that people and forges send: descriptors pasted on the
registration page, catalog imports, API bodies, webhook deliveries.

Reading untrusted text must cost no more than its size allows. Callers bound the size; these loaders
bound the rest:
- depth: JSON and YAML nested deeper than `MAX_DEPTH` are refused (deeper values only serve to crash
  code that walks them: Python's recursion limit, or a 500);
- YAML aliases: `*name` repeats a value without repeating its text, so nine aliases of nine aliases of
  ... ("billion laughs") stand for 9^9 values in a few hundred bytes. The composer counts what every
  alias stands for and refuses beyond a small budget (as the npm `yaml` package's maxAliasCount and
  go-yaml's expansion limit do); a recursive alias is refused outright;
- YAML values: a stream with more values than `max_nodes` (aliases counted as what they stand for) is
  refused before anything is constructed.
Everything is counted while composing, so a refusal comes as soon as a budget is passed: its cost is
bounded by the budget, whatever the text goes on to say.

Errors are `ParseError` (a ValueError) whose text is a clause for the person who sent the text, to put
after a file name ("repos.json: the JSON is nested deeper than 64 levels") or, with `sentence()`, on its
own: `Malformed` for text that is not JSON/YAML, `TooComplex` for text beyond a budget.
"""

import json
import sys

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.resolver import Resolver

MAX_DEPTH = 64
# What aliases may stand for in one stream, in values and in characters of text. Well above any
# catalog-info.yaml that uses anchors for what they are for (a shared list of links or tags), far below
# what makes the code that reads the values slow.
MAX_ALIAS_NODES = 10_000
MAX_ALIAS_CHARS = 1_000_000


class ParseError(ValueError):
    """Text that cannot be read, or not at a bounded cost; str() says why, as a clause."""


class Malformed(ParseError):
    """Not JSON / not YAML / not UTF-8."""


class TooComplex(ParseError):
    """Beyond a depth, value or alias budget."""


def sentence(error: ParseError) -> str:
    """The error as a sentence of its own: "The JSON is nested deeper than 64 levels." """
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."


def size_text(size: int) -> str:
    """A byte limit as people read it: "25 MB", "2.5 MB", "10000 bytes"."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 and megabytes == round(megabytes, 1) else f"{size} bytes"


# -- JSON ---------------------------------------------------------------------------------------------


def _reject_constant(name: str):
    raise Malformed(f"not valid JSON: {name} is not a JSON value")


def load_json(data: str | bytes, *, max_depth: int = MAX_DEPTH, allow_constants: bool = True):
    """The value of a JSON text (bytes are UTF-8), at most `max_depth` arrays/objects deep.

    The size is the caller's to bound. `allow_constants=False` refuses NaN and ±Infinity, which Python's
    json accepts and JSON does not."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as error:
            raise Malformed(f"not UTF-8 text (byte {error.start})") from error
    try:
        value = json.loads(data, parse_constant=None if allow_constants else _reject_constant)
    except json.JSONDecodeError as error:
        raise Malformed(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    except ParseError:
        raise  # a refused constant
    except RecursionError as error:
        # The C decoder stops at its own recursion limit (thousands of levels): the same refusal.
        raise TooComplex(f"the JSON is nested deeper than {max_depth} levels") from error
    except ValueError as error:
        # int() refuses a number longer than sys.get_int_max_str_digits() (a guard of its own, and the
        # only other ValueError json raises).
        raise Malformed(
            f"not valid JSON: a number has more than {sys.get_int_max_str_digits()} digits"
        ) from error
    if _depth_exceeds(value, max_depth):
        raise TooComplex(f"the JSON is nested deeper than {max_depth} levels")
    return value


def _depth_exceeds(value, limit: int) -> bool:
    """Whether arrays/objects nest deeper than `limit`; iterative, so that depth cannot recurse here.
    Linear in the number of values (a tenth of the decoding's time on a 12 MB delivery)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        container, depth = stack.pop()
        if depth > limit:
            return True
        for item in container.values() if isinstance(container, dict) else container:
            if isinstance(item, dict | list):
                stack.append((item, depth + 1))
    return False


# -- YAML ---------------------------------------------------------------------------------------------

try:  # libyaml's parser (PyYAML's C extension) makes the events; composing stays in Python, counted.
    from yaml.cyaml import CParser as _Parser

    def _init_parser(loader, stream: str) -> None:
        _Parser.__init__(loader, stream)

    _PARSER_BASES: tuple = (_Parser,)
except ImportError:  # PyYAML without libyaml: its pure-Python reader, scanner and parser
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    def _init_parser(loader, stream: str) -> None:
        Reader.__init__(loader, stream)
        Scanner.__init__(loader)
        Parser.__init__(loader)

    _PARSER_BASES = (Reader, Scanner, Parser)


class _CountingComposer(Composer):
    """PyYAML's composer, counting every node it makes and every node an alias stands for."""

    def _start_counting(self, *, max_nodes: int, max_depth: int, max_alias_nodes: int, max_alias_chars: int):
        self._limits = (max_nodes, max_depth, max_alias_nodes, max_alias_chars)
        self._nodes = 0  # in the stream, aliases counted as the nodes they stand for
        self._chars = 0  # characters of scalars, likewise
        self._alias_nodes = 0
        self._alias_chars = 0
        self._depth = 0
        self._sizes: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, chars) it stands for

    def compose_document(self):
        self._sizes = {}  # anchors do not cross documents
        return super().compose_document()

    def compose_node(self, parent, index):
        max_nodes, max_depth, max_alias_nodes, max_alias_chars = self._limits
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self.anchors and event.anchor not in self._sizes:
                raise TooComplex(f"the YAML alias *{event.anchor} is inside the value it names")
            nodes, chars = self._sizes.get(event.anchor, (0, 0))  # an undefined alias: PyYAML's error
            self._alias_nodes += nodes
            self._alias_chars += chars
            if self._alias_nodes > max_alias_nodes:
                raise TooComplex(
                    f"the YAML's aliases (*{event.anchor}) stand for more than {max_alias_nodes:,} values; "
                    "write the values out instead"
                )
            if self._alias_chars > max_alias_chars:
                raise TooComplex(
                    f"the YAML's aliases (*{event.anchor}) stand for more than {max_alias_chars:,} "
                    "characters; write the values out instead"
                )
            self._count(nodes, chars, max_nodes)
            return super().compose_node(parent, index)
        if isinstance(event, CollectionStartEvent):
            self._depth += 1
            if self._depth > max_depth:
                raise TooComplex(f"the YAML is nested deeper than {max_depth} levels")
        before = (self._nodes, self._chars)
        self._count(1, len(getattr(event, "value", "")), max_nodes)
        node = super().compose_node(parent, index)
        if isinstance(event, CollectionStartEvent):
            self._depth -= 1
        if event.anchor is not None:
            self._sizes[event.anchor] = (self._nodes - before[0], self._chars - before[1])
        return node

    def _count(self, nodes: int, chars: int, max_nodes: int) -> None:
        self._nodes += nodes
        self._chars += chars
        if self._nodes > max_nodes:
            raise TooComplex(f"the YAML has more than {max_nodes:,} values")


class _BoundedSafeLoader(_CountingComposer, *_PARSER_BASES, SafeConstructor, Resolver):
    """yaml.SafeLoader's parts (libyaml's parser when present, as in CSafeLoader) with a counting composer."""

    def __init__(self, stream: str, **limits):
        _init_parser(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._start_counting(**limits)


def load_yaml_documents(
    text: str,
    *,
    max_nodes: int,
    max_depth: int = MAX_DEPTH,
    max_alias_nodes: int = MAX_ALIAS_NODES,
    max_alias_chars: int = MAX_ALIAS_CHARS,
) -> list:
    """Every document of a YAML stream, as yaml.safe_load_all reads them (None for an empty one),
    within the budgets above. `max_nodes` bounds the stream's values, aliases counted as what they
    stand for: the caller sizes it for what the text should hold."""
    if type(text) is not str:
        # libyaml reads only exact str (or bytes): a str subclass such as a rendered template's
        # SafeString is copied into a plain one.
        text = str.__str__(text) if isinstance(text, str) else text
    loader = _BoundedSafeLoader(
        text,
        max_nodes=max_nodes,
        max_depth=max_depth,
        max_alias_nodes=max_alias_nodes,
        max_alias_chars=max_alias_chars,
    )
    try:
        documents = []
        while loader.check_data():
            documents.append(loader.get_data())
        return documents
    except yaml.YAMLError as error:
        if "nesting depth" in str(getattr(error, "problem", "")):
            # libyaml's scanner has a nesting limit of its own (1000) that it may reach first, as it
            # looks ahead: the same refusal as ours.
            raise TooComplex(f"the YAML is nested deeper than {max_depth} levels") from error
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise Malformed(f"not valid YAML{where}") from error
    finally:
        loader.dispose()
