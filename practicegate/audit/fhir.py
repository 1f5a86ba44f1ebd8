"""Map an AuditEvent row to a FHIR R4 AuditEvent resource (one NDJSON line each).

Codes come from the systems R4 binds these elements to: DICOM event types for
type/subtype where one fits, the R4 action (C/R/U/D/E) and outcome (0/4/8)
codes, network type 2 (IP address), source type 4 (application server).
Our own action code always goes into subtype, so nothing is lost in mapping.
"""

from __future__ import annotations

from datetime import UTC

import orjson

from practicegate.audit.actions import ACTIONS, crud_of
from practicegate.audit.models import Outcome

DICOM = "http://dicom.nema.org/resources/ontology/DCM"
ACTION_SYSTEM = "urn:practicegate:audit-action"
USER_SYSTEM = "urn:practicegate:user"
TARGET_SYSTEM = "urn:practicegate:target:"
OUTCOME = {Outcome.SUCCESS: "0", Outcome.DENIED: "4", Outcome.FAILURE: "8"}

_REST = {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest",
         "display": "RESTful Operation"}
_TYPES = {
    "auth.": {"system": DICOM, "code": "110114", "display": "User Authentication"},
    "access.denied": {"system": DICOM, "code": "110113", "display": "Security Alert"},
    "phi.": {"system": DICOM, "code": "110110", "display": "Patient Record"},
    "audit.export": {"system": DICOM, "code": "110106", "display": "Export"},
}
_DICOM_SUBTYPES = {
    "auth.login": {"system": DICOM, "code": "110122", "display": "Login"},
    "auth.logout": {"system": DICOM, "code": "110123", "display": "Logout"},
}
_SOURCE_TYPE = {"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4",
                "display": "Application Server"}
_HUMAN = {"system": "http://terminology.hl7.org/CodeSystem/extra-security-role-type", "code": "humanuser",
          "display": "human user"}
# HL7 v3 ActReason "BTG" (break the glass), a kind of emergency treatment (ETREAT): the purpose of
# use of a read made under emergency access (access.emergency writes detail purpose=emergency).
PURPOSE_OF_USE = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
_BREAK_THE_GLASS = {"coding": [{"system": PURPOSE_OF_USE, "code": "BTG", "display": "break the glass"}]}
_SYSTEM_OBJECT = {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2",
                  "display": "System Object"}


def event_type(action: str) -> dict:
    for prefix, coding in _TYPES.items():
        if action == prefix or (prefix.endswith(".") and action.startswith(prefix)):
            return coding
    return _REST


def audit_event_resource(event, account) -> dict:
    subtype = [{"system": ACTION_SYSTEM, "code": event.action, "display": ACTIONS.get(event.action, event.action)}]
    if event.action in _DICOM_SUBTYPES:
        subtype.insert(0, _DICOM_SUBTYPES[event.action])
    who: dict = {"display": event.actor_username or "(unknown)"}
    if event.actor_id:
        who["identifier"] = {"system": USER_SYSTEM, "value": str(event.actor_id)}
    agent: dict = {"type": {"coding": [_HUMAN]}, "who": who, "requestor": True}
    if event.ip:
        agent["network"] = {"address": event.ip, "type": "2"}
    details = [
        {"type": "seq", "valueString": str(event.seq)},
        {"type": "hash", "valueString": event.hash},
        {"type": "channel", "valueString": event.channel},
    ]
    for name in ("section", "request_id", "user_agent"):
        if getattr(event, name):
            details.append({"type": name, "valueString": getattr(event, name)})
    if event.detail:
        details.append({"type": "detail", "valueString": orjson.dumps(event.detail, option=orjson.OPT_SORT_KEYS).decode()})
    entity: dict = {"type": _SYSTEM_OBJECT, "detail": details}
    if event.target_type or event.target_id:
        entity["what"] = {
            "identifier": {"system": TARGET_SYSTEM + (event.target_type or "unknown"), "value": event.target_id or "-"},
            "display": f"{event.target_type} {event.target_id}".strip(),
        }
    resource = {
        "resourceType": "AuditEvent",
        "id": f"pg-{event.account_id or 0}-{event.seq}",
        "type": event_type(event.action),
        "subtype": subtype,
        "action": crud_of(event.action),
        "recorded": event.at.astimezone(UTC).isoformat(timespec="microseconds"),  # UTC, with its offset
        "outcome": OUTCOME.get(event.outcome, "8"),
        "outcomeDesc": event.outcome,
        "agent": [agent],
        "source": {"site": account.slug, "observer": {"display": "PracticeGate"}, "type": [_SOURCE_TYPE]},
        "entity": [entity],
    }
    if isinstance(event.detail, dict) and event.detail.get("purpose") == "emergency":
        resource["purposeOfEvent"] = [_BREAK_THE_GLASS]
        agent["purposeOfUse"] = [_BREAK_THE_GLASS]
    return resource
