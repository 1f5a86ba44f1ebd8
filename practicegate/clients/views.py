"""Pages of the Clients section: thin views that parse input and call one service."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from practicegate.core.decorators import account_view


@account_view("clients")
@require_GET
def client_list(request, account):
    return render(request, "clients/list.html", {"page": None})
