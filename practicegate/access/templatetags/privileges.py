"""Username Privileges' table rows, built in Python: one string per row instead of some forty
template nodes, so 500 usernames cost a few times what 5 do (bench/bench_access.py).

Every value from the database goes through html.escape (what Django's escape does)."""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from practicegate.core.localtime import when_text

register = template.Library()
# The owner's lock, drawn inline (an emoji is missing on some systems); the word says it too.
LOCK_ICON = ('<svg class="lock-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" '
             'focusable="false"><path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5A1 1 0 0 1 13 8v6a1 1 0 0 1-1 1H4a1 '
             '1 0 0 1-1-1V8a1 1 0 0 1 1-1zm1.5 0h4V5a2 2 0 0 0-4 0z" fill="currentColor"/></svg>')
_SENTINEL = 987654321987


def _url_maker(name: str, slug: str):
    """pk -> the named URL for this account, from one reverse()."""
    before, after = (escape(part) for part in
                     reverse(name, kwargs={"account": slug, "membership_id": _SENTINEL}).split(str(_SENTINEL)))
    return lambda pk: f"{before}{int(pk)}{after}"


def _level_grid(levels) -> str:
    return "".join(f'<div class="lvl lvl-{int(level)}"><dt>{escape(str(label))}</dt><dd>{escape(str(level.label))}</dd>'
                   "</div>" for label, level in levels)


@register.simple_tag
def privilege_rows(rows, slug: str, may_edit: bool) -> SafeString:
    edit_url, delete_url = _url_maker("access:privileges-edit", slug), _url_maker("access:privileges-delete", slug)
    grids: dict[tuple, str] = {}  # levels -> its grid: most usernames share a few level sets

    def line(row) -> str:
        username = escape(row.username)
        plus = remove = ""
        if may_edit:
            if row.is_owner:
                plus = (f'<td><span class="owner-lock" title="{escape(row.locked_reason or "")}">{LOCK_ICON}'
                        '<span class="lock-text">Locked</span></span></td>')
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
        home = escape(row.home_account) if row.home_account else "&mdash;"
        last = escape(when_text(row.last_login)) if row.last_login else "Never"
        grid = grids.get(row.levels)
        if grid is None:
            grid = grids[row.levels] = _level_grid(row.levels)
        return (f'<tr data-username="{username}">{plus}<td>{username}{badges}</td><td>{home}</td><td>{last}</td>'
                f'<td>{"On" if row.two_factor else "Off"}</td><td><dl class="level-grid">{grid}</dl></td>'
                f'{remove}</tr>')

    return mark_safe("\n".join([line(row) for row in rows]))  # every database value above is escaped
