"""Find a client in all my accounts (outside any one account: /clients/find/)."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import render
from django.views.decorators.http import require_GET

from practicegate.clients import forms, search_all, selectors
from practicegate.core.decorators import signed_in


@signed_in
@require_GET
def find_client(request):
    form = forms.ClientSearchForm(request.GET)
    params = form.cleaned_data if form.is_valid() else {}
    query, status = params.get("q", ""), params.get("status") or "all"
    search = selectors.parse_search(query)
    accounts = search_all.searchable_accounts(request.user, context=request.audit)
    results = None
    if search.kind and accounts:
        with transaction.atomic():  # the rows shown and their log entries, together
            results = search_all.find_clients(accounts, search, status=status)
            search_all.log_search(request, results, query=query, search=search, status=status)
    return render(request, "clients/find.html", {
        "form": form, "query": query, "status": status, "results": results,
        "account_count": len(accounts), "per_account": search_all.PER_ACCOUNT,
        "found": sum(1 for r in results or () if r.rows)},  # accounts with a client shown
        status=400 if form.errors else 200)
