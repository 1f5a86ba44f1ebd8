"""Give every existing account the three starting roles (new accounts get them when created)."""

from django.db import migrations

F, V, N = 2, 1, 0
# A copy frozen here: later changes to access.roles.SEED_ROLES must not change what this migration did.
SEED = {
    "Front desk": {"clients": F, "diagnosis_codes": V, "billing_codes": V, "payers": V, "billing": N,
                   "reports": N, "account_access": N, "settings": N},
    "Clinician": {"clients": F, "diagnosis_codes": V, "billing_codes": V, "payers": V, "billing": N,
                  "reports": V, "account_access": N, "settings": N},
    "Biller": {"clients": V, "diagnosis_codes": V, "billing_codes": F, "payers": F, "billing": F,
               "reports": V, "account_access": N, "settings": N},
}


def seed(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    Role = apps.get_model("access", "Role")
    having = set(Role.objects.values_list("account_id", flat=True).distinct())
    for account_id in Account.objects.exclude(pk__in=having).values_list("pk", flat=True).iterator():
        Role.objects.bulk_create([Role(account_id=account_id, name=name, name_key=name.casefold(), levels=dict(levels))
                                  for name, levels in SEED.items()])


class Migration(migrations.Migration):

    dependencies = [
        ("access", "0004_roles_and_owner_notices"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
