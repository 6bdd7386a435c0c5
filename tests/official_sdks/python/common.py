"""What every official-SDK script shares: the simulator's announcement, its
admin routes (ADMIN-CONTRACT: /_userbridge/users, /failures, /requests) and
the summary, one JSON line per step: {"step", "ok", "detail"}.

The announcement is the JSON line the standalone simulator prints first
(`cargo run -p userbridge --features mock --example simulator -- PROVIDER`),
given as the first argument or in USERBRIDGE_SIMULATOR.
"""

import json
import os
import sys
import traceback
import urllib.parse
import urllib.request


def announcement():
    text = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("USERBRIDGE_SIMULATOR", "")
    if not text:
        sys.exit("give the simulator's announcement (its first line) as argv[1] or USERBRIDGE_SIMULATOR")
    return json.loads(text)


def admin_url(sim):
    """The announced admin_url; before it was announced, where the contract puts it."""
    if "admin_url" in sim:
        return sim["admin_url"]
    parts = urllib.parse.urlsplit(sim["base_url"])
    return f"{parts.scheme}://{parts.netloc}/_userbridge"


def admin(sim, method, route, body=None):
    """An admin request: its status and decoded JSON answer (None when empty)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        admin_url(sim) + route,
        data=data,
        method=method,
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


def queue_failure(sim, failure, user=None, times=1, **extra):
    body = {"failure": failure, "times": times, **extra}
    if user is not None:
        body["user"] = user
    status, answer = admin(sim, "POST", "/failures", body)
    if status != 201:
        raise AssertionError(f"POST /_userbridge/failures {body} answered {status} {answer}")


def clear_requests(sim):
    status, answer = admin(sim, "DELETE", "/requests")
    if status != 204:
        raise AssertionError(f"DELETE /_userbridge/requests answered {status} {answer}")


def requests_seen(sim):
    status, answer = admin(sim, "GET", "/requests")
    if status != 200 or not isinstance(answer, list):
        raise AssertionError(f"GET /_userbridge/requests answered {status} {answer}")
    return answer


class Steps:
    """Runs named steps; each prints one JSON line. A step passes when its
    function returns (its value is the detail) and fails when it raises."""

    def __init__(self, sdk):
        self.sdk = sdk
        self.failed = 0

    def run(self, name, fn):
        try:
            return self._report(name, True, fn())
        except Exception as e:  # noqa: BLE001 - every failure is reported, whatever it is
            return self._report(name, False, _failure(e))

    async def arun(self, name, fn):
        """`run` for a coroutine function."""
        try:
            return self._report(name, True, await fn())
        except Exception as e:  # noqa: BLE001 - every failure is reported, whatever it is
            return self._report(name, False, _failure(e))

    def _report(self, name, ok, detail):
        if not ok:
            self.failed += 1
        print(json.dumps({"sdk": self.sdk, "step": name, "ok": ok, "detail": _plain(detail)}), flush=True)
        return ok

    def done(self):
        sys.exit(1 if self.failed else 0)


def _failure(e):
    detail = f"{type(e).__module__}.{type(e).__name__}: {e}"
    return detail + "\n" + traceback.format_exc(limit=8)[-2500:]


def _plain(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def assert_requests(sim, want):
    """The request record, since the last clear, is exactly `want`: a list of
    (method, path, query) triples; returns what was seen."""
    seen = requests_seen(sim)
    got = [(r["method"], r["path"], r["query"]) for r in seen]
    want = [tuple(w) for w in want]
    if got != want:
        raise AssertionError(f"requests seen {got}, expected {want}")
    return [f"{m} {p}{'?' + q if q else ''} -> {r.get('status')}" for (m, p, q), r in zip(got, seen)]


def expect_raises(fn, kinds, check=None):
    """`fn()` raises one of `kinds`; `check(e)` (if given) holds. Returns a description."""
    try:
        value = fn()
    except kinds as e:
        if check is not None:
            check(e)
        return f"{type(e).__name__}: {str(e)[:300]}"
    raise AssertionError(f"expected {kinds}, got a return: {value!r}"[:500])
