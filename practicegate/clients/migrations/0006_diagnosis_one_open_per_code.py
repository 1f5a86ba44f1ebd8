"""At most one open line (not ended, not voided) of each diagnosis code per client."""

from django.db import migrations, models
from django.db.models import Count


def _shown(code: str) -> str:
    """F411 as people write it: F41.1."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def refuse_doubles(apps, schema_editor):
    """Stop with what to fix when a client already has a code open twice: ending or voiding one
    is a clinical decision, taken on the client's Diagnoses tab (and logged there), not here."""
    ClientDiagnosis = apps.get_model("clients", "ClientDiagnosis")
    doubles = list(ClientDiagnosis._base_manager.filter(voided=False, end_date__isnull=True)
                   .values("account__slug", "client__number", "code__code")
                   .annotate(lines=Count("id")).filter(lines__gt=1)
                   .order_by("account__slug", "client__number", "code__code")[:50])
    if doubles:
        listed = "; ".join(f"account {d['account__slug']}, client {d['client__number']}, code {_shown(d['code__code'])}"
                           for d in doubles)
        raise RuntimeError(
            f"These clients have the same diagnosis code open twice: {listed}. End or void one line of each "
            "(Clients > the client > Diagnoses), then run the migration again.")


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0005_phone_search_keys"),
        ("masterfiles", "0005_pending_import_to_records"),
    ]

    operations = [
        migrations.RunPython(refuse_doubles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="clientdiagnosis",
            constraint=models.UniqueConstraint(condition=models.Q(("end_date__isnull", True), ("voided", False)),
                                               fields=("account", "client", "code"),
                                               name="client_dx_one_open_per_code"),
        ),
    ]
