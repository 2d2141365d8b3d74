"""HTTP to a forge's REST API: conditional requests, pagination and the forge's limits.

One `ForgeHTTP` serves one sync of one repository. It never sleeps: when the forge says "not now"
it raises `RateLimited` with the time to come back, and the task reschedules itself.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
from django.conf import settings
from django.utils import timezone

LINK_NEXT_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class ForgeError(Exception):
    """The forge refused or sent something unusable; retrying now will not help."""


class TransientForgeError(ForgeError):
    """A 5xx, a timeout or a dropped connection: worth retrying with back-off."""


class RateLimited(ForgeError):
    """The forge asks us to wait until `retry_at`."""

    def __init__(self, message: str, *, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    data: Any = None
    not_modified: bool = False
    next_url: str | None = None


@dataclass
class ForgeHTTP:
    """A small client for one forge. `etags` is the repository's stored {url: etag} and is updated in place."""

    base_url: str
    headers: dict[str, str]
    etags: dict[str, str] = field(default_factory=dict)
    forge_name: str = "The forge"
    timeout: float | None = None
    request_count: int = 0
    session: requests.Session = field(default_factory=requests.Session)
    _blocked_until: datetime | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.timeout = self.timeout or settings.FORGE_TIMEOUT_SECONDS
        self._host = urlsplit(self.base_url).netloc

    def url_for(self, path: str, params: dict[str, Any] | None = None) -> str:
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params, doseq=True)}"
        return url

    def get(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        conditional: bool = True,
        raw_limit: int | None = None,
    ) -> Page:
        """GET one URL of this forge; 304 answers come back as `not_modified` pages. With `raw_limit`
        the answer is a file's bytes, not JSON: `data` holds at most raw_limit + 1 of them (more than
        raw_limit: the file is larger), so that a huge file is never read whole."""
        url = self.url_for(path, params)
        headers = dict(self.headers)
        if conditional and url in self.etags:
            headers["If-None-Match"] = self.etags[url]
        response = self._send("GET", url, headers=headers, stream=raw_limit is not None)
        if response.status_code == 304:
            return Page(url=url, status=304, headers=dict(response.headers), not_modified=True)
        self._refuse_errors(response, url)
        if raw_limit is not None:
            return Page(
                url=url,
                status=response.status_code,
                headers=dict(response.headers),
                data=self._bounded_content(response, raw_limit),
            )
        data = self._json(response, url)
        if response.headers.get("ETag") and conditional:
            self.etags[url] = response.headers["ETag"]
        match = LINK_NEXT_RE.search(response.headers.get("Link", ""))
        next_url = urljoin(url, match.group(1)) if match else None
        return Page(
            url=url, status=response.status_code, headers=dict(response.headers), data=data, next_url=next_url
        )

    def post(self, path: str, *, body: Any, headers: dict[str, str] | None = None) -> Page:
        """POST a JSON body to one URL of this forge (a GraphQL query) and read its JSON answer, with the
        same limits and errors as `get`; `headers` are added to the client's own."""
        url = self.url_for(path)
        response = self._send("POST", url, headers={**self.headers, **(headers or {})}, json=body)
        self._refuse_errors(response, url)
        return Page(
            url=url,
            status=response.status_code,
            headers=dict(response.headers),
            data=self._json(response, url),
        )

    def _send(self, method: str, url: str, *, headers: dict[str, str], **options: Any) -> requests.Response:
        """One request to this forge, counted, unless it is another host or the rate limit is exhausted."""
        if urlsplit(url).netloc != self._host:
            # Only the configured forge is ever contacted, whatever a payload or a Link header says.
            raise ForgeError(f"refusing to follow a link to another host: {urlsplit(url).netloc}")
        if self._blocked_until and timezone.now() < self._blocked_until:
            raise RateLimited(f"{self.forge_name} rate limit exhausted", retry_at=self._blocked_until)
        self.request_count += 1
        try:
            response = self.session.request(method, url, headers=headers, timeout=self.timeout, **options)
        except (
            requests.Timeout,
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
        ) as error:
            # ChunkedEncodingError: the connection broke in the middle of the body (a truncated answer).
            raise TransientForgeError(
                f"{self.forge_name} did not answer: {error.__class__.__name__}"
            ) from error
        self._note_limits(response)
        return response

    def _refuse_errors(self, response: requests.Response, url: str) -> None:
        """A rate limit, a 5xx (transient) or another 4xx as the matching ForgeError."""
        path_only = urlsplit(url).path
        if response.status_code in (403, 429):
            retry_at = self._retry_at(response)
            if retry_at:
                raise RateLimited(
                    f"{self.forge_name} rate limit ({response.status_code}) on {path_only}", retry_at=retry_at
                )
        if response.status_code >= 500:
            raise TransientForgeError(
                f"{self.forge_name} answered {response.status_code} {response.reason} for {path_only}"
            )
        if response.status_code >= 400:
            raise ForgeError(
                f"{self.forge_name} answered {response.status_code} {response.reason} for {path_only}"
            )

    def _json(self, response: requests.Response, url: str) -> Any:
        try:
            return response.json() if response.content else None
        except (json.JSONDecodeError, ValueError) as error:
            raise ForgeError(f"{self.forge_name} sent a malformed answer for {urlsplit(url).path}") from error

    def pages(
        self, path: str, *, params: dict[str, Any] | None = None, conditional: bool = True
    ) -> Iterator[Page]:
        """Every page of a list, following `Link: rel="next"` (bounded by FORGE_MAX_PAGES)."""
        page = self.get(path, params=params, conditional=conditional)
        count = 1
        while True:
            if not page.not_modified and not isinstance(page.data, list):
                raise ForgeError(f"{self.forge_name} sent a malformed page for {urlsplit(page.url).path}")
            yield page
            if not page.next_url or count >= settings.FORGE_MAX_PAGES:
                return
            page = self.get(page.next_url, conditional=conditional)
            count += 1

    def _bounded_content(self, response: requests.Response, limit: int) -> bytes:
        """The first limit + 1 bytes of a streamed answer at most; the rest is never downloaded."""
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    break
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
            raise TransientForgeError(
                f"{self.forge_name} did not answer: {error.__class__.__name__}"
            ) from error
        finally:
            response.close()
        return b"".join(chunks)[: limit + 1]

    def _note_limits(self, response: requests.Response) -> None:
        remaining = response.headers.get("X-RateLimit-Remaining") or response.headers.get(
            "RateLimit-Remaining"
        )
        reset = response.headers.get("X-RateLimit-Reset") or response.headers.get("RateLimit-Reset")
        if remaining == "0" and reset and reset.isdigit() and response.status_code < 400:
            self._blocked_until = datetime.fromtimestamp(int(reset), tz=UTC)

    def _retry_at(self, response: requests.Response) -> datetime | None:
        now = timezone.now()
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.isdigit():
            return now + timedelta(seconds=int(retry_after))
        remaining = response.headers.get("X-RateLimit-Remaining") or response.headers.get(
            "RateLimit-Remaining"
        )
        reset = response.headers.get("X-RateLimit-Reset") or response.headers.get("RateLimit-Reset")
        if remaining == "0" and reset and reset.isdigit():
            return max(now + timedelta(seconds=1), datetime.fromtimestamp(int(reset), tz=UTC))
        text = response.text[:2000].lower()
        if response.status_code == 429 or "secondary rate limit" in text or "abuse" in text:
            # A secondary limit without Retry-After: GitHub advises waiting at least a minute.
            return now + timedelta(seconds=60)
        return None
