"""`{% asset "css/app.css" %}`: a static file's URL, worked out once per process.

The frame of every page links the same stylesheet and script; `{% static %}` asks the
storage for their URLs on every render.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.templatetags.static import static

register = template.Library()


@lru_cache(maxsize=64)
def asset_url(path: str) -> str:
    return static(path)


@register.simple_tag
def asset(path: str) -> str:
    return asset_url(path)
