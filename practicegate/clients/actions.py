"""Activity-log action codes of the Clients section (imported by the AppConfig)."""

from __future__ import annotations

from practicegate.audit.actions import a_or_an, register, register_group

register_group("client", "Clients")

register("client.add", "Added a client")
register("client.update", "Changed a client's demographics")
register("client.duplicate_confirmed", "Confirmed a different person with the same name and date of birth",
         crud="U")
register("client.discharge", "Discharged a client", crud="U")
register("client.readmit", "Re-admitted a client", crud="U")
for _key, _noun in {"diagnosis": "diagnosis", "policy": "insurance policy", "service": "service"}.items():
    register(f"client.{_key}_add", f"Added {a_or_an(_noun)} for a client")
    register(f"client.{_key}_update", f"Changed a client's {_noun}")
    register(f"client.{_key}_end", f"Ended a client's {_noun}", crud="U")
    register(f"client.{_key}_void", f"Voided a client's {_noun}", crud="U")
register("client.access_report", "Downloaded a client's access report (PDF)", crud="R")
