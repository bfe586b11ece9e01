"""Checks on every request's input before any schema sees it: size, nesting, characters.

One place for the class of bad input that no field schema catches on its
own: NUL bytes and other control characters, lone surrogates, line breaks in
one-line fields (names, titles, addresses: they end up in mail headers),
JSON nested deeper than any Knotenpunkt document, numbers too long to parse.
Each finding names the field and the rule.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 100
# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\r\n\v\f\x85\u2028\u2029]")
# Keys whose values are one line: they travel into mail headers, subjects, file names.
_ONE_LINE = re.compile(r"(^|_)(name|title|email|subject|person_id|id|kind|key|url|phone)$")


class BadInput(ValueError):
    """An input breaks a rule: `field` names where (dotted path), `rule` what."""

    def __init__(self, field: str, rule: str, status: int = 422):
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule
        self.status = status


def check_text(field: str, value: str, *, one_line: bool = False) -> None:
    """Raises BadInput for control characters, lone surrogates and (one_line) line breaks."""
    m = _CONTROL.search(value)
    if m:
        raise BadInput(field, f"enthält ein unzulässiges Steuerzeichen (U+{ord(m.group()):04X}).")
    m = _SURROGATE.search(value)
    if m:
        raise BadInput(field, "enthält ein ungültiges Unicode-Zeichen (einzelnes Surrogat).")
    if one_line:
        m = _LINE_BREAK.search(value)
        if m:
            raise BadInput(field, f"muss einzeilig sein (Zeilenumbruch U+{ord(m.group()):04X}).")


def one_line_key(key: str) -> bool:
    return bool(_ONE_LINE.search(key))


class _BadNumber:
    """A number the parser met that no field may take; check_structure names its field."""

    def __init__(self, rule: str):
        self.rule = rule


def _parse_int(text: str):
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        return _BadNumber(f"ist eine Zahl mit mehr als {MAX_NUMBER_DIGITS} Ziffern.")
    return int(text)


def _parse_float(text: str):
    if len(text) > MAX_NUMBER_DIGITS:
        return _BadNumber(f"ist eine Zahl mit mehr als {MAX_NUMBER_DIGITS} Zeichen.")
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return _BadNumber("ist eine Zahl außerhalb des darstellbaren Bereichs.")
    return value


def _reject_constant(name: str):
    raise BadInput("_body", f"enthält {name}, das ist kein gültiges JSON.")


def parse_json_body(raw: bytes):
    """Parse a JSON body strictly; raises BadInput (400 for syntax, 422 for content rules)."""
    nesting = _max_nesting(raw)
    if nesting > MAX_DEPTH:
        raise BadInput("_body", f"ist tiefer als {MAX_DEPTH} Ebenen verschachtelt.", status=400)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput("_body", "ist kein gültiges UTF-8.", status=400) from exc
    try:
        data = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_reject_constant,
        )
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadInput("_body", "ist kein gültiges JSON.", status=400) from exc
    check_structure(data)
    return data


def _max_nesting(raw: bytes) -> int:
    """How deep brackets nest outside strings (without recursion, so any input is safe)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def check_structure(data, path: str = "") -> None:
    """Check every string and key of a parsed document (iteratively)."""
    stack = [(path, data, "")]
    while stack:
        where, value, key = stack.pop()
        if isinstance(value, _BadNumber):
            raise BadInput(where or "_body", value.rule)
        if isinstance(value, str):
            check_text(where or "_body", value, one_line=one_line_key(key))
        elif isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    continue
                check_text(f"{where}.{k}" if where else k, k, one_line=True)
                stack.append((f"{where}.{k}" if where else k, v, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                stack.append((f"{where}.{i}" if where else str(i), v, key))


def check_query(args) -> None:
    """Check query parameters (a MultiDict) like body strings: every value is one line."""
    for key, value in args.items(multi=True):
        check_text(key, key, one_line=True)
        check_text(key, value, one_line=True)
