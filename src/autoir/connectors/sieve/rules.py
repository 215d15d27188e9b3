"""Sieve scripts (RFC 5228): find and remove external forwarding, report out-of-office.

Scripts are **edited as text, never regenerated**. sievelib's tree (``Command.tosieve``) drops
bracket comments, every comment below the top level and Roundcube's ``# rule:[name]`` markers,
and reindents everything, so a round trip through it would change rules the user never asked
us to touch. Instead sievelib's lexer cuts the script into tokens with their offsets, a small
parser of the generic Sieve grammar (``command = identifier arguments (";" / block)``, which
needs no knowledge of extensions) builds the command tree, and only the byte ranges of the
removed commands are cut out. The result is checked before it is returned:

* it parses with the generic grammar, and — when sievelib's own parser accepted the original
  (it knows the base language and the common extensions, not every Pigeonhole one) — with
  sievelib's parser too;
* it has no external redirect left;
* when sievelib accepted the original, its tree found the same redirects as ours.

What removing a redirect leaves:

* the command itself, its line when it was alone on it, and a ``#`` comment after it;
* a block left empty by the removals: an ``else`` goes; an ``if`` or ``elsif`` that is the last
  branch of its chain goes too (with Roundcube's ``# rule:[…]`` marker line above an ``if``),
  since an empty last branch does nothing; an ``if``/``elsif`` with branches after it keeps
  its empty block (``if c {}``), so that the later branches still see only what they saw.
  When the script requires ``variables``, emptied ``if``/``elsif`` tests stay (their
  ``:matches`` may set ``${1}`` for later rules);
* ``require`` is left as it was (an unused capability is still valid).

A redirect whose address is a variable (``"${fwd}"``) cannot be shown to stay inside the
organisation and is treated as external. An address without a domain names a local user
(RFC 5228 §4.2) and is internal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sievelib.commands import Command  # type: ignore[import-untyped]
from sievelib.parser import Lexer, ParseError, Parser  # type: ignore[import-untyped]

from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import AutoReply

_COMMENTS = frozenset({"hash_comment", "bracket_comment"})
_STRINGS = frozenset({"string", "multiline"})
_RULE_MARKER = re.compile(rb"#\s*rule:\[")


class SieveSyntaxError(ConnectorRejected):
    """A script that cannot be parsed, or a rewrite that would not be a valid script."""


OutOfOffice = AutoReply
"""A mailbox's automatic reply (Sieve ``vacation``, RFC 5230): the port's record."""


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A script with its external redirects removed."""

    script: str
    removed: tuple[str, ...]
    """The external addresses that no longer receive mail, in script order."""

    @property
    def changed(self) -> bool:
        """Whether anything was removed."""
        return bool(self.removed)


# --- tokens and the generic grammar ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    value: bytes
    start: int
    end: int


@dataclass(slots=True)
class _Arg:
    kind: str  # string, number, tag, list
    values: tuple[str, ...]


@dataclass(slots=True)
class _Test:
    name: str
    args: list[_Arg]
    tests: list[_Test]


@dataclass(slots=True)
class _Command:
    name: str
    token: int  # index of the identifier in the full token list
    start: int
    end: int
    args: list[_Arg]
    tests: list[_Test]
    block: list[_Command] | None = None
    pending: list[tuple[int, int]] = field(default_factory=list)


def _tokens(data: bytes) -> list[_Token]:
    lexer = Lexer(Parser.lrules)
    tokens: list[_Token] = []
    try:
        for kind, value in lexer.scan(data):
            start = int(lexer.pos)  # the lexer advances only after the token is consumed
            tokens.append(_Token(str(kind), bytes(value), start, start + len(value)))
    except ParseError as error:
        raise SieveSyntaxError(f"Sieve script: {error}") from error
    return tokens


class _Reader:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> _Token | None:
        while self.index < len(self.tokens) and self.tokens[self.index].kind in _COMMENTS:
            self.index += 1
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str) -> _Token:
        token = self.peek()
        if token is None or token.kind != kind:
            seen = "end of script" if token is None else repr(token.value.decode(errors="replace"))
            raise SieveSyntaxError(f"Sieve script: {kind.replace('_', ' ')} expected, {seen} found")
        self.index += 1
        return token

    def commands(self, *, closing: bool) -> list[_Command]:
        found: list[_Command] = []
        while True:
            token = self.peek()
            if token is None:
                if closing:
                    raise SieveSyntaxError("Sieve script: '}' expected at end of script")
                return found
            if token.kind == "right_cbracket":
                if not closing:
                    raise SieveSyntaxError("Sieve script: '}' without a block")
                return found
            found.append(self.command())

    def command(self) -> _Command:
        self.peek()
        index = self.index
        identifier = self.take("identifier")
        args, tests = self.arguments()
        token = self.peek()
        if token is not None and token.kind == "semicolon":
            self.index += 1
            return _Command(
                identifier.value.decode().lower(), index, identifier.start, token.end, args, tests
            )
        self.take("left_cbracket")
        block = self.commands(closing=True)
        close = self.take("right_cbracket")
        name = identifier.value.decode().lower()
        return _Command(name, index, identifier.start, close.end, args, tests, block)

    def arguments(self) -> tuple[list[_Arg], list[_Test]]:
        args: list[_Arg] = []
        while (token := self.peek()) is not None:
            if token.kind in _STRINGS:
                args.append(_Arg("string", (_string(token),)))
            elif token.kind in ("number", "tag"):
                args.append(_Arg(token.kind, (token.value.decode(),)))
            elif token.kind == "left_bracket":
                args.append(self.string_list())
                continue
            else:
                break
            self.index += 1
        tests: list[_Test] = []
        token = self.peek()
        if token is not None and token.kind == "identifier":
            tests.append(self.test())
        elif token is not None and token.kind == "left_parenthesis":
            self.index += 1
            tests.append(self.test())
            while (token := self.peek()) is not None and token.kind == "comma":
                self.index += 1
                tests.append(self.test())
            self.take("right_parenthesis")
        return args, tests

    def string_list(self) -> _Arg:
        self.take("left_bracket")
        values = [self.string()]
        while (token := self.peek()) is not None and token.kind == "comma":
            self.index += 1
            values.append(self.string())
        self.take("right_bracket")
        return _Arg("list", tuple(values))

    def string(self) -> str:
        token = self.peek()
        if token is None or token.kind not in _STRINGS:
            raise SieveSyntaxError("Sieve script: string expected in a string list")
        self.index += 1
        return _string(token)

    def test(self) -> _Test:
        identifier = self.take("identifier")
        args, tests = self.arguments()
        return _Test(identifier.value.decode().lower(), args, tests)


def _string(token: _Token) -> str:
    text = token.value.decode("utf-8", errors="replace")
    if token.kind == "string":
        return re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.DOTALL)
    body = text.split("\n", 1)[1] if "\n" in text else ""
    lines = body.split("\n")[:-1]  # the last line is the terminating "."
    return "".join((line[1:] if line.startswith("..") else line) + "\n" for line in lines).replace(
        "\r\n", "\n"
    )


def _parse(data: bytes) -> tuple[list[_Token], list[_Command]]:
    tokens = _tokens(data)
    try:
        return tokens, _Reader(tokens).commands(closing=False)
    except RecursionError as error:
        raise SieveSyntaxError("Sieve script: blocks nested too deeply") from error


def _walk(commands: Sequence[_Command]) -> Iterator[_Command]:
    for command in commands:
        yield command
        if command.block is not None:
            yield from _walk(command.block)


def _sievelib_tree(data: bytes) -> list[Command] | None:
    parser = Parser()
    return list(parser.result) if parser.parse(data) else None


def _sievelib_error(data: bytes) -> str | None:
    parser = Parser()
    return None if parser.parse(data) else str(parser.error)


# --- addresses ------------------------------------------------------------------------------


def is_internal(address: str, internal_domains: Sequence[str]) -> bool:
    """Whether ``address`` is in one of ``internal_domains`` (or a subdomain of one).

    An address without a domain names a local user, so it is internal; one built from a
    variable (``${…}``) cannot be checked, so it is not.
    """
    wanted = address.strip()
    bracketed = re.search(r"<([^>]*)>", wanted)
    if bracketed:
        wanted = bracketed.group(1).strip()
    if "${" in wanted:
        return False
    if "@" not in wanted:
        return True
    domain = wanted.rsplit("@", 1)[1].strip().lower().rstrip(".")
    for internal in internal_domains:
        name = internal.strip().lower().lstrip("@").rstrip(".")
        if name and (domain == name or domain.endswith("." + name)):
            return True
    return False


def _redirect_address(command: _Command) -> str | None:
    strings = [arg.values[0] for arg in command.args if arg.kind == "string"]
    return strings[-1] if strings else None


def redirect_targets(script: str) -> list[str]:
    """Every address ``script`` redirects mail to, in script order."""
    _, commands = _parse(script.encode("utf-8"))
    found = [_redirect_address(c) for c in _walk(commands) if c.name == "redirect"]
    return [address for address in found if address is not None]


def external_redirects(script: str, internal_domains: Sequence[str]) -> list[str]:
    """The addresses outside ``internal_domains`` that ``script`` redirects mail to."""
    return [a for a in redirect_targets(script) if not is_internal(a, internal_domains)]


# --- removal --------------------------------------------------------------------------------


def without_external_redirects(script: str, internal_domains: Sequence[str]) -> Rewrite:
    """``script`` with only its external redirects removed (see the module notes).

    Raises:
        SieveSyntaxError: the script cannot be parsed, or (a bug) the rewrite would not be valid.
    """
    data = script.encode("utf-8")
    tokens, commands = _parse(data)
    tree = _sievelib_tree(data)
    if tree is not None:
        _cross_check(tree, commands)
    keep_tests = "variables" in _required(commands)
    edits: list[tuple[int, int]] = []
    removed: list[str] = []
    _plan(data, tokens, commands, internal_domains, keep_tests, edits, removed)
    if not removed:
        return Rewrite(script, ())
    rewritten = _apply(data, edits)
    _check_rewrite(rewritten, internal_domains, sievelib_accepted=tree is not None)
    return Rewrite(rewritten.decode("utf-8"), tuple(removed))


def _plan(
    data: bytes,
    tokens: list[_Token],
    commands: list[_Command],
    internal_domains: Sequence[str],
    keep_tests: bool,
    edits: list[tuple[int, int]],
    removed: list[str],
) -> bool:
    """Collect the cuts for ``commands``; True when the block is left empty by them."""
    gone = [False] * len(commands)
    emptied = [False] * len(commands)
    for index, command in enumerate(commands):
        if command.name == "redirect":
            address = _redirect_address(command)
            if address is not None and not is_internal(address, internal_domains):
                gone[index] = True
                removed.append(address)
        elif command.block:
            inner: list[tuple[int, int]] = []
            if _plan(data, tokens, command.block, internal_domains, keep_tests, inner, removed):
                emptied[index] = True
                command.pending = inner
            else:
                edits.extend(inner)
    for index in reversed(range(len(commands))):
        if not emptied[index]:
            continue
        command = commands[index]
        after = next(
            (c for c, g in zip(commands[index + 1 :], gone[index + 1 :], strict=True) if not g),
            None,
        )
        last_branch = after is None or after.name not in ("elsif", "else")
        droppable = command.name == "else" or (
            command.name in ("if", "elsif") and last_branch and not keep_tests
        )
        if droppable:
            gone[index] = True
        else:
            edits.extend(command.pending)
    for index, command in enumerate(commands):
        if gone[index]:
            edits.append(_span(data, command.start, command.end))
            marker = _rule_marker(data, tokens, command)
            if marker is not None:
                edits.append(marker)
    return bool(commands) and all(gone)


def _rule_marker(data: bytes, tokens: list[_Token], command: _Command) -> tuple[int, int] | None:
    """Roundcube's ``# rule:[name]`` line right above a dropped ``if``."""
    if command.name != "if" or command.token == 0:
        return None
    before = tokens[command.token - 1]
    if before.kind != "hash_comment" or not _RULE_MARKER.match(before.value):
        return None
    line_start = data.rfind(b"\n", 0, before.start) + 1
    if data[line_start : before.start].strip(b" \t"):
        return None  # a comment after another command, not a marker line
    return _span(data, before.start, before.end)


def _span(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The bytes to cut for the command at ``[start, end)``: its line when it is alone on it."""
    line_start = data.rfind(b"\n", 0, start) + 1
    alone = not data[line_start:start].strip(b" \t")
    stop = end
    while stop < len(data) and data[stop : stop + 1] in (b" ", b"\t"):
        stop += 1
    if data[stop : stop + 1] == b"#":
        newline = data.find(b"\n", stop)
        stop = len(data) if newline < 0 else newline
        if data[stop - 1 : stop] == b"\r":
            stop -= 1
    at_end_of_line = (
        stop >= len(data) or data[stop : stop + 1] == b"\n" or (data[stop : stop + 2] == b"\r\n")
    )
    if not at_end_of_line:
        return start, stop
    if alone:
        if data[stop : stop + 2] == b"\r\n":
            stop += 2
        elif stop < len(data):
            stop += 1
        return line_start, stop
    while start > line_start and data[start - 1 : start] in (b" ", b"\t"):
        start -= 1
    return start, stop


def _apply(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(edits):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    pieces: list[bytes] = []
    position = 0
    for cut in merged:
        start, end = _whole_line(data, *cut)
        pieces.append(data[position:start])
        position = end
    pieces.append(data[position:])
    return b"".join(pieces)


def _whole_line(data: bytes, start: int, end: int) -> tuple[int, int]:
    """Widen a cut that would leave its line blank to the whole line."""
    line_start = data.rfind(b"\n", 0, start) + 1
    if data[line_start:start].strip():
        return start, end
    if data[end - 1 : end] == b"\n":
        return line_start, end  # the cut already ends its last line
    newline = data.find(b"\n", end)
    line_end = len(data) if newline < 0 else newline + 1
    if data[end:line_end].strip():
        return start, end
    return line_start, line_end


def _required(commands: list[_Command]) -> set[str]:
    return {
        value.lower()
        for command in commands
        if command.name == "require"
        for arg in command.args
        for value in arg.values
    }


def _cross_check(tree: list[Command], commands: list[_Command]) -> None:
    theirs = [
        re.sub(r"\\(.)", r"\1", str(node.arguments.get("address", "")).strip('"'))
        for top in tree
        for node in top.walk()
        if node.name == "redirect"
    ]
    ours = [_redirect_address(c) or "" for c in _walk(commands) if c.name == "redirect"]
    if theirs != ours:
        raise SieveSyntaxError("Sieve script: the parsers disagree on its redirects; left as is")


def _check_rewrite(
    rewritten: bytes, internal_domains: Sequence[str], *, sievelib_accepted: bool
) -> None:
    try:
        _, commands = _parse(rewritten)
    except SieveSyntaxError as error:
        raise SieveSyntaxError(f"Sieve rewrite produced an invalid script: {error}") from error
    if sievelib_accepted and (problem := _sievelib_error(rewritten)) is not None:
        raise SieveSyntaxError(f"Sieve rewrite produced an invalid script: {problem}")
    for command in _walk(commands):
        address = _redirect_address(command) if command.name == "redirect" else None
        if address is not None and not is_internal(address, internal_domains):
            raise SieveSyntaxError("Sieve rewrite left an external redirect")


def check_syntax(script: str) -> None:
    """Raise :class:`SieveSyntaxError` unless ``script`` follows the Sieve grammar."""
    data = script.encode("utf-8")
    _parse(data)


# --- out of office --------------------------------------------------------------------------


def out_of_office(script: str) -> OutOfOffice | None:
    """The script's ``vacation`` reply, or None when it has none.

    ``active`` is False when every vacation sits under a disabled rule (``if false``, as
    Roundcube writes a switched-off rule); otherwise the first enabled one is reported.
    """
    _, commands = _parse(script.encode("utf-8"))
    disabled: OutOfOffice | None = None
    for command, enabled in _vacations(commands, enabled=True):
        reply = _vacation(command, active=enabled)
        if enabled:
            return reply
        disabled = disabled or reply
    return disabled


def included_scripts(script: str) -> list[str]:
    """The user's own scripts that ``script`` includes (Pigeonhole ``include :personal``)."""
    _, commands = _parse(script.encode("utf-8"))
    names: list[str] = []
    for command in _walk(commands):
        if command.name != "include":
            continue
        tags = {arg.values[0].lower() for arg in command.args if arg.kind == "tag"}
        strings = [arg.values[0] for arg in command.args if arg.kind == "string"]
        if ":global" not in tags and strings:
            names.append(strings[-1])
    return names


def _vacations(commands: list[_Command], *, enabled: bool) -> Iterator[tuple[_Command, bool]]:
    for command in commands:
        if command.name == "vacation":
            yield command, enabled
        elif command.block is not None:
            off = command.name in ("if", "elsif") and any(_never(t) for t in command.tests)
            yield from _vacations(command.block, enabled=enabled and not off)


def _never(test: _Test) -> bool:
    if test.name == "false":
        return True
    return test.name == "not" and len(test.tests) == 1 and test.tests[0].name == "true"


def _vacation(command: _Command, *, active: bool) -> OutOfOffice:
    subject: str | None = None
    days: int | None = None
    args = command.args
    for index, arg in enumerate(args[:-1]):
        if arg.kind != "tag":
            continue
        following = args[index + 1]
        tag = arg.values[0].lower()
        if tag == ":subject" and following.kind == "string":
            subject = following.values[0]
        elif tag == ":days" and following.kind == "number":
            days = _number(following.values[0])
    return OutOfOffice(active=active, subject=subject, days=days)


def _number(text: str) -> int:
    factor = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(text[-1:].lower(), 1)
    return int(text.rstrip("KMGkmg")) * factor
