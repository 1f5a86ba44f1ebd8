"""Activity-log action codes of the master files (imported by the AppConfig)."""

from __future__ import annotations

from practicegate.audit.actions import register

_NOUNS = {"diagnosis": "diagnosis code", "billing": "billing code", "payer": "insurance payer"}

for _key, _noun in _NOUNS.items():
    register(f"{_key}.add", f"Added a {_noun}")
    register(f"{_key}.update", f"Changed a {_noun}")
    register(f"{_key}.deactivate", f"Deactivated a {_noun}")
    register(f"{_key}.reactivate", f"Reactivated a {_noun}")
    register(f"{_key}.delete", f"Deleted a {_noun}")
    register(f"{_key}.import_preview", f"Uploaded a {_noun} CSV for preview")
    register(f"{_key}.import", f"Imported {_noun}s from CSV")
    register(f"{_key}.export", f"Exported {_noun}s to CSV")
register("diagnosis.import_icd10", "Imported ICD-10-CM diagnosis codes")
register("masterfiles.import_previews_purge", "Removed expired CSV import previews")
