"""Username Privileges' table rows, built in Python: one string per row instead of some forty
template nodes, so 500 usernames cost a few times what 5 do (bench/bench_access.py).

Every value from the database goes through html.escape (what Django's escape does)."""

from __future__ import annotations

from html import escape

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_SENTINEL = 987654321987


def _url_maker(name: str, slug: str):
    """pk -> the named URL for this account, from one reverse()."""
    before, after = reverse(name, kwargs={"account": slug, "membership_id": _SENTINEL}).split(str(_SENTINEL))
    return lambda pk: escape(f"{before}{int(pk)}{after}")


@register.simple_tag
def privilege_rows(rows, slug: str, may_edit: bool) -> SafeString:
    edit_url, delete_url = _url_maker("access:privileges-edit", slug), _url_maker("access:privileges-delete", slug)
    level_cells: dict = {}  # (section label, level) -> its HTML: a few dozen, however many rows

    def level_cell(key) -> str:
        cell = level_cells.get(key)
        if cell is None:
            label, level = key
            cell = level_cells[key] = (f'<span class="lvl lvl-{int(level)}">{escape(str(label))}: '
                                       f'{escape(str(level.label))}</span>')
        return cell

    def line(row) -> str:
        username = escape(row.username)
        plus = remove = ""
        if may_edit:
            if row.is_owner:
                plus = f'<td><span class="muted" title="{escape(row.locked_reason or "")}">🔒</span></td>'
            else:
                plus = (f'<td><a class="plus" href="{edit_url(row.membership_id)}" title="Change privileges of '
                        f'{username}">+<span class="visually-hidden"> Change privileges of {username}</span></a></td>')
            if row.locked_reason:
                remove = (f'<td><span class="muted locked-reason">{escape(row.locked_reason)} It cannot be deleted.'
                          '</span></td>')
            else:
                remove = f'<td><a class="button" href="{delete_url(row.membership_id)}">Delete</a></td>'
        badges = (' <span class="badge">Owner</span>' if row.is_owner else "") + (
            "" if row.is_active else ' <span class="badge">Inactive</span>')
        home = escape(row.home_account) if row.home_account else "—"
        last = f"{escape(date(row.last_login, 'Y-m-d H:i'))} UTC" if row.last_login else "Never"
        levels = "<br>".join(level_cell(key) for key in row.levels)
        return (f'<tr data-username="{username}">{plus}<td>{username}{badges}</td><td>{home}</td><td>{last}</td>'
                f'<td>{"On" if row.two_factor else "Off"}</td><td class="levels-at-a-glance">{levels}</td>'
                f'{remove}</tr>')

    return mark_safe("\n".join(line(row) for row in rows))  # every database value above is escaped
