"""Pages of the three master files: one set of views, each taking the kind from its URL."""

from __future__ import annotations

from functools import lru_cache, wraps

from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practicegate.core.decorators import account_view
from practicegate.core.errors import ServiceError
from practicegate.core.paging import read_cursor
from practicegate.core.sections import Level
from practicegate.core.templatetags.fragments import Derived
from practicegate.core.text import defuse
from practicegate.masterfiles import csvio, selectors, services
from practicegate.masterfiles.forms import (
    Icd10ImportForm,
    SearchForm,
    VersionForm,
    edit_form_class,
)
from practicegate.masterfiles.icd10 import PRESETS
from practicegate.masterfiles.kinds import DIAGNOSIS, KINDS, Kind
from practicegate.records.conflicts import (
    changed_meanwhile,
    conflict_context,
    merge_notice,
    refuse_stale,
)
from practicegate.records.editing import EditConflict


def _url(kind: Kind, name: str) -> str:
    return f"masterfiles:{kind.key}-{name}"


def _posted(request):
    """The POST data, bound even when empty, so an empty POST is refused rather than shown a form."""
    return request.POST if request.method == "POST" else None


def _initial(row, kind: Kind) -> dict:
    # Stored text that starts like a formula is shown with its apostrophe, so saving it again works.
    initial = {f: defuse(value) if isinstance(value := getattr(row, f), str) else value
               for f in kind.fields}
    if kind is DIAGNOSIS:
        initial["code"] = row.display_code
    return initial


@lru_cache(maxsize=4096)
def _account_urls(kind: Kind, slug: str, script_prefix: str, urlconf) -> tuple[tuple[str, str], ...]:
    urls = [(name, reverse(_url(kind, name), kwargs={"account": slug})) for name in ("list", "add", "import", "export")]
    urls.append(("icd10", reverse("masterfiles:diagnosis-icd10", kwargs={"account": slug}) if kind is DIAGNOSIS else ""))
    return tuple(urls)


def _list_urls(kind: Kind, slug: str) -> dict[str, str]:
    """The list page's links in account `slug`, reversed once per account and kind."""
    return dict(_account_urls(kind, slug, get_script_prefix(), get_urlconf()))


def _listed(row, kind: Kind) -> dict:
    """What the list shows of a row, as plain values."""
    values = {}
    for name in kind.listed:
        value = getattr(row, name)
        values[name] = value() if callable(value) else value
    return values


def _listed_rows(page, kind: Kind):
    """The list's rows for its fragment: when the page kept the rows as read, the fragment is
    keyed on those, and the models and their listed values are made only on a miss."""
    if page.raw:
        build = page.build
        return Derived(page.raw, lambda raw: [_listed(row, kind) for row in build(raw)])
    return [_listed(row, kind) for row in page.rows]


# --- One set of views for the three kinds --------------------------------------------------
# The access rule reads a route's section before its view runs, and each kind has its own:
# urls.py gives every kind's routes their declaration (for_kind) and the kind's key (`kind`).

def kind_view(*, level: Level | None = None):
    """Mark a view shared by the kinds; for_kind declares it in one kind's section at `level`."""
    def mark(view):
        view.pg_kind_level = level
        return view
    return mark


def for_kind(view, kind: Kind):
    """`view` declared in `kind`'s section, as a route of that kind (see core.decorators)."""
    @wraps(view)
    def declared(request, *args, **kwargs):
        return view(request, *args, **kwargs)
    return account_view(kind.section, level=view.pg_kind_level)(declared)


def _kind(request, key: str) -> Kind:
    """The kind the URL names; 404 for an unknown one or one outside the route's declared section."""
    kind = KINDS.get(key)
    if kind is None or kind.section != request.section:
        raise Http404("No such master file")
    return kind


def _context(request, kind: Kind, **extra) -> dict:
    may_edit = request.levels.get(kind.section, Level.NONE) >= Level.FULL
    return {"kind": kind, "may_edit": may_edit, **extra}


@kind_view()
@require_GET
def list_view(request, account, kind):
    kind = _kind(request, kind)
    search = SearchForm(request.GET) if request.GET else None  # nothing to check in none
    params = search.cleaned_data if search is not None and search.is_valid() else {}
    query = params.get("q", "")
    cursor = read_cursor(request.GET)
    page = selectors.masterfile_page(request.account, kind, query=query, after=cursor.after, before=cursor.before)
    may_edit = request.levels.get(kind.section, Level.NONE) >= Level.FULL
    # The page's content is a fragment (core.templatetags.fragments): rendered once per
    # distinct listing, so it is built from plain values only.
    listing = {"title": kind.title, "noun": kind.noun, "key": kind.key, "query": query,
               "may_edit": may_edit, "urls": _list_urls(kind, account),
               "rows": _listed_rows(page, kind),
               "after": page.after, "before": page.before}
    return render(request, "masterfiles/list.html",
                  _context(request, kind, page=page, query=query, search=search, listing=listing))


@kind_view(level=Level.FULL)
@require_http_methods(["GET", "POST"])
def add_view(request, account, kind):
    kind = _kind(request, kind)
    form = kind.form_class(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.masterfile_create(actor=request.user, account=request.account, kind=kind,
                                       data=form.cleaned_data, context=request.audit)
        except services.DuplicateError as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, f"Added the {kind.noun}.")
            return redirect(_url(kind, "list"), account=account)
    return render(request, "masterfiles/form.html", _context(request, kind, form=form, row=None),
                  status=400 if form.errors else 200)


@kind_view(level=Level.FULL)
@require_http_methods(["GET", "POST"])
def edit_view(request, account, kind, pk):
    kind = _kind(request, kind)
    row = selectors.masterfile_get(request.account, kind, pk)
    form = edit_form_class(kind.form_class)(_posted(request),
                                            initial={**_initial(row, kind), "version": row.version})
    extra, status = {}, 200
    if request.method == "POST" and form.is_valid():
        try:
            services.masterfile_update(actor=request.user, account=request.account, kind=kind, row=row,
                                       data=form.cleaned_data, expected_version=form.cleaned_data["version"],
                                       context=request.audit)
        except services.DuplicateError as exc:
            form.add_error(exc.field, str(exc))
        except EditConflict as exc:
            extra = conflict_context(request, row=row, conflict=exc, form=form, action=f"{kind.key}.update",
                                     section=kind.section)
            row, status = selectors.masterfile_get(request.account, kind, pk), 409
        else:
            messages.success(request, " ".join(filter(None, [f"Saved the {kind.noun}.", merge_notice(row, form)])))
            return redirect(_url(kind, "list"), account=account)
    extra.setdefault("form", form)
    return render(request, "masterfiles/form.html", _context(request, kind, row=row, **extra),
                  status=status if status != 200 else (400 if form.errors else 200))


def _bad_version(request, title: str, form):
    """A button without (or with a damaged) version: say so, change nothing (400)."""
    return render(request, "core/error.html",
                  {"title": title, "message": " ".join(form.errors["version"])}, status=400)


def _refused(request, kind: Kind, row, exc: EditConflict, *, verb: str, done: str):
    """A button pressed on a stale page: log it, say who changed the row, back to its page."""
    edits = refuse_stale(request, row=row, conflict=exc, action=f"{kind.key}.{verb}", section=kind.section)
    messages.error(request, changed_meanwhile(done, kind.noun, edits))
    return redirect(_url(kind, "edit"), account=request.account.slug, pk=row.pk)


def _set_active(request, account, key, pk, active):
    kind = _kind(request, key)
    row = selectors.masterfile_get(request.account, kind, pk)
    verb = "Reactivated" if active else "Deactivated"
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _bad_version(request, f"Not {verb.lower()}", form)
    try:
        services.masterfile_set_active(actor=request.user, account=request.account, kind=kind, row=row,
                                       active=active, expected_version=form.cleaned_data["version"],
                                       context=request.audit)
    except EditConflict as exc:
        return _refused(request, kind, row, exc, verb="reactivate" if active else "deactivate", done=verb.lower())
    messages.success(request, f"{verb} the {kind.noun}.")
    return redirect(_url(kind, "edit"), account=account, pk=row.pk)


@kind_view()
@require_POST
def deactivate_view(request, account, kind, pk):
    return _set_active(request, account, kind, pk, False)


@kind_view()
@require_POST
def reactivate_view(request, account, kind, pk):
    return _set_active(request, account, kind, pk, True)


@kind_view()
@require_POST
def delete_view(request, account, kind, pk):
    kind = _kind(request, kind)
    row = selectors.masterfile_get(request.account, kind, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _bad_version(request, "Not deleted", form)
    try:
        services.masterfile_delete(actor=request.user, account=request.account, kind=kind, row=row,
                                   expected_version=form.cleaned_data["version"], context=request.audit)
    except EditConflict as exc:
        return _refused(request, kind, row, exc, verb="delete", done="deleted")
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(_url(kind, "edit"), account=account, pk=row.pk)
    messages.success(request, f"Deleted the {kind.noun}.")
    return redirect(_url(kind, "list"), account=account)


@kind_view()
@require_GET
def export_view(request, account, kind):
    kind = _kind(request, kind)
    rows = services.masterfile_export(actor=request.user, account=request.account, kind=kind,
                                      context=request.audit)
    response = StreamingHttpResponse(csvio.export_lines(kind, rows), content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{request.account.slug}-{kind.key}-{day}.csv"'
    )
    return response


VIEWS = {
    "list": list_view, "add": add_view, "edit": edit_view, "deactivate": deactivate_view,
    "reactivate": reactivate_view, "delete": delete_view, "export": export_view,
}


@account_view(DIAGNOSIS.section, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def icd10_import_view(request, account):
    form = Icd10ImportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        counts = services.icd10_import(actor=request.user, account=request.account,
                                       preset=form.cleaned_data["preset"], context=request.audit)
        messages.success(request, f"Added {counts['added']:,} ICD-10-CM codes; "
                                  f"{counts['existing']:,} were already here.")
        return redirect("masterfiles:diagnosis-list", account=account)
    return render(request, "masterfiles/icd10.html", {"form": form, "presets": PRESETS},
                  status=400 if form.errors else 200)
