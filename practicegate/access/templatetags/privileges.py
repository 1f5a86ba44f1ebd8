"""Username Privileges' table rows, built in Python: one format_html per row instead of some
forty template nodes, so 500 usernames cost a few times what 5 do (bench/bench_access.py)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_SENTINEL = 987654321987


def _url_maker(name: str, slug: str):
    """pk -> the named URL for this account, from one reverse()."""
    before, after = reverse(name, kwargs={"account": slug, "membership_id": _SENTINEL}).split(str(_SENTINEL))
    return lambda pk: f"{before}{pk}{after}"


def _level_cell(label: str, level) -> SafeString:
    return format_html('<span class="lvl lvl-{}">{}: {}</span>', level, label, level.label)


@register.simple_tag
def privilege_rows(rows, slug: str, may_edit: bool) -> SafeString:
    edit_url, delete_url = _url_maker("access:privileges-edit", slug), _url_maker("access:privileges-delete", slug)
    level_cells: dict = {}  # (section label, level) -> its HTML: a few dozen, however many rows

    def levels(row) -> SafeString:
        parts = []
        for key in row.levels:
            cell = level_cells.get(key)
            if cell is None:
                cell = level_cells[key] = _level_cell(*key)
            parts.append(cell)
        return mark_safe("<br>".join(parts))

    def cells(row):
        username, owner = row.username, row.is_owner
        if may_edit:
            if owner:
                plus = format_html('<td><span class="muted" title="{}">🔒</span></td>', row.locked_reason or "")
            else:
                plus = format_html('<td><a class="plus" href="{}" title="Change privileges of {}">+<span '
                                   'class="visually-hidden"> Change privileges of {}</span></a></td>',
                                   edit_url(row.membership_id), username, username)
            if row.locked_reason:
                remove = format_html('<td><span class="muted locked-reason">{} It cannot be deleted.</span></td>',
                                     row.locked_reason)
            else:
                remove = format_html('<td><a class="button" href="{}">Delete</a></td>', delete_url(row.membership_id))
        else:
            plus = remove = ""
        badges = (' <span class="badge">Owner</span>' if owner else "") + (
            "" if row.is_active else ' <span class="badge">Inactive</span>')
        home = row.home_account or "—"
        last = f"{date(row.last_login, 'Y-m-d H:i')} UTC" if row.last_login else "Never"
        return (username, plus, username, mark_safe(badges), home, last, "On" if row.two_factor else "Off",
                levels(row), remove)

    return format_html_join(
        "\n", '<tr data-username="{}">{}<td>{}{}</td><td>{}</td><td>{}</td><td>{}</td>'
        '<td class="levels-at-a-glance">{}</td>{}</tr>', (cells(row) for row in rows))
