"""The ANSI X12 837P (005010X222A1) professional claim file of one batch.

`batch_file` writes one interchange (ISA/IEA) with one functional group (GS/GE) and one
transaction set (ST/SE) for a clearinghouse. Claims may come from several accounts: each
account is one billing provider (loop 2000A) with its claims under it. The caller has
applied the membership rule to every account and opened the scope that reaches them;
this module reads the rows it needs in a fixed number of queries, whatever the count.

docs/claims.md tells what every segment is filled from.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils import timezone

from practicegate.billing.models import (
    BillingSettings,
    Claim,
    ClaimLine,
    Frequency,
    ProviderKind,
    TaxIdKind,
)
from practicegate.billing.x12.elements import (
    COMPONENT,
    REPETITION,
    amount,
    clock,
    code,
    composite,
    d8,
    digits,
    phone,
    segment,
    text,
)
from practicegate.clients.models import Relationship, Subscriber

VERSION = "005010X222A1"
TRANSACTION_SET = "0001"  # ST02: one transaction set per interchange

PAYER_RESPONSIBILITY = {1: "P", 2: "S", 3: "T"}  # SBR01, from the policy's priority
PATIENT_RELATIONSHIP = {  # PAT01, the client's relationship to the subscriber
    Relationship.SPOUSE: "01",
    Relationship.CHILD: "19",
    Relationship.OTHER: "G8",
}


def batch_reference(clearinghouse, control_number: int) -> str:
    """BHT03: names the batch (the submitter's account and the control number)."""
    return f"PG{clearinghouse.account_id}B{control_number}"


def load_claims(claims) -> list[Claim]:
    """The claims with everything the file names: three queries, whatever the count."""
    ids = [claim.pk for claim in claims]
    lines = Prefetch("lines", queryset=ClaimLine.objects.order_by("line_number", "id"))
    rows = (Claim.objects.filter(pk__in=ids)
            .select_related("client", "policy", "policy__payer", "original")
            .prefetch_related(lines)
            .order_by("account_id", "number", "id"))
    return list(rows)


def batch_file(*, clearinghouse, claims, control_number: int, created_at: datetime) -> str:
    """The 837P file of `claims`, sent to `clearinghouse`, as text (a segment a line)."""
    rows = load_claims(claims)
    settings = {s.account_id: s for s in
                BillingSettings.objects.filter(account_id__in={c.account_id for c in rows})}
    if timezone.is_aware(created_at):
        created_at = created_at.astimezone(ZoneInfo(clearinghouse.account.time_zone))
    body = _transaction(clearinghouse, rows, settings, control_number, created_at)
    envelope_head = [_isa(clearinghouse, control_number, created_at),
                     segment("GS", "HC", text(clearinghouse.submitter_id, 15),
                             text(clearinghouse.receiver_id, 15), d8(created_at), clock(created_at),
                             control_number, "X", VERSION)]
    envelope_tail = [segment("GE", 1, control_number), segment("IEA", 1, f"{control_number:09d}")]
    return "\n".join(envelope_head + body + envelope_tail) + "\n"


def _isa(clearinghouse, control_number: int, created_at: datetime) -> str:
    sender = text(clearinghouse.submitter_id, 15).ljust(15)
    receiver = text(clearinghouse.receiver_id, 15).ljust(15)
    return segment("ISA", "00", " " * 10, "00", " " * 10, "ZZ", sender, "ZZ", receiver,
                   created_at.strftime("%y%m%d"), clock(created_at), REPETITION, "00501",
                   f"{control_number:09d}", "0", clearinghouse.usage, COMPONENT)


def _transaction(clearinghouse, rows, settings, control_number, created_at) -> list[str]:
    out = [
        segment("ST", "837", TRANSACTION_SET, VERSION),
        segment("BHT", "0019", "00", batch_reference(clearinghouse, control_number), d8(created_at),
                clock(created_at), "CH"),
        segment("NM1", "41", "2", text(clearinghouse.submitter_name, 60), "", "", "", "", "46",
                text(clearinghouse.submitter_id, 80)),
        _contact(clearinghouse),
        segment("NM1", "40", "2", text(clearinghouse.name, 60), "", "", "", "", "46",
                text(clearinghouse.receiver_id, 80)),
    ]
    hl = 0
    current_account = None
    provider_hl = 0
    for claim in rows:
        if claim.account_id != current_account:
            current_account = claim.account_id
            hl += 1
            provider_hl = hl
            out += _billing_provider(hl, settings.get(claim.account_id))
        hl += 1
        subscriber_hl = hl
        patient_is_subscriber = claim.policy.subscriber == Subscriber.SELF
        out += _subscriber(subscriber_hl, provider_hl, claim, patient_is_subscriber)
        if not patient_is_subscriber:
            hl += 1
            out += _patient(hl, subscriber_hl, claim)
        out += _claim(claim, settings.get(claim.account_id))
    out.append(segment("SE", len(out) + 1, TRANSACTION_SET))
    return out


def _contact(clearinghouse) -> str:
    numbers = []
    if clearinghouse.contact_phone:
        numbers += ["TE", phone(clearinghouse.contact_phone)]
    if clearinghouse.contact_email:
        numbers += ["EM", text(clearinghouse.contact_email, 256, upper=False)]
    return segment("PER", "IC", text(clearinghouse.contact_name, 60), *numbers)


def _address(address1, address2, city, state, zip_code) -> list[str]:
    return [segment("N3", text(address1, 55), text(address2, 55)),
            segment("N4", text(city, 30), text(state, 2), digits(zip_code)[:9])]


def _billing_provider(hl: int, bs: BillingSettings | None) -> list[str]:
    if bs is None:
        raise ValueError("An account in the batch has no billing settings.")
    person = bs.provider_kind == ProviderKind.PERSON
    name = (segment("NM1", "85", "1", text(bs.name, 60), text(bs.first_name, 35), "", "", "", "XX", bs.npi)
            if person else
            segment("NM1", "85", "2", text(bs.name, 60), "", "", "", "", "XX", bs.npi))
    tax_qualifier = "SY" if bs.tax_id_kind == TaxIdKind.SSN else "EI"
    out = [segment("HL", hl, "", "20", "1"),
           segment("PRV", "BI", "PXC", code(bs.taxonomy)),
           name,
           *_address(bs.address1, bs.address2, bs.city, bs.state, bs.zip_code),
           segment("REF", tax_qualifier, digits(bs.tax_id))]
    if bs.pay_to_address1:
        out += [segment("NM1", "87", "1" if person else "2"),
                *_address(bs.pay_to_address1, bs.pay_to_address2, bs.pay_to_city,
                          bs.pay_to_state, bs.pay_to_zip_code)]
    return out


def split_name(full: str) -> tuple[str, str]:
    """A subscriber's name as typed ("Last, First" or "First Middle Last") as (last, first)."""
    full = " ".join(str(full or "").split())
    if "," in full:
        last, _, first = full.partition(",")
        return last.strip(), first.strip()
    parts = full.rsplit(" ", 1)
    return (parts[-1], parts[0]) if len(parts) == 2 else (full, "")


def _person(client) -> list[str]:
    return [*_address(client.address1, client.address2, client.city, client.state, client.zip_code),
            segment("DMG", "D8", d8(client.birth_date), client.sex)]


def _subscriber(hl: int, parent: int, claim: Claim, patient_is_subscriber: bool) -> list[str]:
    policy, client, payer = claim.policy, claim.client, claim.policy.payer
    out = [segment("HL", hl, parent, "22", "0" if patient_is_subscriber else "1"),
           segment("SBR", PAYER_RESPONSIBILITY.get(policy.priority, "P"),
                   "18" if patient_is_subscriber else "", text(policy.group_number, 50),
                   "", "", "", "", "", payer.claim_filing_indicator or "CI")]
    if patient_is_subscriber:
        out.append(segment("NM1", "IL", "1", text(client.last_name, 60), text(client.first_name, 35),
                           text(client.middle_name[:1], 25), "", "", "MI", text(policy.member_id, 80)))
        out += _person(client)
    else:
        last, first = split_name(policy.subscriber_name)
        out.append(segment("NM1", "IL", "1", text(last, 60), text(first, 35), "", "", "",
                           "MI", text(policy.member_id, 80)))
    out.append(segment("NM1", "PR", "2", text(payer.name, 60), "", "", "", "", "PI",
                       text(payer.payer_id, 80)))
    return out


def _patient(hl: int, parent: int, claim: Claim) -> list[str]:
    client = claim.client
    relationship = PATIENT_RELATIONSHIP.get(claim.policy.relationship, "G8")
    return [segment("HL", hl, parent, "23", "0"),
            segment("PAT", relationship),
            segment("NM1", "QC", "1", text(client.last_name, 60), text(client.first_name, 35),
                    text(client.middle_name[:1], 25)),
            *_person(client)]


def _claim(claim: Claim, bs: BillingSettings) -> list[str]:
    lines = list(claim.lines.all())
    total = sum((line.charge for line in lines), start=0)
    out = [segment("CLM", claim.control_number, amount(total), "", "",
                   composite(claim.place_of_service, "B", claim.frequency), "Y", "A", "Y", "Y")]
    if claim.prior_authorization:
        out.append(segment("REF", "G1", text(claim.prior_authorization, 50)))
    if claim.frequency in (Frequency.REPLACEMENT, Frequency.VOID):
        reference = claim.original_reference or (claim.original.control_number if claim.original else "")
        out.append(segment("REF", "F8", text(reference, 50)))
    diagnoses = [code(value) for value in claim.diagnosis_codes[:12]]
    if diagnoses:
        out.append(segment("HI", *(composite("ABK" if i == 0 else "ABF", value)
                                   for i, value in enumerate(diagnoses))))
    if claim.rendering_npi and claim.rendering_npi != bs.npi:
        out.append(segment("NM1", "82", "1", text(claim.rendering_last_name, 60),
                           text(claim.rendering_first_name, 35), "", "", "", "XX", claim.rendering_npi))
        if claim.rendering_taxonomy:
            out.append(segment("PRV", "PE", "PXC", code(claim.rendering_taxonomy)))
    for number, line in enumerate(lines, start=1):
        out += [segment("LX", number),
                segment("SV1", composite("HC", code(line.procedure_code),
                                         *(code(m) for m in line.modifiers)),
                        amount(line.charge), "UN", line.units, "", "",
                        COMPONENT.join(str(p) for p in line.pointers)),
                segment("DTP", "472", "D8", d8(line.service_date)),
                segment("REF", "6R", line.control_number)]
    return out
