"""Clients → Export to CSV (Full Access only). Import from CSV is records.views' (clients.imports)."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from practicegate.clients import csvio, imports
from practicegate.core.decorators import account_view
from practicegate.core.params import param
from practicegate.core.sections import Level

SECTION = "clients"
STATUSES = ("active", "discharged", "all")


@account_view(SECTION, level=Level.FULL)
@require_GET
def client_export(request, account):
    status = param(request.GET, "status", "all")
    status = status if status in STATUSES else "all"
    rows = imports.client_export(account=request.account, status=status, request=request)
    # AccountMiddleware keeps the body's iteration inside the account's scope.
    lines = csvio.export_lines(rows.iterator(chunk_size=2000))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{request.account.slug}-clients-{day}.csv"'
    return response
