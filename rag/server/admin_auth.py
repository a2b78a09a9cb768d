"""The admin token check shared by /admin/* and /admin/reload, with a throttle visitors cannot trigger.

The throttle used to count every request without the right token, keyed by the peer address: five anonymous
GETs of /admin locked the operator out from that address, and behind the trusted proxy (every visitor has the
proxy's address) one visitor locked out every operator (issue 28). Now:

* only attempts that present a credential (a Bearer token, or Basic credentials) are counted — a request with
  none is simply asked for one (401/403) and costs nobody anything;
* the key is the credential's name (the Basic user name; "bearer" for a token) together with the visitor's own
  address (X-Forwarded-For believed from trusted proxies only, as for the rate limit): wrong passwords from
  address A never lock out an operator at address B, nor another user name at A;
* a guesser rotating user names at one address still meets a ceiling for that whole address (Limits.
  address_failures, four times a pair's allowance) — a bound on the guessing rate, reached only on purpose;
* while throttled, attempts are refused before the token is compared (so guessing stays slow)."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from ..ops.shared_state import seconds
from .contract import ApiError, log_client_error
from .security import client_ip


def visitor(request: Request) -> str:
    return client_ip(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        request.app.state.config.networks,
    )


def _keys(address: str, user: str) -> tuple[str, str]:
    """(pair key, address key); the user name is hashed so the key is bounded whatever is sent."""
    name = hashlib.sha256(user.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{address}|{name}", f"{address}|*"


def check_token(request: Request, given: str | None, refuse: ApiError, user: str = "bearer") -> None:
    """Returns when `given` is the admin token; raises `refuse` (no credential, or a wrong one) or 429."""
    token = request.app.state.config.admin_token
    if not given:  # nothing presented: not an attempt, not counted
        raise refuse
    address = visitor(request)
    pair, whole = _keys(address, user)
    limits = request.app.state.limits
    throttle = limits.admin_failures
    wait_s = throttle.blocked(pair) or limits.address_failures.blocked(whole)
    if wait_s:
        raise ApiError(429, throttle.message(wait_s), {"Retry-After": str(seconds(wait_s))})
    if not hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8", "replace")):
        throttle.failed(pair)
        limits.address_failures.failed(whole)
        log_client_error("admin-token", "管理令牌错误：来自 %s", address)
        raise refuse
    throttle.succeeded(pair)
