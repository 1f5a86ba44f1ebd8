"""The lookup endpoint the code and payer boxes of the client forms ask as a person types.

GET /a/<account>/clients/lookup/<diagnosis-codes|billing-codes|payers>/?q=words answers JSON:
at most ten of the account's active rows matching the code or words, each with the value the
form posts and the label shown, and whether there are more. One query reads the rows.

Access: the Clients section at Full Access, the level of the only pages that use it (Add
Diagnosis, Add Insurance Policy, Add Service). These pages already offer every active code
and payer of the account to that level, whatever the username's level on the master-file
sections (a clinician adding a diagnosis need not see the Diagnosis Codes section), so the
lookup reveals nothing those pages did not; View Only on Clients adds no lines and gets the
access rule's 403, a non-member its 404. Each request is logged as a page view (the path,
never the words typed), like every account page.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from practicegate.clients.lookups import MAX_TYPED, options_of
from practicegate.clients.views import SECTION
from practicegate.core import text
from practicegate.core.decorators import account_view
from practicegate.core.params import param
from practicegate.core.sections import Level
from practicegate.masterfiles.lookups import LOOKUPS, lookup_matches


@account_view(SECTION, level=Level.FULL)
@require_GET
def lookup(request, account, kind):
    found = LOOKUPS.get(kind)
    if found is None:
        raise Http404("No such lookup")
    query = text.nfc(param(request.GET, "q"))[:MAX_TYPED]
    if text.has_invisible(query, joiners=True):
        query = ""
    rows, more = lookup_matches(request.account, found, query)
    return JsonResponse({"query": query, "more": more,
                         "options": [{"value": o.value, "label": o.label} for o in options_of(found, rows)]})
