"""pyx12 (an independent X12 validator) run on a file the tests produced.

`pyx12_errors(text)` validates against pyx12's own 005010X222A1 map and answers the
errors it found (an empty list when the file is valid), with the 999 pyx12 writes back.
"""

from __future__ import annotations

import io
import json
import logging

import pyx12.params
import pyx12.x12n_document


def pyx12_check(text: str) -> tuple[bool, list[str], str]:
    """(valid, errors as text, the 999 pyx12 answers) for one X12 file."""
    param = pyx12.params.params()
    fd_json, fd_999 = io.StringIO(), io.StringIO()
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    valid = pyx12.x12n_document.x12n_document(param, io.StringIO(text), fd_999, None, None, fd_json)
    errors = []
    raw = fd_json.getvalue().strip()
    if raw:
        errors = [json.dumps(item, sort_keys=True) for item in _flatten(json.loads(raw))]
    return valid, errors, fd_999.getvalue()


def _flatten(node):
    """Every error record in pyx12's JSON error output (the items of its "errors" lists)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "errors" and isinstance(value, list):
                yield from value
            else:
                yield from _flatten(value)
    elif isinstance(node, list):
        for item in node:
            yield from _flatten(item)


def pyx12_errors(text: str) -> list[str]:
    valid, errors, _ = pyx12_check(text)
    if not valid and not errors:
        errors = ["pyx12 found the file invalid"]
    return errors


def rejected_segments(answer_999: str) -> list[str]:
    """The IK3 (segment) and IK4 (element) error lines of pyx12's 999."""
    return [line for line in answer_999.replace("~", "~\n").splitlines()
            if line.startswith(("IK3*", "IK4*"))]
