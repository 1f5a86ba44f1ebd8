"""The 837P writer: every file it writes passes pyx12's 005010X222A1 map, and a second
library (x12sdk) reads back the claims, totals and lines the database holds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from x12sdk.io import X12ModelReader

from practicegate.billing.models import ClaimLine
from practicegate.billing.x12 import batch_file
from practicegate.billing.x12.elements import text as x12_text
from practicegate.core.scoping import account_scope, across_accounts
from tests.billing.factories import (
    billing_account,
    claim_shapes,
    clearinghouse,
    npi_with_check_digit,
    payer,
    person,
    policy,
    ready_claim,
    shape_claims,
)
from tests.billing.validator import pyx12_check, pyx12_errors, rejected_segments

MADE = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)


@pytest.fixture
def shapes(billing):
    account, house = billing
    return account, house, claim_shapes(account)


def write(house, claims, number=7, scope=None):
    with scope or across_accounts():
        return batch_file(clearinghouse=house, claims=claims, control_number=number, created_at=MADE)


def segments(text: str, name: str) -> list[list[str]]:
    return [line.rstrip("~").split("*") for line in text.splitlines() if line.startswith(name + "*")]


def test_every_shape_passes_pyx12(shapes):
    account, house, made = shapes
    text = write(house, shape_claims(made), scope=account_scope(account))
    assert pyx12_errors(text) == []
    for name in ("adult", "child", "modifiers", "twelve"):
        alone = write(house, [made[name]], number=8)
        assert pyx12_errors(alone) == [], name
    assert pyx12_errors(write(house, [made["secondary"][1]], number=9)) == []


def test_envelopes_and_control_numbers(shapes):
    account, house, made = shapes
    text = write(house, shape_claims(made), number=42)
    isa = text.splitlines()[0]
    assert len(isa) == 106  # fixed width, the terminator included
    fields = isa.rstrip("~").split("*")
    assert fields[6] == "PGSUBMIT01     " and fields[8] == "EXCLEARING     "
    assert fields[13] == "000000042" and fields[15] == "T" and fields[11] == "^" and fields[16] == ":"
    assert segments(text, "GS")[0][6] == "42" and segments(text, "GE")[0] == ["GE", "1", "42"]
    assert segments(text, "IEA")[0] == ["IEA", "1", "000000042"]
    st = text.index("ST*837")
    count = len(text[st:text.index("\nSE*")].splitlines()) + 1
    assert segments(text, "SE")[0] == ["SE", str(count), "0001"]
    assert segments(text, "ST")[0] == ["ST", "837", "0001", "005010X222A1"]
    local = MADE.astimezone(ZoneInfo(account.time_zone))
    assert segments(text, "BHT")[0] == ["BHT", "0019", "00", f"PG{account.pk}B42", local.strftime("%Y%m%d"),
                                        local.strftime("%H%M"), "CH"]
    assert fields[9:11] == [local.strftime("%y%m%d"), local.strftime("%H%M")]


def test_the_shapes_say_what_the_claims_hold(shapes):
    account, house, made = shapes
    text = write(house, shape_claims(made))
    sbr = segments(text, "SBR")
    assert [s[1] for s in sbr] == ["P", "P", "S", "P", "P"]  # the third claim goes to the secondary
    assert sbr[0][2] == "18" and sbr[1][2] == ""  # the child is not the subscriber
    assert segments(text, "PAT") == [["PAT", "19"]]
    assert ["NM1", "IL", "1", "ORTIZ", "MARIA", "", "", "", "MI", "FAM5550001"] in segments(text, "NM1")
    assert ["SV1", "HC:90837:95:GT:HO:59", "200", "UN", "2", "", "", "1"] in segments(text, "SV1")
    hi = [s for s in segments(text, "HI") if len(s) == 13][0]
    assert hi[1] == "ABK:F329" and hi[12] == "ABF:F319" and all(h.startswith("ABF:") for h in hi[2:])
    assert ["REF", "G1", "AUTH 123 X"] in segments(text, "REF")  # separators never reach the file
    assert ["NM1", "IL", "1", "MULLER-NUNEZ", "CHRIS", "", "", "", "MI", "DX12"] in segments(text, "NM1")
    assert segments(text, "NM1").count(["NM1", "82", "1", "KIM", "AVERY", "", "", "", "XX",
                                        made["twelve"].rendering_npi]) == 1
    assert segments(text, "PRV")[-1] == ["PRV", "PE", "PXC", "103T00000X"]
    with across_accounts():
        lines = ClaimLine.objects.order_by("id")
        assert [r[2] for r in segments(text, "REF") if r[1] == "6R"] == [f"PG{account.pk}L{x.pk}" for x in lines]
    assert [c[1] for c in segments(text, "CLM")] == [f"PG{account.pk}C{n}" for n in range(1, 6)]
    assert ["N4", "PORTLAND", "OR", "972011234"] == segments(text, "N4")[0]
    assert ["REF", "EI", "012345671"] in segments(text, "REF")


def test_a_person_billing_with_an_ssn_and_a_pay_to_address(db):
    account = billing_account("Dana Rivera LCSW", "dana", person=True, seed=5,
                              pay_to_address1="PO Box 9", pay_to_city="Salem", pay_to_state="OR",
                              pay_to_zip_code="973010009")
    house = clearinghouse(account)
    client = person(account, sex="U")  # the guide's DMG03 allows U (x12sdk's model does not)
    claim = ready_claim(client, policy(client, payer(account)), frequency="7", original_reference="PAY123")
    text = write(house, [claim])
    assert pyx12_errors(text) == []
    nm1 = segments(text, "NM1")
    assert nm1[2] == ["NM1", "85", "1", "RIVERA", "DANA", "", "", "", "XX", npi_with_check_digit("100000005")]
    assert ["NM1", "87", "1"] in nm1
    assert ["REF", "SY", "012345675"] in segments(text, "REF")
    assert ["REF", "F8", "PAY123"] in segments(text, "REF")
    assert segments(text, "CLM")[0][5] == "11:B:7"
    assert ["DMG", "D8", "19850309", "U"] in segments(text, "DMG")


def test_three_billing_providers_in_one_file(db):
    accounts = [billing_account(f"Practice {n}", f"owner{n}", seed=n, person=(n == 2)) for n in (1, 2, 3)]
    house = clearinghouse(accounts[0])
    claims = []
    for n, account in enumerate(accounts):
        claims += shape_claims(claim_shapes(account, prefix=f"P{n}"))
    text = write(house, claims)
    assert pyx12_errors(text) == []
    assert [h[3] for h in segments(text, "HL")].count("20") == 3
    assert len(segments(text, "CLM")) == 15
    providers = [line for line in text.splitlines() if line.startswith("NM1*85*")]
    assert len(providers) == 3 and "*RIVERA*DANA*" in providers[1]


def test_a_constant_number_of_queries(db):
    account = billing_account("Sunrise Counseling", "sunrise")
    house = clearinghouse(account)
    acme = payer(account)

    def claims(count):
        made = []
        for n in range(count):
            client = person(account, f"Client{n}", "Query")
            made.append(ready_claim(client, policy(client, acme), lines=[{"charge": "100"}, {"charge": "50"}]))
        return made

    few, many = claims(1), claims(20)
    with account_scope(account):
        house = type(house).objects.select_related("account").get(pk=house.pk)
    counts = []
    for batch in (few, many):
        with CaptureQueriesContext(connection) as queries:
            write(house, batch)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] <= 4


def test_pyx12_catches_a_wrong_count_and_a_missing_hi(shapes):
    account, house, made = shapes
    text = write(house, shape_claims(made))
    valid, errors, answer = pyx12_check(re.sub(r"SE\*\d+", "SE*3", text))
    assert not valid and "IK5*R*4" in answer  # 4: number of included segments does not match
    no_hi = "\n".join(line for line in text.splitlines() if not line.startswith("HI*")) + "\n"
    valid, errors, answer = pyx12_check(no_hi)
    assert not valid and any(line.startswith("IK3*HI*") for line in rejected_segments(answer))
    assert pyx12_errors(no_hi) != []


def test_text_is_cleaned_of_separators_and_upper_case():
    assert x12_text("o'Brien*Núñez:^~ jr") == "O'BRIEN NUNEZ JR"
    assert x12_text("a" * 80, 60) == "A" * 60
    assert x12_text("  two   spaces\n") == "TWO SPACES"


def test_a_second_library_reads_back_what_the_database_holds(shapes):
    account, house, made = shapes
    text = write(house, shape_claims(made))
    with X12ModelReader(text) as reader:
        models = list(reader.models())
    read = {c.patient_control_number: c for model in models for c in model.claims()}
    with account_scope(account):
        for claim in shape_claims(made):
            got = read.pop(claim.control_number)
            lines = list(claim.lines.order_by("line_number"))
            assert Decimal(got.charge) == claim.total_charge == sum(x.charge for x in lines)
            assert len(got.service_lines) == len(lines)
            assert [Decimal(s.sv1_segment.line_item_charge_amount) for s in got.service_lines] == [
                x.charge for x in lines]
            assert got.is_dependent == (claim.policy.subscriber != "self")
            assert got.member_id == claim.policy.member_id
    assert read == {}
    assert made["child"].client.birth_date == date(2015, 6, 1)
