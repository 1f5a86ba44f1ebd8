"""Pages of the three master files. One set of thin views per kind, each declaring its section."""

from __future__ import annotations

from functools import lru_cache

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practicegate.accounts.services import ServiceError
from practicegate.audit.selectors import edits_since
from practicegate.core.decorators import account_view
from practicegate.core.sections import Level
from practicegate.core.templatetags.fragments import Derived
from practicegate.core.versioning import EditConflict
from practicegate.masterfiles import selectors, services
from practicegate.masterfiles.forms import (
    Icd10ImportForm,
    SearchForm,
    VersionForm,
    edit_form_class,
)
from practicegate.masterfiles.icd10 import PRESETS
from practicegate.masterfiles.kinds import DIAGNOSIS, Kind
from practicegate.records.csvfiles import defuse


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
        columns = page.columns
        return Derived(page.raw, lambda raw: [_listed(row, kind) for row in columns.instances(raw)])
    return [_listed(row, kind) for row in page.rows]


def build_views(kind: Kind) -> dict:
    """The list, form and export views of one kind, bound to its section (imports: records.views)."""
    section = kind.section

    def context(request, **extra) -> dict:
        may_edit = request.levels.get(section, Level.NONE) >= Level.FULL
        return {"kind": kind, "may_edit": may_edit, **extra}

    @account_view(section)
    @require_GET
    def list_view(request, account):
        search = SearchForm(request.GET) if request.GET else None  # nothing to check in none
        params = search.cleaned_data if search is not None and search.is_valid() else {}
        query = params.get("q", "")
        page = selectors.masterfile_page(request.account, kind, query=query,
                                         after=params.get("after"), before=params.get("before"))
        may_edit = request.levels.get(section, Level.NONE) >= Level.FULL
        # The page's content is a fragment (core.templatetags.fragments): rendered once per
        # distinct listing, so it is built from plain values only.
        listing = {"title": kind.title, "noun": kind.noun, "key": kind.key, "query": query,
                   "may_edit": may_edit, "urls": _list_urls(kind, account),
                   "rows": _listed_rows(page, kind),
                   "prev_before": page.prev_before, "next_after": page.next_after}
        return render(request, "masterfiles/list.html",
                      context(request, page=page, query=query, search=search, listing=listing))

    @account_view(section, level=Level.FULL)
    @require_http_methods(["GET", "POST"])
    def add_view(request, account):
        form = kind.form_class(_posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.masterfile_create(actor=request.user, account=request.account, kind=kind,
                                           data=form.cleaned_data, request=request)
            except services.DuplicateError as exc:
                form.add_error(exc.field, str(exc))
            else:
                messages.success(request, f"Added the {kind.noun}.")
                return redirect(_url(kind, "list"), account=account)
        return render(request, "masterfiles/form.html", context(request, form=form, row=None),
                      status=400 if form.errors else 200)

    @account_view(section, level=Level.FULL)
    @require_http_methods(["GET", "POST"])
    def edit_view(request, account, pk):
        row = selectors.masterfile_get(request.account, kind, pk)
        form = edit_form_class(kind.form_class)(_posted(request),
                                                initial={**_initial(row, kind), "version": row.version})
        conflict = None
        if request.method == "POST" and form.is_valid():
            version = form.cleaned_data["version"]
            try:
                services.masterfile_update(actor=request.user, account=request.account, kind=kind,
                                           row=row, data=form.cleaned_data, version=version, request=request)
            except services.DuplicateError as exc:
                form.add_error(exc.field, str(exc))
            except EditConflict as exc:
                row, conflict = _conflict(request, row, exc, version)
                # The typed values stay; the form now carries the version they were compared with.
                form.data = form.data.copy()
                form.data["version"] = str(row.version)
            else:
                messages.success(request, f"Saved the {kind.noun}.")
                return redirect(_url(kind, "list"), account=account)
        status = 409 if conflict is not None else 400 if form.errors else 200
        return render(request, "masterfiles/form.html",
                      context(request, form=form, row=row, conflict=conflict is not None,
                              conflict_edits=conflict or []), status=status)

    def _conflict(request, row, exc: EditConflict, version: int, verb: str = "update"):
        """The row as it is now and the saves since `version`, with the refusal logged."""
        services.masterfile_edit_refused(actor=request.user, account=request.account, kind=kind, row=row,
                                         expected=version, current=exc.current, verb=verb, request=request)
        row = selectors.masterfile_get(request.account, kind, row.pk)
        edits = edits_since(request.account, target_type=row._meta.label_lower, target_id=row.pk,
                            version=version)
        return row, edits

    def _changed_meanwhile(done: str, edits) -> str:
        who = ", ".join(f"{e.actor_username or 'someone'} at {e.at:%Y-%m-%d %H:%M} UTC" for e in edits)
        return (f"Not {done}: this {kind.noun} was changed after you opened it"
                f"{' (by ' + who + ')' if who else ''}. Check it below and try again.")

    def _bad_version(request, title: str, form):
        """A button without (or with a damaged) version: say so, change nothing (400)."""
        return render(request, "core/error.html",
                      {"title": title, "message": " ".join(form.errors["version"])}, status=400)

    def _set_active(request, account, pk, active):
        row = selectors.masterfile_get(request.account, kind, pk)
        verb = "Reactivated" if active else "Deactivated"
        form = VersionForm(request.POST)
        if not form.is_valid():
            return _bad_version(request, f"Not {verb.lower()}", form)
        try:
            services.masterfile_set_active(actor=request.user, account=request.account, kind=kind,
                                           row=row, active=active, version=form.cleaned_data["version"],
                                           request=request)
        except EditConflict as exc:
            row, edits = _conflict(request, row, exc, form.cleaned_data["version"],
                                   verb="reactivate" if active else "deactivate")
            messages.error(request, _changed_meanwhile(verb.lower(), edits))
            return redirect(_url(kind, "edit"), account=account, pk=row.pk)
        messages.success(request, f"{verb} the {kind.noun}.")
        return redirect(_url(kind, "edit"), account=account, pk=row.pk)

    @account_view(section)
    @require_POST
    def deactivate_view(request, account, pk):
        return _set_active(request, account, pk, False)

    @account_view(section)
    @require_POST
    def reactivate_view(request, account, pk):
        return _set_active(request, account, pk, True)

    @account_view(section)
    @require_POST
    def delete_view(request, account, pk):
        row = selectors.masterfile_get(request.account, kind, pk)
        form = VersionForm(request.POST)
        if not form.is_valid():
            return _bad_version(request, "Not deleted", form)
        try:
            services.masterfile_delete(actor=request.user, account=request.account, kind=kind,
                                       row=row, version=form.cleaned_data["version"], request=request)
        except EditConflict as exc:
            row, edits = _conflict(request, row, exc, form.cleaned_data["version"], verb="delete")
            messages.error(request, _changed_meanwhile("deleted", edits))
            return redirect(_url(kind, "edit"), account=account, pk=row.pk)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return redirect(_url(kind, "edit"), account=account, pk=row.pk)
        messages.success(request, f"Deleted the {kind.noun}.")
        return redirect(_url(kind, "list"), account=account)

    @account_view(section)
    @require_GET
    def export_view(request, account):
        rows = services.masterfile_export(actor=request.user, account=request.account, kind=kind,
                                          request=request)
        from practicegate.masterfiles.csvio import export_lines

        response = StreamingHttpResponse(export_lines(kind, rows), content_type="text/csv; charset=utf-8")
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="{request.account.slug}-{kind.key}-{day}.csv"'
        )
        return response

    return {
        "list": list_view, "add": add_view, "edit": edit_view, "deactivate": deactivate_view,
        "reactivate": reactivate_view, "delete": delete_view, "export": export_view,
    }


@account_view(DIAGNOSIS.section, level=Level.FULL)
@require_http_methods(["GET", "POST"])
def icd10_import_view(request, account):
    form = Icd10ImportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        counts = services.icd10_import(actor=request.user, account=request.account,
                                       preset=form.cleaned_data["preset"], request=request)
        messages.success(request, f"Added {counts['added']:,} ICD-10-CM codes; "
                                  f"{counts['existing']:,} were already here.")
        return redirect("masterfiles:diagnosis-list", account=account)
    return render(request, "masterfiles/icd10.html", {"form": form, "presets": PRESETS},
                  status=400 if form.errors else 200)
