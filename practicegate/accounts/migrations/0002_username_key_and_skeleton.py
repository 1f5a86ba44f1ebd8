"""Usernames compared by a stored case-folded key (unique) and a TR 39 skeleton (indexed)."""

from django.db import migrations, models

from practicegate.accounts.usernames import username_key, username_skeleton


def fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    seen: dict[str, str] = {}
    for user in User.objects.order_by("id").iterator():
        key = username_key(user.username)
        if key in seen:
            # Two usernames that differ only in non-ASCII letter case (possible on SQLite before now).
            raise RuntimeError(
                f"The usernames {seen[key]!r} and {user.username!r} are the same once case is folded. "
                "Rename one of them, then run the migration again."
            )
        seen[key] = user.username
        User.objects.filter(pk=user.pk).update(username_key=key, username_skeleton=username_skeleton(user.username))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField("user", "username_key", models.CharField(max_length=600, null=True, editable=False)),
        migrations.AddField("user", "username_skeleton",
                            models.CharField(max_length=600, default="", editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("user", "username_key",
                              models.CharField(max_length=600, unique=True, editable=False)),
        migrations.AlterField("user", "username_skeleton",
                              models.CharField(max_length=600, db_index=True, editable=False)),
        migrations.RemoveConstraint("user", "user_username_ci_unique"),
    ]
