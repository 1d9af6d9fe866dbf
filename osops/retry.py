"""Retries and timeouts of every request osops sends, in one place.

keystoneauth does the retrying (its ``connect_retries``,
``status_code_retries`` and ``retriable_status_codes``, honouring
``Retry-After``); this module only decides, per request, what it may
retry: idempotent requests (GET, HEAD, DELETE, and the token request) on
a connection failure, a timeout, 429, 502, 503 or 504; anything else
(the create call, server actions) never, so that nothing is done twice.
Every request has a connect and read timeout (:attr:`Policy.timeout`,
``--os-api-timeout``).  A body cut short, or a JSON body that does not
parse, counts as a broken connection, so an idempotent request is sent
again and a create is looked up rather than repeated.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from keystoneauth1 import session as ksa_session

IDEMPOTENT = ("GET", "HEAD", "DELETE")
TOKEN_REQUEST = re.compile(r"/auth/tokens/?$")  # a POST that only issues a token: safe to repeat


@dataclass
class Policy:
    """How requests are retried and timed out.

    *delay* None means keystoneauth's exponential backoff (0.5 s, 1 s, 2 s
    ...); a ``Retry-After`` from the service wins, up to *retry_after_cap*
    seconds.  Tests use tiny values.
    """

    timeout: float = 60.0
    connect_retries: int = 3
    status_code_retries: int = 3
    retriable_status_codes: tuple[int, ...] = (429, 502, 503, 504)
    delay: float | None = None
    retry_after_cap: int = 30


POLICY = Policy()


def api_timeout(given: str | float | None = None) -> float:
    """The request timeout in seconds: *given* (``--os-api-timeout``), else
    ``OSOPS_API_TIMEOUT``, else the policy's default."""
    from osops.errors import UsageError

    text = given if given not in (None, "") else os.environ.get("OSOPS_API_TIMEOUT")
    if text in (None, ""):
        return POLICY.timeout
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = 0.0
    if not 0 < value <= 86400:
        where = "--os-api-timeout" if given not in (None, "") else "OSOPS_API_TIMEOUT"
        raise UsageError(f"{where} must be a number of seconds above 0 and at most 86400, not {text!r}")
    return value


def may_repeat(method: str, url: str) -> bool:
    """True when a request with *method* to *url* can be sent again safely."""
    method = str(method).upper()
    return method in IDEMPOTENT or (method == "POST" and bool(TOKEN_REQUEST.search(str(url).split("?")[0])))


class RetryingSession(ksa_session.Session):
    """A keystoneauth session whose requests follow :data:`POLICY`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = POLICY.timeout
        super().__init__(*args, **kwargs)
        if check_body not in self.session.hooks["response"]:
            self.session.hooks["response"].append(check_body)

    # keystoneauth's keywords pass through as they are
    def request(self, url: str, method: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """keystoneauth's request, with :data:`POLICY`'s retries for a request that may be repeated."""
        repeat = may_repeat(method, url)
        kwargs["connect_retries"] = POLICY.connect_retries if repeat else 0
        kwargs["status_code_retries"] = POLICY.status_code_retries if repeat else 0
        kwargs["retriable_status_codes"] = list(POLICY.retriable_status_codes)
        kwargs["connect_retry_delay"] = kwargs["status_code_retry_delay"] = POLICY.delay
        return super().request(url, method, **kwargs)


def session_constructor(requests_session: requests.Session | None = None,
                        discovery_cache: dict[str, Any] | None = None) -> Callable[..., RetryingSession]:
    """What openstacksdk builds its session with: a :class:`RetryingSession`
    on *requests_session* (recording and replay mount theirs; None: a new
    one), sharing *discovery_cache* when given."""
    def make(**kwargs: Any) -> RetryingSession:
        if requests_session is not None:
            kwargs["session"] = requests_session
        if discovery_cache is not None:
            kwargs["discovery_cache"] = discovery_cache
        return RetryingSession(**kwargs)

    return make


class BadBody(requests.exceptions.ConnectionError):
    """An answer whose body was cut short (*body* None) or is JSON that
    does not parse (*body* the text that came)."""

    def __init__(self, message: str, response: requests.Response, body: str | None = None) -> None:
        super().__init__(message, request=response.request)
        self.url = response.url
        self.osops_body = body


def check_body(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
    """requests response hook: cap ``Retry-After``; a body cut short, or
    JSON that does not parse, raises :class:`BadBody`."""
    after = response.headers.get("Retry-After")
    if after and after.strip().isdigit() and int(after) > POLICY.retry_after_cap:
        response.headers["Retry-After"] = str(POLICY.retry_after_cap)
    try:
        content = response.content
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
        raise BadBody(f"the answer was cut short ({exc})", response) from None
    if content and "json" in response.headers.get("Content-Type", ""):
        try:
            json.loads(content)
        except ValueError:
            raise BadBody(f"HTTP {response.status_code} with {len(content)} bytes that are not whole JSON",
                          response, content.decode("utf-8", "replace")) from None
    return response
