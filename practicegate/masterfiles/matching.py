"""What a search of a master file matches: a code prefix when the words look like a code,
else every word in the description (or name). The list pages and the lookup boxes of the
client forms share it; it imports only the models, so any floor above may use it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

DIAGNOSIS_LIKE = re.compile(r"^[A-Za-z](?:\d[0-9A-Za-z]?(?:\.?[0-9A-Za-z]{0,4})?)?$")
BILLING_LIKE = re.compile(r"^(?:[A-Za-z]\d{0,4}|\d{1,5}|\d{4}[FTUftu])$")
MAX_WORDS = 8


@dataclass(frozen=True)
class Matcher:
    code_like: re.Pattern | None  # a query that looks like a code searches the code prefix
    word_field: str
    dotted: bool = False  # ICD-10-CM: "F41.1" is stored as F411
    payer_id: bool = False  # one word may also be an exact payer ID


def code_prefix(model, prefix: str) -> Q:
    """Codes starting with `prefix`, phrased as a range so the (account, code) unique
    index answers it on both databases and under any collation (codes use only 0-9 and
    A-Z, so prefix + 'ZZZ...' is the last code with that prefix)."""
    top = prefix + "Z" * (model._meta.get_field("code").max_length - len(prefix))
    return Q(code__gte=prefix, code__lte=top, code__startswith=prefix)


def looks_like_code(matcher: Matcher, query: str) -> bool:
    return matcher.code_like is not None and bool(matcher.code_like.match(query.strip()))


def matching(qs: QuerySet, matcher: Matcher, query: str) -> QuerySet:
    """The rows of `qs` matching a code prefix (when the query looks like a code) or every word."""
    query = query.strip()
    if not query:
        return qs
    if looks_like_code(matcher, query):
        prefix = query.upper()
        if matcher.dotted and len(prefix) > 3 and prefix[3] == ".":
            prefix = prefix[:3] + prefix[4:]
        return qs.filter(code_prefix(qs.model, prefix))
    # LOWER(text) LIKE '%word%' for every word; on PostgreSQL a pg_trgm GIN index on
    # LOWER(text) answers it (masterfiles migration 0002). Payers also match their payer ID.
    qs = qs.alias(words_lc=Lower(matcher.word_field))
    words = query.lower().split()[:MAX_WORDS]
    match = Q()
    for word in words:
        match &= Q(words_lc__contains=word)
    if matcher.payer_id and len(words) == 1:
        match |= Q(payer_id=query.upper())
    return qs.filter(match)


DIAGNOSIS_MATCHER = Matcher(DIAGNOSIS_LIKE, "description", dotted=True)
BILLING_MATCHER = Matcher(BILLING_LIKE, "description")
PAYER_MATCHER = Matcher(None, "name", payer_id=True)
