"""What may refer to a master-file row, so that a row in use is never deleted.

Features whose rows name a master-file row register a check here (client
diagnoses, policies and services do: practicegate/clients/references.py);
`masterfile_delete` asks every check before deleting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

# kind key ("diagnosis", "billing", "payer") -> checks returning a description of
# the references found ("3 claims"), or "" when there are none.
ReferenceCheck = Callable[[object], str]
_CHECKS: dict[str, list[ReferenceCheck]] = defaultdict(list)


def register_reference(kind_key: str, check: ReferenceCheck) -> ReferenceCheck:
    _CHECKS[kind_key].append(check)
    return check


def unregister_reference(kind_key: str, check: ReferenceCheck) -> None:
    _CHECKS[kind_key].remove(check)


def references_to(kind_key: str, row) -> list[str]:
    """Descriptions of whatever still refers to `row`; empty when it may be deleted."""
    return [found for check in _CHECKS[kind_key] if (found := check(row))]
