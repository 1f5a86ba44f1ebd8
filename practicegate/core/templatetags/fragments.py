"""`{% fragment "template.html" data %}`: a piece of page rendered once per distinct `data`.

The frame of every page (the provider dropdown, the left menu) and a master file's table
take longer to render than the rest of a request. A fragment is rendered from `data` alone
(its template sees no other variable: no request, no user), so the HTML is a function of
`data`, and it is kept under a digest of `data` in the process's own memory (`STORE`). The
same data gives the same HTML, whoever asks; changed data gives a new key: nothing is ever
out of date, so nothing needs invalidating. `data` must be built from plain values (str,
int, bool, None, tuples, lists, dicts) whose repr() says everything the template shows;
model instances are refused. Never pass PHI: client data is not kept in a cache.

A value that takes longer to build than to name can be passed as `Derived(source, make)`:
its part of the key is `source` (plain values, e.g. the rows as the database returned
them), and `make(source)` is built only when the fragment is rendered, on a miss. `make`
must be a function of `source` alone, so that the same source always gives the same HTML.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import date, datetime
from decimal import Decimal

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

register = template.Library()

_PLAIN = (str, int, float, bool, type(None), Decimal, date, datetime)
MAX_ENTRIES = 1000  # per process; the least recently used fragment goes first

# {key: HTML}, oldest use first. A dict rather than a Django cache: HTML that can never be
# out of date needs no expiry, and a cache backend copies (pickles) each value both ways.
STORE: OrderedDict[str, str] = OrderedDict()
_LOCK = threading.Lock()  # a threaded server's requests share STORE


class Derived:
    """A fragment value known by its plain `source`, built by `make(source)` only on a miss."""

    __slots__ = ("source", "make")

    def __init__(self, source, make):
        self.source = source
        self.make = make

    def __repr__(self) -> str:
        return f"Derived({self.source!r})"


def _built(data):
    """`data` with each Derived value (at the top of a dict) replaced by what it makes."""
    if isinstance(data, dict) and any(isinstance(v, Derived) for v in data.values()):
        return {k: v.make(v.source) if isinstance(v, Derived) else v for k, v in data.items()}
    return data


def _check_plain(value) -> None:
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, (tuple, list)):
        for item in value:
            _check_plain(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_plain(key)
            _check_plain(item)
        return
    raise TypeError(f"a fragment's data must be plain values, not {type(value).__name__}")


def fragment_key(template_name: str, data) -> str:
    digest = hashlib.blake2b(repr(data).encode(), digest_size=20).hexdigest()
    return f"fragment:{template_name}:{digest}"


@register.simple_tag
def fragment(template_name: str, data):
    key = fragment_key(template_name, data)
    with _LOCK:
        html = STORE.get(key)
        if html is not None:
            STORE.move_to_end(key)
    if html is None:
        if isinstance(data, dict):
            for value in data.values():
                if isinstance(value, Derived):
                    _check_plain(value.source)
        data = _built(data)
        _check_plain(data)
        html = get_template(template_name).render(data if isinstance(data, dict) else {"data": data})
        with _LOCK:
            STORE[key] = html
            while len(STORE) > MAX_ENTRIES:
                STORE.popitem(last=False)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped the data
