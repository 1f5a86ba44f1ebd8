"""Read a 999 or a 277CA acknowledgment of an 837P file.

`read_ack(text)` answers an `AckReport`: which kind of acknowledgment it is, what it
answers (a 999: the group control number, GS06, of the 837 it checked; a 277CA: the
837's batch reference, BHT03, when the clearinghouse repeats it, and the claims' CLM01
numbers) and what it says (a 999: per transaction set; a 277CA: per claim), the reasons
in plain words. A file that is not one of these, or is damaged, raises `AckRefused`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from practicegate.billing.x12 import codes
from practicegate.billing.x12.reading import AckRefused, Segment, Transaction, transactions

__all__ = ["AckRefused", "AckReport", "AckResult", "read_ack"]

ACCEPTED, REJECTED, PENDING = "accepted", "rejected", "pending"
CLAIM_VERSION = "005010X222A1"
KNOWN_KINDS = {"837": "an 837 claim file", "835": "an 835 remittance", "270": "an eligibility request",
               "271": "an eligibility answer", "276": "a claim status request", "997": "a 997",
               "834": "an 834 enrollment file", "TA1": "a TA1"}


@dataclass(frozen=True)
class AckResult:
    """What the acknowledgment says of one transaction set (999) or one claim (277CA)."""

    reference: str  # the 837's ST02 (999) or the claim's CLM01 (277CA)
    status: str  # "accepted", "rejected" or "pending" (a 277CA status that decides nothing yet)
    reasons: tuple[str, ...] = ()
    payer_claim_number: str = ""  # 277CA REF*1K: the number the payer gave the claim


@dataclass(frozen=True)
class AckReport:
    kind: str  # "999" or "277CA"
    control_number: int | None  # 999: the 837's GS06 it answers (AK1-2)
    batch_reference: str  # 277CA: the 837's BHT03, when the file names it (2200B TRN-2)
    status: str  # the whole file's answer: accepted, partly accepted, rejected (999) or pending
    results: tuple[AckResult, ...] = ()
    reasons: tuple[str, ...] = field(default=())  # about the whole group or batch

    @property
    def claim_references(self) -> tuple[str, ...]:
        return tuple(r.reference for r in self.results) if self.kind == "277CA" else ()

    @property
    def accepted_count(self) -> int:
        return sum(1 for r in self.results if r.status == ACCEPTED)

    @property
    def rejected_count(self) -> int:
        return sum(1 for r in self.results if r.status == REJECTED)


def read_ack(text: str) -> AckReport:
    """The acknowledgment in `text`, or AckRefused with a plain reason."""
    sets = transactions(text)
    first = sets[0]
    if any(s.code != first.code for s in sets):
        raise AckRefused("This file mixes several kinds of X12 transactions; upload one acknowledgment.")
    if first.code == "999":
        return _read_999(sets)
    if first.code == "277":
        if not all(s.version.upper().startswith("005010X214") for s in sets):
            raise AckRefused("This 277 file is not a claim acknowledgment (277CA, 005010X214); "
                             "upload the 277CA or the 999.")
        return _read_277ca(sets)
    kind = KNOWN_KINDS.get(first.code.upper(), "not an acknowledgment")
    raise AckRefused(f"This X12 file is {kind}, not a 999 or 277CA acknowledgment.")


def _read_999(sets: list[Transaction]) -> AckReport:
    if len(sets) != 1:
        raise AckRefused("This 999 holds several acknowledgments; upload one 999 per file.")
    body = sets[0].body
    ak1 = next((s for s in body if s.name == "AK1"), None)
    ak9 = next((s for s in body if s.name == "AK9"), None)
    if ak1 is None or ak9 is None:
        raise AckRefused("This 999 is missing its AK1 or AK9 segment; it cannot be read.")
    if ak1[1].strip().upper() != "HC":
        raise AckRefused("This 999 answers a file that is not a claim file (its AK1 is not HC).")
    if ak1[3].strip() and ak1[3].strip().upper() != CLAIM_VERSION:
        raise AckRefused("This 999 answers a file in another format than our 837P claims.")
    number = ak1[2].strip()
    if not (number.isascii() and number.isdigit() and len(number) <= 9):
        raise AckRefused("This 999 does not name the group control number of a claim file.")
    results: list[AckResult] = []
    reference, reasons = None, []
    for seg in body:
        if seg.name == "AK2":
            reference, reasons = seg[2].strip(), []
        elif seg.name == "IK3" and reference is not None:
            reasons.append(_segment_reason(seg))
        elif seg.name == "IK4" and reference is not None:
            reasons.append(_element_reason(seg))
        elif seg.name == "IK5" and reference is not None:
            status = codes.SET_STATUS.get(seg[1].strip().upper())
            if status is None:
                raise AckRefused("This 999 has a transaction status (IK5) that is not a 999 code.")
            reasons += [codes.words(codes.SET_ERRORS, seg[i], "transaction error")
                        for i in range(2, 7) if seg[i].strip()]
            results.append(AckResult(reference=reference, status=status, reasons=tuple(reasons)))
            reference = None
    overall = codes.GROUP_STATUS.get(ak9[1].strip().upper())
    if overall is None:
        raise AckRefused("This 999 has a group status (AK9) that is not a 999 code.")
    group_reasons = tuple(codes.words(codes.GROUP_ERRORS, ak9[i], "group error")
                          for i in range(5, 10) if ak9[i].strip())
    return AckReport(kind="999", control_number=int(number), batch_reference="", status=overall,
                     results=tuple(results), reasons=group_reasons)


def _segment_reason(seg: Segment) -> str:
    where = f"segment {seg[1].strip()} (number {seg[2].strip()} of the file"
    where += f", loop {seg[3].strip()})" if seg[3].strip() else ")"
    return f"{where}: {codes.words(codes.SEGMENT_ERRORS, seg[4], 'segment error')}"


def _element_reason(seg: Segment) -> str:
    position = seg.parts(1)
    place = f"element {position[0].strip()}" if position else "an element"
    reason = f"{place}: {codes.words(codes.ELEMENT_ERRORS, seg[3], 'element error')}"
    return reason + (f" (sent: {seg[4].strip()})" if seg[4].strip() else "")


def _read_277ca(sets: list[Transaction]) -> AckReport:
    batch_reference = ""
    file_reasons: list[str] = []
    results: list[AckResult] = []
    for transaction in sets:
        level = ""
        claim: dict | None = None
        in_line = False
        for seg in transaction.body:
            if seg.name == "HL":
                level = seg[3].strip().upper()
                claim = _close(claim, results)
                in_line = False
            elif seg.name == "TRN" and seg[1].strip() == "2":
                if level == "21" and not batch_reference:
                    batch_reference = seg[2].strip()
                elif level == "PT":
                    claim = _close(claim, results)
                    claim = {"reference": seg[2].strip(), "stc": [], "line": [], "payer": ""}
                    in_line = False
            elif seg.name == "SVC" and claim is not None:
                in_line = True
            elif seg.name == "STC":
                if claim is not None:
                    claim["line" if in_line else "stc"].append(seg)
                elif level in ("21", "19"):
                    file_reasons += [_status_words(seg)] if _category(seg) in codes.REJECTED_CATEGORIES else []
            elif seg.name == "REF" and claim is not None and not in_line and seg[1].strip().upper() == "1K":
                claim["payer"] = seg[2].strip()
        _close(claim, results)
    if not results and not file_reasons:
        raise AckRefused("This 277CA names no claim; it cannot be matched to a batch.")
    statuses = {r.status for r in results}
    overall = (codes.GROUP_STATUS["R"] if file_reasons or statuses == {REJECTED} else
               ACCEPTED if statuses == {ACCEPTED} else
               "partly accepted" if ACCEPTED in statuses else PENDING)
    return AckReport(kind="277CA", control_number=None, batch_reference=batch_reference, status=overall,
                     results=tuple(results), reasons=tuple(file_reasons))


def _category(seg: Segment) -> str:
    parts = seg.parts(1)
    return parts[0].strip().upper() if parts else ""


def _status_words(seg: Segment) -> str:
    """One STC's statuses (STC01, STC10, STC11) in plain words, and its free text (STC12)."""
    said = []
    for index in (1, 10, 11):
        parts = seg.parts(index)
        if not parts:
            continue
        category = codes.words(codes.CATEGORIES, parts[0], "status category")
        text = category[:1].upper() + category[1:]
        if len(parts) > 1 and parts[1].strip():
            detail = codes.words(codes.STATUSES, parts[1], "status code")
            if len(parts) > 2 and parts[2].strip():
                detail += f" ({codes.words(codes.ENTITIES, parts[2], 'entity')})"
            text += f": {detail}"
        said.append(text)
    if seg[12].strip():
        said.append(seg[12].strip())
    return "; ".join(said)


def _close(claim: dict | None, results: list[AckResult]) -> None:
    """Add the claim being read to `results` (nothing when there is none)."""
    if claim is None:
        return None
    if not claim["reference"]:
        raise AckRefused("This 277CA has a claim without its claim number (TRN); it cannot be read.")
    categories = {_category(seg) for seg in claim["stc"] + claim["line"]}
    if categories & codes.REJECTED_CATEGORIES:
        status = REJECTED
    elif categories & codes.ACCEPTED_CATEGORIES:
        status = ACCEPTED
    else:
        status = PENDING
    reasons = [_status_words(seg) for seg in claim["stc"]]
    reasons += [f"A line: {_status_words(seg)}" for seg in claim["line"]
                if _category(seg) in codes.REJECTED_CATEGORIES]
    results.append(AckResult(reference=claim["reference"], status=status,
                             reasons=tuple(r for r in reasons if r), payer_claim_number=claim["payer"]))
    return None
