"""Who may do what: View Only reads and exports, No Access sees nothing, others get 404."""

from __future__ import annotations

import pytest

from practicegate.audit.models import AuditEvent
from practicegate.masterfiles.models import DiagnosisCode
from tests.helpers import login_client, rows_everywhere
from tests.masterfiles.helpers import url

pytestmark = pytest.mark.django_db

KINDS = ["diagnosis", "billing", "payer"]
SECTION = {"diagnosis": "diagnosis_codes", "billing": "billing_codes", "payer": "payers"}


def routes(account, rows, kind):
    """(method, path) of every route of a kind; object routes use the row's id."""
    pk = rows[kind].pk
    result = [("get", url(account, f"{kind}-list")), ("get", url(account, f"{kind}-export")),
              ("get", url(account, f"{kind}-add")), ("post", url(account, f"{kind}-add")),
              ("get", url(account, f"{kind}-edit", pk=pk)), ("post", url(account, f"{kind}-edit", pk=pk)),
              ("post", url(account, f"{kind}-deactivate", pk=pk)),
              ("post", url(account, f"{kind}-reactivate", pk=pk)),
              ("post", url(account, f"{kind}-delete", pk=pk)),
              ("get", url(account, f"{kind}-import")), ("post", url(account, f"{kind}-import")),
              ("post", url(account, f"{kind}-import-confirm"))]
    if kind == "diagnosis":
        result += [("get", url(account, "diagnosis-icd10")), ("post", url(account, "diagnosis-icd10"))]
    return result


@pytest.mark.parametrize("kind", KINDS)
def test_view_only_reads_and_exports(viewer_client, owner_account, rows, kind):
    page = viewer_client.get(url(owner_account, f"{kind}-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert url(owner_account, f"{kind}-export") in html
    for hidden in ("add", "import"):
        assert url(owner_account, f"{kind}-{hidden}") not in html
    assert url(owner_account, f"{kind}-edit", pk=rows[kind].pk) not in html
    assert "Import ICD-10-CM" not in html
    export = viewer_client.get(url(owner_account, f"{kind}-export"))
    assert export.status_code == 200
    assert AuditEvent.objects.filter(account=owner_account, action=f"{kind}.export").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_view_only_gets_403_on_every_writing_route(viewer_client, owner_account, rows, kind):
    before = rows_everywhere(DiagnosisCode).count()
    for method, path in routes(owner_account, rows, kind):
        if method == "get" and path.endswith(("/", ".csv")) and (
            path == url(owner_account, f"{kind}-list") or path.endswith(".csv")
        ):
            continue
        response = getattr(viewer_client, method)(path, {"code": "F99", "description": "x",
                                                         "preset": "mental", "token": "t"})
        assert response.status_code == 403, (method, path)
    rows[kind].refresh_from_db()
    assert rows[kind].active is True
    assert rows_everywhere(DiagnosisCode).count() == before
    assert AuditEvent.objects.filter(account=owner_account, action="access.denied").count() >= 5


def test_forged_post_with_csrf_token_is_still_403(viewer, owner_account, rows):
    client = login_client(viewer, csrf=True)
    client.get(url(owner_account, "diagnosis-list"))
    token = client.cookies["csrftoken"].value
    response = client.post(url(owner_account, "diagnosis-add"),
                           {"code": "F99", "description": "forged", "csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert not rows_everywhere(DiagnosisCode).filter(code="F99").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_no_access_sees_nothing(blocked, owner_account, rows, kind):
    client = login_client(blocked)
    for method, path in routes(owner_account, rows, kind):
        assert getattr(client, method)(path).status_code == 403, (method, path)
    home = client.get(url(owner_account, "diagnosis-list").split("diagnosis-codes")[0]).content.decode()
    assert url(owner_account, f"{kind}-list") not in home


@pytest.mark.parametrize("kind", KINDS)
def test_non_members_get_404(outsider, owner_account, rows, kind):
    client = login_client(outsider)
    for method, path in routes(owner_account, rows, kind):
        assert getattr(client, method)(path).status_code == 404, (method, path)


def test_full_access_sees_the_controls(owner_client, owner_account, rows):
    html = owner_client.get(url(owner_account, "diagnosis-list")).content.decode()
    assert url(owner_account, "diagnosis-add") in html
    assert url(owner_account, "diagnosis-icd10") in html
