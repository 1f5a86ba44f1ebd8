"""Reading 999 and 277CA acknowledgments: what a clearinghouse answers to our files,
pyx12's own 999, and files that are damaged or not acknowledgments at all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practicegate.billing.x12 import AckRefused, batch_file, read_ack
from practicegate.core.scoping import across_accounts
from tests.billing.acks import answer_277ca, answer_999
from tests.billing.factories import claim_shapes, shape_claims
from tests.billing.validator import pyx12_check, pyx12_errors

MADE = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)


@pytest.fixture
def sent(billing):
    account, house = billing
    claims = shape_claims(claim_shapes(account))
    with across_accounts():
        text = batch_file(clearinghouse=house, claims=claims, control_number=31, created_at=MADE)
    return account, claims, text


def test_a_999_accepting_the_file(sent):
    account, claims, text = sent
    answer = answer_999(text)
    assert pyx12_errors(answer) == []  # the test clearinghouse writes real 999s
    report = read_ack(answer)
    assert (report.kind, report.control_number, report.status) == ("999", 31, "accepted")
    assert [(r.reference, r.status, r.reasons) for r in report.results] == [("0001", "accepted", ())]


def test_a_999_rejecting_the_file_says_why(sent):
    account, claims, text = sent
    report = read_ack(answer_999(text, reject=True, errors=[("HI", "21", "2300", "3"), ("NM1", "9", "", "8")]))
    assert report.status == "rejected" and report.rejected_count == 1
    reasons = report.results[0].reasons
    assert reasons[0] == "segment HI (number 21 of the file, loop 2300): a required segment is missing"
    assert reasons[1] == "segment NM1 (number 9 of the file): the segment has errors in its elements"
    assert reasons[2] == "one or more segments have errors"


def test_pyx12s_own_999_of_a_broken_file(sent):
    account, claims, text = sent
    no_hi = "\n".join(line for line in text.splitlines() if not line.startswith("HI*")) + "\n"
    valid, errors, answer = pyx12_check(no_hi)
    assert not valid
    report = read_ack(answer)
    assert report.kind == "999" and report.control_number == 31 and report.status == "rejected"
    assert any("segment HI" in reason and "required segment is missing" in reason
               for reason in report.results[0].reasons)
    valid, errors, answer = pyx12_check(text)
    assert valid and read_ack(answer).status == "accepted"


def test_a_277ca_accepting_every_claim(sent):
    account, claims, text = sent
    answer = answer_277ca(text)
    assert pyx12_errors(answer) == []  # a real 277CA, by pyx12's 005010X214 map
    report = read_ack(answer)
    assert report.kind == "277CA" and report.status == "accepted"
    assert report.batch_reference == f"PG{account.pk}B31"
    assert report.claim_references == tuple(c.control_number for c in claims)
    assert all(r.status == "accepted" and r.payer_claim_number.startswith("PAYER") for r in report.results)
    assert report.results[0].reasons == ("Received: the claim was accepted for processing (payer)",)


def test_a_277ca_rejecting_one_claim_with_the_reason(sent):
    account, claims, text = sent
    bad = claims[1].control_number
    report = read_ack(answer_277ca(text, rejected={bad: ("164", "IL")}, name_batch=False))
    assert report.batch_reference == "" and report.claim_references[1] == bad
    by_claim = {r.reference: r for r in report.results}
    assert by_claim[bad].status == "rejected"
    assert by_claim[bad].reasons == ("Rejected for invalid information: the entity's member ID (subscriber)",)
    assert (report.accepted_count, report.rejected_count, report.status) == (4, 1, "partly accepted")


NOT_ACKS = [
    ("", "does not begin with an ISA"),
    ("hello, this is a letter", "does not begin with an ISA"),
    ("%PDF-1.7\n" + "x" * 200, "does not begin with an ISA"),
]


@pytest.mark.parametrize("text, words", NOT_ACKS)
def test_not_x12_is_refused(text, words):
    with pytest.raises(AckRefused) as refused:
        read_ack(text)
    assert words in refused.value.message


def test_an_837_a_cut_file_and_a_wrong_count_are_refused(sent):
    account, claims, text = sent
    with pytest.raises(AckRefused, match="837 claim file, not a 999 or 277CA"):
        read_ack(text)
    answer = answer_999(text)
    with pytest.raises(AckRefused, match="cut short"):
        read_ack(answer[: answer.index("GE*")])
    with pytest.raises(AckRefused, match=r"trailer \(SE\) does not match"):
        read_ack(answer.replace("SE*6*", "SE*7*"))
    with pytest.raises(AckRefused, match="not a claim file"):
        read_ack(answer.replace("AK1*HC*", "AK1*HP*"))
    other_277 = answer_277ca(text).replace("005010X214", "005010X212")
    with pytest.raises(AckRefused, match="not a claim acknowledgment"):
        read_ack(other_277)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_is_read_or_refused(noise):
    for text in (noise, "ISA*" + noise, _ISA + noise, _ISA + noise + "~IEA*1*000000901~"):
        try:
            read_ack(text)
        except AckRefused as refused:
            assert refused.message


_ISA = f"ISA*00*{' ' * 10}*00*{' ' * 10}*ZZ*{'A':<15}*ZZ*{'B':<15}*261202*0900*^*00501*000000901*0*T*:~"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_damage_to_a_real_answer_is_read_or_refused(data):
    base = _ANSWERS[data.draw(st.integers(0, len(_ANSWERS) - 1))]
    start = data.draw(st.integers(0, len(base)))
    end = data.draw(st.integers(start, min(len(base), start + 20)))
    text = base[:start] + data.draw(st.text(alphabet="*:~^\nAK1259HCISTE0 ", max_size=12)) + base[end:]
    try:
        read_ack(text)
    except AckRefused as refused:
        assert refused.message


_837 = ("ISA*00*          *00*          *ZZ*PGSUBMIT01     *ZZ*EXCLEARING     *261201*1030*^*00501*"
        "000000007*0*T*:~\nGS*HC*PGSUBMIT01*EXCLEARING*20261201*1030*7*X*005010X222A1~\n"
        "ST*837*0001*005010X222A1~\nBHT*0019*00*PG1B7*20261201*1030*CH~\n"
        "NM1*85*2*SUNRISE*****XX*1000000012~\nNM1*IL*1*LEE*JORDAN****MI*X~\nCLM*PG1C1*150***11:B:1*Y*A*Y*Y~\n"
        "NM1*QC*1*ORTIZ*SAM~\nCLM*PG1C2*90***11:B:1*Y*A*Y*Y~\nSE*9*0001~\nGE*1*7~\nIEA*1*000000007~\n")
_ANSWERS = [answer_999(_837), answer_999(_837, reject=True), answer_277ca(_837),
            answer_277ca(_837, rejected={"PG1C2": ("21", "85")})]
