"""Payer phones stored as E.164 ("+15185550140"), as client phones are (core.text).

Before this, the payer form stored US numbers as "518-555-0140", with " x89" after one
typed with an extension. Each stored phone is read as a US number; a valid number without
an extension becomes its E.164 form.

The fallback: a value that is not a valid number, or that has an extension (E.164 has no
room for one), is kept exactly as it was stored, never emptied, so no phone number is lost.
Pages show such a value as stored (core.text.phone_display), and the payer's edit page asks
for a valid number the next time it is saved.

The reverse writes US E.164 numbers back in the old "518-555-0140" form and leaves every
other value (kept values, numbers outside the US entered since) as it is.

The conversion is written out here rather than imported from core.text, so that this
migration keeps doing what it did when the rules change later. It runs row by row through
the ORM, so it works alike on SQLite and PostgreSQL.
"""

import phonenumbers
from django.db import migrations

REGION = "US"


def e164_or_kept(stored: str) -> str:
    """The E.164 form of a stored payer phone, or the stored value when it cannot be one."""
    try:
        number = phonenumbers.parse(stored, REGION)
    except phonenumbers.NumberParseException:
        return stored
    if number.extension or not phonenumbers.is_valid_number(number):
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def old_form(stored: str) -> str:
    """A US E.164 phone in the old stored form ("518-555-0140"); any other value as it is."""
    if len(stored) == 12 and stored.startswith("+1") and stored[1:].isdigit():
        return f"{stored[2:5]}-{stored[5:8]}-{stored[8:]}"
    return stored


def _rewrite(apps, convert) -> None:
    # The base manager: a migration runs outside any account scope, and it must see every account.
    payers = apps.get_model("masterfiles", "InsurancePayer")._base_manager
    for pk, phone in payers.exclude(phone="").order_by("pk").values_list("pk", "phone").iterator():
        new = convert(phone)
        if new != phone:
            payers.filter(pk=pk).update(phone=new)


def payer_phones_to_e164(apps, schema_editor):
    _rewrite(apps, e164_or_kept)


def payer_phones_to_old_form(apps, schema_editor):
    _rewrite(apps, old_form)


class Migration(migrations.Migration):
    dependencies = [("masterfiles", "0003_row_version")]

    operations = [migrations.RunPython(payer_phones_to_e164, payer_phones_to_old_form)]
