"""A CSV import preview names every reason a line is bad, not only the first."""

from __future__ import annotations

from tests.masterfiles.helpers import upload


def test_a_line_with_three_faults_lists_all_three(owner_client, owner_account):
    content = "code,description,active\nF41.1,Anxiety,yes\nF4,,maybe\n"
    response = upload(owner_client, owner_account, "diagnosis", content)
    assert response.status_code == 400
    (error,) = response.context["preview"].parsed.errors
    assert error.line == 3
    reasons = error.message.split("; ")
    assert len(reasons) == 3, reasons
    assert reasons[0].startswith("code:") and reasons[1].startswith("description:")
    assert reasons[2] == "active must be yes or no"
    page = response.content.decode()
    assert all(reason.split(":")[0] in page for reason in reasons)


def test_a_formula_cell_and_a_bad_active_value_are_both_reported(owner_client, owner_account):
    content = "code,description,active\nF41.1,=SUM(A1),perhaps\n"
    response = upload(owner_client, owner_account, "diagnosis", content)
    (error,) = response.context["preview"].parsed.errors
    assert "formula" in error.message and "yes or no" in error.message
    assert error.message.count("description") == 1  # the formula refusal is the description's one reason
