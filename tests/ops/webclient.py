"""A small HTTP client that takes turns between app servers, as a load balancer without
sticky sessions would: every request (redirects too) goes to the next server in the list.

It keeps cookies like a browser and fills forms from the page a server sent, so a form
shown by one server is submitted to another.
"""

from __future__ import annotations

import html
import http.client
import re
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

HOST = "practice.test"  # the public name the reverse proxy serves
CLIENT_IP = "203.0.113.7"  # the visitor, as the proxy reports it


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str
    path: str
    port: int

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class TakeTurns:
    def __init__(self, ports: list[int]):
        self.ports = ports
        self.turn = 0
        self.cookies: dict[str, str] = {}
        self.served: list[tuple[int, str, str, int]] = []  # (port, method, path, status)

    def _next_port(self) -> int:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        return port

    def request(self, method: str, path: str, *, fields=None, files=None, query=None) -> Page:
        port = self._next_port()
        if query:
            path = f"{path}?{urlencode(query, doseq=True)}"
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT_IP,
                   "User-Agent": "two-server-walk"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
            if files:
                body, content_type = _multipart(fields or [], files)
            else:
                body, content_type = urlencode(fields or [], doseq=True).encode(), "application/x-www-form-urlencoded"
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.served.append((port, method, path, response.status))
        return Page(response.status, response.headers, text, path, port)

    def get(self, path: str, **kwargs) -> Page:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, fields=None, **kwargs) -> Page:
        return self.request("POST", path, fields=fields, **kwargs)

    def follow(self, page: Page, limit: int = 5) -> Page:
        """Follow redirects, each hop on the next server."""
        while page.status in (301, 302, 303) and limit:
            location = urlsplit(page.location)
            page = self.get(location.path + (f"?{location.query}" if location.query else ""))
            limit -= 1
        return page

    def submit(self, page: Page, button: str, overrides=None, *, files=None) -> Page:
        """Submit the form holding the button whose words start with `button`, with the fields as
        the page filled them (hidden tokens included) and `overrides` typed in."""
        action, method, fields = form_of(page, button)
        values = dict(overrides or {})
        merged = [(name, value) for name, value in fields if name not in values]
        for name, value in values.items():
            for item in value if isinstance(value, list | tuple) else [value]:
                merged.append((name, item))
        if method == "get":
            return self.get(action, query=merged)
        return self.post(action, merged, files=files)


def form_of(page: Page, button: str) -> tuple[str, str, list[tuple[str, str]]]:
    for form in re.findall(r"<form\b.*?</form>", page.text, flags=re.S):
        if not re.search(r"<button[^>]*>\s*" + re.escape(button), form):
            continue
        tag = form.split(">", 1)[0]
        action = re.search(r'action="([^"]*)"', tag)
        method = re.search(r'method="([^"]*)"', tag)
        fields = []
        for attrs in re.findall(r"<input\b([^>]*)>", form):
            name = re.search(r'name="([^"]*)"', attrs)
            if not name:
                continue
            kind = (re.search(r'type="([^"]*)"', attrs) or [None, "text"])[1]
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                continue
            value = re.search(r'value="([^"]*)"', attrs)
            fields.append((html.unescape(name.group(1)), html.unescape(value.group(1)) if value else ""))
        for name, options in re.findall(r'<select\b[^>]*name="([^"]*)"[^>]*>(.*?)</select>', form, flags=re.S):
            for value in re.findall(r'<option\b[^>]*value="([^"]*)"[^>]*selected', options):
                fields.append((html.unescape(name), html.unescape(value)))
        path = html.unescape(action.group(1)) if action and action.group(1) else page.path.split("?")[0]
        return path, (method.group(1).lower() if method else "get"), fields
    raise AssertionError(f"no {button!r} button on {page.path} (status {page.status}):\n{page.text[:1500]}")


def _multipart(fields, files) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     "Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
