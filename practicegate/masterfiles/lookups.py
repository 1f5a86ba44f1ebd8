"""The lookup boxes of the client forms: a few of an account's active master-file rows.

A lookup answers what a person typed into a code or payer box: the row named exactly (a
code, a payer ID, a payer's whole name), or the first matches of a code prefix or of every
word (masterfiles.matching, the same search as the list pages, index-backed). Every query
starts from the account and reads only its active rows, so another account's codes and a
deactivated one are never offered nor taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, F, Func, QuerySet

from practicegate.masterfiles.matching import (
    BILLING_MATCHER,
    DIAGNOSIS_MATCHER,
    PAYER_MATCHER,
    Matcher,
    looks_like_code,
    matching,
)
from practicegate.masterfiles.models import BillingCode, DiagnosisCode, InsurancePayer
from practicegate.records import formats

LIMIT = 10  # matches one lookup shows: enough to choose from, few enough to read out


@dataclass(frozen=True)
class Lookup:
    key: str  # the lookup's URL ("diagnosis-codes") and the section of its master file
    section: str
    model: type
    matcher: Matcher
    noun: str  # "diagnosis code"
    plural: str
    order: tuple[str, ...]  # the list pages' order, unique within an account
    example: str  # what a person might type, for the help text

    def value(self, row) -> str:
        """What the form posts for a chosen row: the code of a diagnosis, else the row's id."""
        return row.code if self.model is DiagnosisCode else str(row.pk)

    def label(self, row) -> str:
        if self.model is DiagnosisCode:
            return f"{row.display_code} {row.description}"
        if self.model is BillingCode:
            return f"{row.code} {row.description}"
        return f"{row.name} ({row.payer_id})" if row.payer_id else row.name


DIAGNOSIS_CODES = Lookup("diagnosis-codes", "diagnosis_codes", DiagnosisCode, DIAGNOSIS_MATCHER,
                         "diagnosis code", "diagnosis codes", ("code",), "F41.1 or generalized anxiety")
BILLING_CODES = Lookup("billing-codes", "billing_codes", BillingCode, BILLING_MATCHER,
                       "billing code", "billing codes", ("code",), "90837 or psychotherapy")
PAYERS = Lookup("payers", "payers", InsurancePayer, PAYER_MATCHER,
                "insurance payer", "insurance payers", ("name", "id"), "a payer ID or words of the name")
LOOKUPS: dict[str, Lookup] = {lk.key: lk for lk in (DIAGNOSIS_CODES, BILLING_CODES, PAYERS)}


def active_rows(account, lookup: Lookup) -> QuerySet:
    return lookup.model.objects.filter(account=account, active=True)


def _order(lookup: Lookup, query: str) -> tuple:
    """The list pages' order. For a word search on PostgreSQL the first column is given as an
    expression the (account, code) index cannot supply: the planner then finds the few
    matches through the trigram index and sorts them, instead of walking the account's
    rows in code order testing each one (it assumes matches are spread evenly; a rare word
    may sit at the far end)."""
    first, *rest = lookup.order
    if connection.vendor == "postgresql" and not looks_like_code(lookup.matcher, query):
        return (Func(F(first), template="(%(expressions)s || '')", output_field=CharField()), *rest)
    return lookup.order


def lookup_query(account, lookup: Lookup, query: str, *, limit: int = LIMIT) -> QuerySet:
    """The active rows matching a non-empty query, in order, one more than `limit`."""
    query = query.strip()
    return matching(active_rows(account, lookup), lookup.matcher, query).order_by(*_order(lookup, query))[: limit + 1]


def lookup_matches(account, lookup: Lookup, query: str, *, limit: int = LIMIT) -> tuple[list, bool]:
    """The first `limit` active rows matching the query, and whether there are more: one query."""
    if not query.strip():
        return [], False
    rows = list(lookup_query(account, lookup, query, limit=limit))
    return rows[:limit], len(rows) > limit


def _code(lookup: Lookup, text: str) -> str | None:
    """The stored form of a code typed in any accepted spelling, or None if it is not one."""
    parse = formats.icd10_code if lookup.model is DiagnosisCode else formats.billing_code
    try:
        return parse(text)
    except ValidationError:
        return None


def lookup_exact(account, lookup: Lookup, text: str):
    """The active row the text names exactly, or None: a code; for a payer, its payer ID, or
    its whole name when no other active payer has that name."""
    text = text.strip()
    if not text:
        return None
    rows = active_rows(account, lookup)
    if lookup.model is not InsurancePayer:
        code = _code(lookup, text)
        return rows.filter(code=code).first() if code else None
    by_id = rows.filter(payer_id=text.upper()).exclude(payer_id="").first()
    if by_id is not None:
        return by_id
    named = list(rows.filter(name__iexact=text)[:2])
    return named[0] if len(named) == 1 else None


def lookup_get(account, lookup: Lookup, value: str):
    """The active row a form posted (Lookup.value), or None for any other value, another
    account's row included."""
    value = value.strip()
    if lookup.model is DiagnosisCode:
        code = _code(lookup, value)
        return active_rows(account, lookup).filter(code=code).first() if code else None
    if not value.isdigit() or not 0 < int(value) < 2**63:
        return None
    return active_rows(account, lookup).filter(pk=int(value)).first()
