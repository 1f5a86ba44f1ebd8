"""Error pages that keep the site's frame and say what happened in plain words."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template


def bad_request(request, exception=None):
    return render(request, "core/error.html", {"title": "Bad request",
                  "message": "The request could not be understood."}, status=400)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {"title": "Access refused",
                  "message": "You do not have access to this page."}, status=403)


def not_found(request, exception=None):
    return render(request, "core/error.html", {"title": "Not found",
                  "message": "There is no such page, or it is not yours to see."}, status=404)


def server_error(request):
    return HttpResponseServerError(get_template("core/500.html").render())
