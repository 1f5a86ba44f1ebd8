"""Writes of claims: built from services, edited, marked ready, replaced or voided.

Each service is atomic and writes its events. A service line is on at most one open claim:
the build skips services already on one, and the database's partial unique index
(claim_line_one_open_per_service) refuses the second of two builds made at the same moment;
that build then changes nothing and says so. Nothing is deleted: a claim already sent is
corrected by a new claim (frequency 7, replacement, or 8, void) naming it, and the
original is closed as Replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from practicegate.audit.services import Entry, record, record_many
from practicegate.billing import building
from practicegate.billing.models import (
    Claim,
    ClaimCounter,
    ClaimLine,
    ClaimStatus,
    Frequency,
)
from practicegate.billing.scrubber import problems_for, problems_of
from practicegate.billing.services import SECTION, settings_of
from practicegate.core.errors import ServiceError
from practicegate.core.scoping import ensure_in_account
from practicegate.records.editing import save_versioned, version_detail

EDITABLE = (ClaimStatus.DRAFT, ClaimStatus.READY)
CORRECTABLE = (ClaimStatus.SENT, ClaimStatus.ACCEPTED)
RACE = ("Someone else built claims from some of these services at the same moment. Nothing was "
        "built: open Build claims again to build what is still unbilled.")


@dataclass(frozen=True)
class Built:
    claims: list
    ready: int
    uncovered: int  # services left out: no primary policy on their date


def _take_numbers(account, count: int) -> list[int]:
    """`count` new claim numbers; the counter's row stays locked until commit, so none is reused."""
    if not ClaimCounter.objects.filter(account=account).exists():
        try:
            with transaction.atomic():
                ClaimCounter.objects.create(account=account, next_number=1)
        except IntegrityError:
            pass  # made by another build at the same moment
    ClaimCounter.objects.filter(account=account).update(next_number=F("next_number") + count)
    end = ClaimCounter.objects.filter(account=account).values_list("next_number", flat=True).get()
    return list(range(end - count, end))


def _line(account, claim, number: int, service, pointers: list[int]) -> ClaimLine:
    code = service.billing_code
    mods = [m for m in (code.modifier1, code.modifier2, code.modifier3, code.modifier4) if m][:4]
    mods += [""] * (4 - len(mods))
    points = list(pointers) + [None] * (4 - len(pointers))
    return ClaimLine(account=account, claim=claim, service=service, line_number=number,
                     service_date=service.service_date, procedure_code=code.code[:5],
                     modifier1=mods[0], modifier2=mods[1], modifier3=mods[2], modifier4=mods[3],
                     units=service.units, charge=service.fee, pointer1=points[0], pointer2=points[1],
                     pointer3=points[2], pointer4=points[3])


@transaction.atomic
def claims_build(*, actor, account, through: date | None = None, client_ids=None, context=None) -> Built:
    """Make claims of every unbilled service dated up to `through` (all when None); each claim
    with nothing for the scrubber to list is Ready at once, the others stay Draft."""
    settings = settings_of(account)
    rendering = ((settings.rendering_last_name, settings.rendering_first_name, settings.rendering_npi,
                  settings.rendering_taxonomy) if settings.rendering_differs else ("", "", "", ""))
    services = list(building.unbilled_services(account, through=through, client_ids=client_ids)
                    .select_related("billing_code", *(f"diagnosis{i}__code" for i in range(1, 5))))
    drafts, uncovered = building.plan_claims(account, services, rendering)
    if not drafts:
        record("claim.build", account=account, actor=actor, context=context, section=SECTION,
               detail={"claims": 0, "ready": 0, "services": 0, "uncovered": uncovered})
        return Built([], 0, uncovered)
    claims = [Claim(account=account, number=number, client_id=d.client_id, policy=d.policy,
                    place_of_service=settings.place_of_service, diagnosis_codes=list(d.diagnoses),
                    rendering_last_name=rendering[0], rendering_first_name=rendering[1],
                    rendering_npi=rendering[2], rendering_taxonomy=rendering[3],
                    total_charge=sum((s.fee for s in d.services), start=0), created_by=actor)
              for d, number in zip(drafts, _take_numbers(account, len(drafts)), strict=True)]
    Claim.objects.bulk_create(claims)
    lines = [_line(account, claim, n, service, draft.pointers(building.service_codes(service)))
             for claim, draft in zip(claims, drafts, strict=True)
             for n, service in enumerate(draft.services, start=1)]
    try:
        with transaction.atomic():  # a savepoint: a lost race is reported, not a broken transaction
            ClaimLine.objects.bulk_create(lines)
    except IntegrityError:
        raise ServiceError(RACE) from None
    problems = problems_for(account, claims)
    clean = [c.pk for c in claims if not problems[c.pk]]
    Claim.objects.filter(account=account, pk__in=clean).update(status=ClaimStatus.READY)
    for claim in claims:
        claim.status = ClaimStatus.READY if claim.pk in clean else ClaimStatus.DRAFT
    record_many("claim.built", [
        Entry(account, target_type="billing.claim", target_id=c.pk,
              detail={"number": c.number, "client_id": c.client_id, "lines": len(d.services),
                      "status": c.status, "problems": len(problems[c.pk])})
        for c, d in zip(claims, drafts, strict=True)], actor=actor, context=context, section=SECTION)
    record("claim.build", account=account, actor=actor, context=context, section=SECTION,
           detail={"claims": len(claims), "ready": len(clean), "services": len(lines), "uncovered": uncovered})
    return Built(claims, len(clean), uncovered)


def _check_editable(claim) -> None:
    if claim.status not in EDITABLE:
        raise ServiceError(f"This claim is {claim.get_status_display().lower()}: only a draft or ready claim "
                           "can be changed. Correct a sent claim with a replacement claim.")


def _rescrub(claim, *, actor, account, context) -> list:
    """Move a Ready claim back to Draft when the scrubber now lists something; the problems."""
    problems = problems_of(claim)
    if problems and claim.status == ClaimStatus.READY:
        claim.status = ClaimStatus.DRAFT
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.DRAFT)
        record("claim.not_ready", account=account, actor=actor, context=context, section=SECTION, target=claim,
               detail={"number": claim.number, "problems": len(problems)})
    return problems


@transaction.atomic
def claim_update(*, actor, account, claim: Claim, data: dict, lines: dict[int, dict], expected_version: int,
                 context=None) -> list:
    """Save the claim's place of service and prior authorization, and each line's modifiers and
    pointers ({line number: {"modifiers": [...], "pointers": [...]}}), if the claim is still at
    `expected_version`. A Ready claim is checked again. Returns the scrubber's problems."""
    ensure_in_account(claim, account)
    _check_editable(claim)
    changes = {name: (getattr(claim, name), data[name]) for name in ("place_of_service", "prior_authorization")
               if data[name] != getattr(claim, name)}
    line_changes, logged = [], dict(changes)
    for line in ClaimLine.objects.filter(account=account, claim=claim).order_by("line_number"):
        wanted = lines.get(line.line_number)
        if wanted is None:
            continue
        mods = list(wanted["modifiers"])[:4] + [""] * (4 - len(wanted["modifiers"][:4]))
        points = list(wanted["pointers"])[:4] + [None] * (4 - len(wanted["pointers"][:4]))
        if mods != [line.modifier1, line.modifier2, line.modifier3, line.modifier4]:
            logged[f"line {line.line_number} modifiers"] = (" ".join(line.modifiers), " ".join(m for m in mods if m))
        if points != [line.pointer1, line.pointer2, line.pointer3, line.pointer4]:
            logged[f"line {line.line_number} pointers"] = (" ".join(map(str, line.pointers)),
                                                          " ".join(str(p) for p in points if p))
        line.modifier1, line.modifier2, line.modifier3, line.modifier4 = mods
        line.pointer1, line.pointer2, line.pointer3, line.pointer4 = points
        line_changes.append(line)
    # The claim's version moves with every saved edit, lines included: one conditional UPDATE decides.
    save_versioned(claim, expected_version=expected_version, changes=changes)
    if logged:
        ClaimLine.objects.bulk_update(line_changes, ["modifier1", "modifier2", "modifier3", "modifier4",
                                                     "pointer1", "pointer2", "pointer3", "pointer4"])
    record("claim.edited", account=account, actor=actor, context=context, section=SECTION, target=claim,
           detail={"number": claim.number, "fields": sorted(logged), **version_detail(claim.version, logged)})
    return _rescrub(claim, actor=actor, account=account, context=context)


@transaction.atomic
def claim_mark_ready(*, actor, account, claim: Claim, context=None) -> list:
    """Check a draft claim; Ready when the scrubber lists nothing. Returns what it lists."""
    ensure_in_account(claim, account)
    Claim.objects.select_for_update().filter(pk=claim.pk).values_list("pk").first()
    claim.refresh_from_db(fields=["status", "version"])
    if claim.status != ClaimStatus.DRAFT:
        raise ServiceError(f"This claim is {claim.get_status_display().lower()}, not a draft.")
    problems = problems_of(claim)
    if problems:
        record("claim.not_ready", account=account, actor=actor, context=context, section=SECTION, target=claim,
               detail={"number": claim.number, "problems": len(problems)})
        return problems
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.READY)
    claim.status = ClaimStatus.READY
    record("claim.ready", account=account, actor=actor, context=context, section=SECTION, target=claim,
           detail={"number": claim.number})
    return []


@transaction.atomic
def claim_correct(*, actor, account, claim: Claim, frequency: str, reference: str, expected_version: int,
                  context=None) -> Claim:
    """Make a replacement (7) or void (8) of a sent or accepted claim, naming it and the payer's
    claim number; the original is closed as Replaced and its lines move to the new claim."""
    ensure_in_account(claim, account)
    if frequency not in (Frequency.REPLACEMENT, Frequency.VOID):
        raise ServiceError("Choose a replacement or a void.")
    if claim.status not in CORRECTABLE:
        raise ServiceError("Only a claim that was sent or accepted can be replaced or voided; "
                           "a draft or ready claim can be edited.")
    save_versioned(claim, expected_version=expected_version,
                   changes={"status": (claim.status, ClaimStatus.REPLACED)})
    old_lines = list(ClaimLine.objects.filter(account=account, claim=claim).order_by("line_number"))
    ClaimLine.objects.filter(account=account, claim=claim).update(open=False)
    [number] = _take_numbers(account, 1)
    new = Claim.objects.create(
        account=account, number=number, client_id=claim.client_id, policy_id=claim.policy_id,
        frequency=frequency, original=claim, original_reference=reference,
        place_of_service=claim.place_of_service, prior_authorization=claim.prior_authorization,
        diagnosis_codes=list(claim.diagnosis_codes), rendering_last_name=claim.rendering_last_name,
        rendering_first_name=claim.rendering_first_name, rendering_npi=claim.rendering_npi,
        rendering_taxonomy=claim.rendering_taxonomy, total_charge=claim.total_charge, created_by=actor)
    for line in old_lines:
        line.pk, line.claim, line.open = None, new, True
    try:
        with transaction.atomic():
            ClaimLine.objects.bulk_create(old_lines)
    except IntegrityError:
        raise ServiceError(RACE) from None
    action = "claim.replaced" if frequency == Frequency.REPLACEMENT else "claim.voided"
    record(action, account=account, actor=actor, context=context, section=SECTION, target=claim,
           detail={"number": claim.number, "correction": new.number, "correction_id": new.pk,
                   **version_detail(claim.version, {"status": ("Sent", "Replaced")})})
    return new
