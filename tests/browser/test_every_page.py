"""Every page, as every kind of person, through axe-core, the Nu HTML checker and three widths
(a 390 px phone, 1024 px and 1280 px).

One browser session per person (the owner, the demo's master username, a View Only
username, a visitor); the pages come from the URL conf and the links on them (see
walk.py), so a page added later is checked the day it exists. Fails on serious or
critical axe violations, any Nu HTML checker error, any page wider than the window at any of the widths,
and any GET route that the walk could not reach; minor axe findings are printed.
"""

from __future__ import annotations

import time
from datetime import date

from playwright.sync_api import expect

from practicegate.accounts import demo
from practicegate.accounts.models import Account, Membership
from practicegate.clients import services
from practicegate.clients.models import Client, Status
from practicegate.core.decorators import needed_level
from practicegate.core.demo import build_demo
from practicegate.core.scoping import account_scope
from practicegate.core.sections import MEMBERS, SECTION_KEYS, Level
from tests.billing.batch_factories import batch_of, ready_claims
from tests.browser.helpers import log_in, log_out
from tests.browser.walk import NOT_WALKED, Findings, get_routes, nu_checker_errors, walk
from tests.helpers import make_user

VIEW_ONLY = ("front-desk", "front desk mornings are always busy")
MASTER = ("practice-manager", "practice-manager-demo-passphrase")
OWNER = ("sunrise", "sunrise-demo-passphrase")
CLOSED_TO_VIEW_ONLY = "reports"  # one section at No Access, so its pages show the 403 page


def _starts(slug: str | None, membership: Membership | None) -> tuple[list[str], dict[str, tuple]]:
    """The URL conf's GET routes that take no argument but the account, with their expected status."""
    starts, expected = [], {}
    for route, view in get_routes().items():
        if route in NOT_WALKED or route.count("<") > (1 if "<slug:account>" in route else 0):
            continue
        public = getattr(view, "pg_public", False)
        if "<slug:account>" in route:
            if membership is None:
                continue
            url = "/" + route.replace("<slug:account>", slug)
            section = view.pg_section
            if section != MEMBERS and not membership.can(section, needed_level(view, "GET")):
                expected[url] = (403,)
        elif public != (membership is None):
            continue
        else:
            url = "/" + route
        starts.append(url)
    return starts, expected


def _discharged_client_with_a_policy(account) -> str:
    """The page of a discharged client with an open policy, to open first: it links Re-admit
    and the policy's Edit, End and Void (the walk opens one page per route)."""
    with account_scope(account):
        client = (Client.objects.filter(status=Status.ACTIVE, policies__voided=False,
                                        policies__end_date__isnull=True).order_by("pk").first())
        services.client_discharge(actor=account.owner, account=account, client=client,
                                  discharge_date=date.today(), expected_version=client.version)
    return f"/a/{account.slug}/clients/{client.number}/"


def _copy_codes(page, findings: Findings, account_names: list[str]) -> None:
    """A real preview with differences and the result page after Copy Now (the walk sends empty forms)."""
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Account Access").click()
    page.get_by_role("link", name="Copy Codes to Another Account").click()
    page.get_by_label("Copy From").select_option(label=account_names[0])
    page.get_by_role("group", name="Copy To").get_by_label(account_names[2]).check()
    for label in ("Diagnosis codes", "Billing codes", "Insurance payers"):
        page.get_by_label(label).check()
    with page.expect_response(lambda r: r.request.resource_type == "document") as info:
        page.get_by_role("button", name="Continue").click()
    findings.check(page, info.value, f"master {page.url} (copy preview)")
    with page.expect_response(lambda r: "/copy/done/" in r.url) as info:
        page.get_by_role("button", name="Copy Now").click()
    expect(page.get_by_role("heading", name=account_names[2])).to_be_visible()
    findings.check(page, info.value, f"master {page.url} (copy result)")


def test_every_page_passes_axe_the_nu_checker_and_fits_every_width(browser_page, tmp_path, capsys):
    started = time.monotonic()
    build_demo()
    batch_of(Account.objects.get(slug=demo.DEMO_ACCOUNTS[0][0]))  # a claim batch page to walk (batches feature)
    # The batch took every ready claim of the account: one more, still editable, for the claim pages.
    ready_claims(Account.objects.get(slug=demo.DEMO_ACCOUNTS[0][0]), 1)
    names = [name for _, name, *_ in demo.DEMO_ACCOUNTS]
    sunrise = Account.objects.get(slug=demo.DEMO_ACCOUNTS[0][0])
    levels = {key: int(Level.VIEW) for key in SECTION_KEYS} | {CLOSED_TO_VIEW_ONLY: int(Level.NONE)}
    Membership.objects.create(user=make_user(VIEW_ONLY[0], VIEW_ONLY[1]), account=sunrise, levels=levels)
    findings = Findings(html_dir=tmp_path)
    page = browser_page

    starts, expected = _starts(None, None)
    walk(page, findings, "visitor", starts + ["/no-such-page/"], expected={"/no-such-page/": (404,)})

    for role, (username, password) in {"owner": OWNER, "master": MASTER, "view-only": VIEW_ONLY}.items():
        log_in(page, username, password)
        slug = page.url.split("/a/")[1].split("/")[0]
        membership = Membership.objects.get(user__username=username, account__slug=slug)
        starts, expected = _starts(slug, membership)
        if role == "owner":  # /logout/ opened directly asks first (signed out, it is the visitor's redirect)
            starts = [_discharged_client_with_a_policy(sunrise), *starts, "/logout/"]
        missing = "/a/no-such-account/"
        walk(page, findings, role, starts + [missing], expected=expected | {missing: (404,)})
        if role == "master":
            page.goto(f"/a/{slug}/")
            _copy_codes(page, findings, names)
        page.goto(f"/a/{slug}/")
        log_out(page)
    walked = time.monotonic() - started
    html_errors = nu_checker_errors(findings)

    unreached = sorted(set(get_routes()) - findings.routes - set(NOT_WALKED))
    with capsys.disabled():
        print(f"\n{len(findings.pages)} pages walked in {walked:.0f} s "
              f"(Nu HTML checker {time.monotonic() - started - walked:.0f} s); "
              f"{findings.error_forms} forms sent empty showed their errors")
        for line in findings.axe_minor:
            print("axe (minor, not failing):", line)
    problems = (findings.statuses + findings.axe_serious + findings.wide + html_errors
                + [f"no page of the route {r} was walked: link it, or list it in NOT_WALKED" for r in unreached])
    assert findings.error_forms > 0 and any("403" in p for p in findings.pages)
    report = "\n".join(problems)
    (tmp_path / "problems.txt").write_text(report)
    assert not problems, f"{len(problems)} problems:\n{report}"


def test_the_checkers_catch_a_bad_page(browser_page, tmp_path):
    """The three checkers are live: a page with known faults fails each of them."""
    bad = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head><body>'
           '<main><button aria-label="Close"><span>Open</span></button><p><div>stray</div></p>'
           '<table><tr><td>' + "x" * 200 + '</td></tr></table><pre>' + "y" * 200 + '</pre></main></body></html>')
    findings = Findings(html_dir=tmp_path)
    browser_page.set_content(bad)
    findings.check(browser_page, None, "bad page", expected=(0,))
    findings.save_html(bad.encode(), "bad page")
    assert any("label-content-name-mismatch" in line for line in findings.axe_serious), findings.axe_serious
    assert findings.wide and findings.statuses == []
    assert any("No “p” element in scope" in line for line in nu_checker_errors(findings))
