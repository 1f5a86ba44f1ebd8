"""The restore drill of docs/operations.md, for real: fill a database through the services,
pg_dump it (custom format), pg_restore it into a new database, verify the activity log on
the restore with public keys only, then edit one event there behind the triggers' back
and check that verify names it."""

from __future__ import annotations

import subprocess

import psycopg
import pytest

from tests.ops import pg

pytestmark = [pg.on_postgres, pytest.mark.slow]

COUNTED = ("accounts_account", "accounts_user", "accounts_membership", "masterfiles_diagnosiscode",
           "masterfiles_billingcode", "masterfiles_insurancepayer", "audit_auditevent", "audit_auditcheckpoint")


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in COUNTED}


def test_dump_restore_verify_then_tamper(tmp_path):
    keys_dir = tmp_path / "signing-host"  # the key's backup goes elsewhere than the dump
    signer = {"PRACTICEGATE_AUDIT_KEY": str(keys_dir / "audit-signing-key.pem"),
              "PRACTICEGATE_AUDIT_PUBLIC_KEYS": str(keys_dir / "audit-public-keys.pem")}
    dump = tmp_path / "backups" / "practicegate.dump"
    dump.parent.mkdir()
    with pg.empty_database("drill") as (_, url):
        env = pg.cli_env(url, tmp_path / "var", **signer)
        pg.cli(env, "migrate", "--noinput")
        pg.cli(env, "demo")  # three practices and a master username, through the services
        pg.cli(env, "audit", "rotate-key")  # the first key, then the timer's checkpoint
        pg.cli(env, "audit", "checkpoint")
        pg.cli(env, "codes", "copy", "--from", "sunrise-counseling", "--to", "harbor-psychology",
               "--files", "billing", "--as", "practice-manager")  # events after the checkpoint too
        before = counts(url)
        assert before["audit_auditcheckpoint"] >= 3 and before["audit_auditevent"] > 30
        subprocess.run([pg.client_tool("pg_dump"), "--format=custom", "--file", str(dump), url],
                       check=True, capture_output=True, timeout=300)

    # The original is gone. Restore into a new database and verify as an auditor would:
    # with the public keyring only, on a machine without the signing key.
    auditor = {"PRACTICEGATE_AUDIT_KEY": str(tmp_path / "no-private-key-here.pem"),
               "PRACTICEGATE_AUDIT_KEY_AUTOCREATE": "0"}
    keyring = keys_dir / "audit-public-keys.pem"
    with pg.empty_database("drill_restored") as (_, restored):
        subprocess.run([pg.client_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", restored,
                        str(dump)], check=True, capture_output=True, timeout=300)
        assert counts(restored) == before
        env = pg.cli_env(restored, tmp_path / "auditor-var", **auditor)
        ok = pg.cli(env, "audit", "verify", "--keyring", str(keyring))
        assert f"OK: {before['audit_auditevent']} events verified" in ok.stdout

        with psycopg.connect(restored) as conn:  # the restore kept the insert-only triggers
            with pytest.raises(psycopg.Error):
                conn.execute("UPDATE audit_auditevent SET actor_username = 'mallory' WHERE id = 1")
        with psycopg.connect(restored, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")  # triggers off for this session
            edited = conn.execute(
                "UPDATE audit_auditevent SET actor_username = 'mallory' WHERE seq = 3 AND account_id = "
                "(SELECT id FROM accounts_account WHERE slug = 'lakeside-therapy')")
            assert edited.rowcount == 1
        broken = pg.cli(env, "audit", "verify", "--keyring", str(keyring), check=False)
        assert broken.returncode == 2, broken.stdout + broken.stderr
        assert "account lakeside-therapy: seq 3: edited" in broken.stderr
        assert "sunrise-counseling" not in broken.stderr  # only the edited account is named
    assert not (tmp_path / "no-private-key-here.pem").exists()
