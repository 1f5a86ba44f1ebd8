"""Reading an X12 file someone else wrote: its separators, segments and envelopes.

Anything that is not a well-formed interchange is refused with `AckRefused`, a plain
message for the person who uploaded it; nothing else is raised for any text.
"""

from __future__ import annotations

from dataclasses import dataclass

ISA_LENGTH = 106  # the ISA segment is fixed width, its terminator included


class AckRefused(Exception):
    """The file cannot be read as an acknowledgment; the message says why, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Segment:
    name: str
    elements: tuple[str, ...]  # elements[0] is the segment ID; elements[1] is its first element
    component: str

    def __getitem__(self, index: int) -> str:
        return self.elements[index] if 0 <= index < len(self.elements) else ""

    def parts(self, index: int) -> list[str]:
        """The components of a composite element."""
        return self[index].split(self.component) if self[index] else []


@dataclass(frozen=True)
class Transaction:
    """One transaction set (ST to SE) and the envelopes around it."""

    code: str  # ST01: 999, 277, 837 ...
    version: str  # ST03, or GS08 when ST03 is empty
    control: str  # ST02
    group_code: str  # GS01
    group_control: str  # GS06
    body: tuple[Segment, ...]  # between ST and SE


def _separators(text: str) -> tuple[str, str, str]:
    if not text.startswith("ISA") or len(text) < ISA_LENGTH:
        raise AckRefused("This is not an X12 file: it does not begin with an ISA interchange header.")
    element, component, terminator = text[3], text[104], text[105]
    chosen = {element, component, terminator}
    if len(chosen) != 3 or any(ch.isalnum() or ch == " " for ch in chosen):
        raise AckRefused("This X12 file's header (ISA) is damaged: its separators cannot be read.")
    if text[:ISA_LENGTH].count(element) != 16:
        raise AckRefused("This X12 file's header (ISA) is damaged: it does not have its 16 elements.")
    return element, component, terminator


def segments(text: str) -> list[Segment]:
    """The file's segments, separators found from its ISA header."""
    if not isinstance(text, str):
        raise AckRefused("The file is not text.")
    text = text.lstrip("\ufeff \t\r\n")
    element, component, terminator = _separators(text)
    out = []
    for raw in text.split(terminator):
        raw = raw.strip("\r\n\t ")
        if not raw:
            continue
        parts = tuple(raw.split(element))
        name = parts[0].strip()
        if not (2 <= len(name) <= 3 and name.isalnum() and name.isascii()):
            raise AckRefused("This X12 file has a damaged segment; it cannot be read.")
        out.append(Segment(name=name.upper(), elements=(name.upper(), *parts[1:]), component=component))
    return out


def _count(value: str, what: str) -> int:
    if not value.strip().isdigit() or not value.strip().isascii():
        raise AckRefused(f"This X12 file's {what} is damaged: its count is not a number.")
    return int(value.strip())


def transactions(text: str) -> list[Transaction]:
    """Every transaction set of the interchange, its envelopes checked (counts and control numbers)."""
    segs = segments(text)
    if segs[-1].name != "IEA":
        raise AckRefused("This X12 file is cut short: it does not end with its IEA trailer.")
    isa, iea = segs[0], segs[-1]
    if iea[2].strip() != isa[13].strip():
        raise AckRefused("This X12 file's trailer (IEA) does not match its header (ISA).")
    found: list[Transaction] = []
    groups = 0
    i = 1
    while i < len(segs) - 1:
        gs = segs[i]
        if gs.name != "GS":
            raise AckRefused(f"This X12 file has a {gs.name} segment where a GS group header belongs.")
        groups += 1
        i += 1
        sets = 0
        while i < len(segs) - 1 and segs[i].name == "ST":
            st = segs[i]
            start = i
            i += 1
            while i < len(segs) - 1 and segs[i].name not in ("SE", "ST", "GE", "IEA"):
                i += 1
            se = segs[i]
            if se.name != "SE":
                raise AckRefused("This X12 file is damaged: a transaction set (ST) has no SE trailer.")
            if _count(se[1], "SE trailer") != i - start + 1 or se[2].strip() != st[2].strip():
                raise AckRefused("This X12 file is damaged: a transaction set's trailer (SE) does not "
                                 "match its content.")
            found.append(Transaction(code=st[1].strip(), version=(st[3] or gs[8]).strip(),
                                     control=st[2].strip(), group_code=gs[1].strip(),
                                     group_control=gs[6].strip(), body=tuple(segs[start + 1:i])))
            sets += 1
            i += 1
        ge = segs[i] if i < len(segs) else None
        if ge is None or ge.name != "GE":
            raise AckRefused("This X12 file is damaged: a group (GS) has no GE trailer where it should.")
        if _count(ge[1], "GE trailer") != sets or ge[2].strip() != gs[6].strip():
            raise AckRefused("This X12 file is damaged: a group's trailer (GE) does not match its content.")
        i += 1
    if _count(iea[1], "IEA trailer") != groups:
        raise AckRefused("This X12 file is damaged: its trailer (IEA) counts another number of groups.")
    if not found:
        raise AckRefused("This X12 file holds no transaction.")
    return found
