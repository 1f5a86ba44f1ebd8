"""Activity-log action codes of the master files (imported by the AppConfig)."""

from __future__ import annotations

from practicegate.audit.actions import a_or_an, register, register_group

_NOUNS = {"diagnosis": "diagnosis code", "billing": "billing code", "payer": "insurance payer"}
_GROUPS = {"diagnosis": "Diagnosis Codes", "billing": "Billing Codes", "payer": "Insurance Payers"}

for _key, _noun in _NOUNS.items():
    register_group(_key, _GROUPS[_key])
    register(f"{_key}.add", f"Added {a_or_an(_noun)}")
    register(f"{_key}.update", f"Changed {a_or_an(_noun)}")
    register(f"{_key}.deactivate", f"Deactivated {a_or_an(_noun)}")
    register(f"{_key}.reactivate", f"Reactivated {a_or_an(_noun)}")
    register(f"{_key}.delete", f"Deleted {a_or_an(_noun)}")
    register(f"{_key}.import_preview", f"Uploaded a CSV file of {_noun}s for preview")
    register(f"{_key}.import", f"Imported {_noun}s from a CSV file")
    register(f"{_key}.export", f"Exported {_noun}s to a CSV file")
register_group("masterfiles", "CSV imports")
register("diagnosis.import_icd10", "Imported ICD-10-CM diagnosis codes")
register("masterfiles.import_previews_purge", "Removed expired CSV import previews")
