"""Raw request values read outside a form go through core.params.param, which refuses NUL."""

from __future__ import annotations

import re
from pathlib import Path

from django.http import QueryDict

import practicegate
from practicegate.core.params import param

RAW_READ = re.compile(r"\.(GET|POST)(\.get\(|\.getlist\(|\[)")


def test_a_value_holding_nul_is_not_given():
    query = QueryDict("token=%00&to=ab%00c&next=/a/x/&empty=")
    assert param(query, "token") == "" and param(query, "to", "none") == "none"
    assert param(query, "next") == "/a/x/" and param(query, "empty", "d") == ""
    assert param(query, "missing") == "" and param(query, "missing", "all") == "all"


def test_no_view_reads_a_raw_request_value_but_through_param():
    root = Path(practicegate.__file__).parent
    raw = [f"{path.relative_to(root)}:{n}" for path in sorted(root.rglob("*.py")) if path.name != "params.py"
           for n, line in enumerate(path.read_text().splitlines(), 1) if RAW_READ.search(line)]
    assert raw == [], "read request.GET/POST through core.params.param (or a form)"
