from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.urls import path

from bench.bare.models import Hit
from practicegate.accounts.models import Account


def page(request):
    user = request.user  # the session, then the user
    if not user.is_authenticated:
        return HttpResponseForbidden()
    name = Account.objects.filter(pk=user.home_account_id).values_list("name", flat=True).first()  # one SELECT
    Hit.objects.create(user_id=user.pk, path=request.path[:200])  # one INSERT
    return render(request, "bare/page.html", {"name": name})


urlpatterns = [path("bare/", page)]
