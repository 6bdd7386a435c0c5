"""okta-sdk-python (PyPI `okta`) against the Okta simulator, as its README
shows: `okta.client.Client({"orgUrl", "token"})` (an API token: SSWS), the
lifecycle operations of `UserLifecycleApi`, `get_user`. Every call returns a
tuple whose last element is the error (an `OktaAPIError` for Okta's answers).

Users (seeded by the test): 00ususpended1 (suspended), 00ulocked1
(locked-out), 00udeprov1 (deprovisioned), 00uactive1 (active, login
active1@example.com).
"""

import asyncio
import os

from okta.client import Client
from okta.errors.okta_api_error import OktaAPIError

from common import Steps, announcement, assert_requests, clear_requests, expect, queue_failure

SIM = announcement()
steps = Steps("okta-sdk-python")


def client(max_retries=2):
    # The simulator speaks http on 127.0.0.1: the SDK's documented switch for
    # that is an environment variable (its `testing` section is not read from
    # the dict given to Client).
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
    return Client(
        {
            "orgUrl": SIM["base_url"],
            "token": SIM["token"],
            "authorizationMode": "SSWS",
            "rateLimit": {"maxRetries": max_retries},
            "requestTimeout": 30,
        }
    )


def ok(result, what):
    """The data of a call's tuple; raises its error."""
    err = result[-1]
    if err is not None:
        raise AssertionError(f"{what}: {err!r} {getattr(err, 'message', '')}")
    return result[0]


def error_of(result, what):
    err = result[-1]
    expect(err is not None, f"{what}: no error, got {result[0]!r}")
    return err


def status_of(user):
    status = user.status
    return getattr(status, "value", status)


async def main():
    okta = client()
    steps.run("clear-record", lambda: clear_requests(SIM))

    async def reactivate():
        ok(await okta.unsuspend_user("00ususpended1"), "unsuspend 00ususpended1")
        ok(await okta.unlock_user("00ulocked1"), "unlock 00ulocked1")
        ok(await okta.activate_user("00udeprov1", send_email=False), "activate 00udeprov1")
        return "unsuspend, unlock, activate(sendEmail=false)"

    async def read_back():
        states = {}
        for uid in ("00ususpended1", "00ulocked1", "00udeprov1"):
            user = ok(await okta.get_user(uid), f"get_user {uid}")
            states[uid] = status_of(user)
        expect(all(s == "ACTIVE" for s in states.values()), f"statuses {states}")
        return states

    async def by_login():
        # Okta's {id} is an id, a login or a login shortname.
        user = ok(await okta.get_user("active1@example.com"), "get_user by login")
        expect(user.id == "00uactive1", f"id {user.id}")
        return f"{user.id} {status_of(user)}"

    async def unknown():
        err = error_of(await okta.get_user("00unknown0"), "get_user unknown")
        expect(isinstance(err, OktaAPIError), f"{err!r} is not an OktaAPIError")
        expect(err.status == 404 and err.error_code == "E0000007", f"{err.status} {err.error_code}")
        return err.message.strip()

    async def already_active():
        err = error_of(await okta.activate_user("00uactive1", send_email=False), "activate active")
        expect(isinstance(err, OktaAPIError), f"{err!r} is not an OktaAPIError")
        expect(err.status == 403 and err.error_code == "E0000016", f"{err.status} {err.error_code}")
        return err.message.strip()

    async def retry_429():
        queue_failure(SIM, "rate-limit", user="00uactive1", retry_after_secs=1)
        user = ok(await okta.get_user("00uactive1"), "get_user after a 429")
        return status_of(user)

    async def retry_503():
        queue_failure(SIM, "unavailable", user="00uactive1")
        user = ok(await okta.get_user("00uactive1"), "get_user after a 503")
        return status_of(user)

    async def requests():
        return assert_requests(
            SIM,
            [
                ("POST", "/api/v1/users/00ususpended1/lifecycle/unsuspend", ""),
                ("POST", "/api/v1/users/00ulocked1/lifecycle/unlock", ""),
                ("POST", "/api/v1/users/00udeprov1/lifecycle/activate", "sendEmail=false"),
                ("GET", "/api/v1/users/00ususpended1", ""),
                ("GET", "/api/v1/users/00ulocked1", ""),
                ("GET", "/api/v1/users/00udeprov1", ""),
                ("GET", "/api/v1/users/active1@example.com", ""),
                ("GET", "/api/v1/users/00unknown0", ""),
                ("POST", "/api/v1/users/00uactive1/lifecycle/activate", "sendEmail=false"),
                ("GET", "/api/v1/users/00uactive1", ""),
                ("GET", "/api/v1/users/00uactive1", ""),
                ("GET", "/api/v1/users/00uactive1", ""),
                ("GET", "/api/v1/users/00uactive1", ""),
            ],
        )

    for name, fn in [
        ("reactivate", reactivate),
        ("read-back", read_back),
        ("find-by-login", by_login),
        ("unknown-user", unknown),
        ("already-active", already_active),
        ("retry-429", retry_429),
        ("retry-503", retry_503),
        ("requests", requests),
    ]:
        await steps.arun(name, fn)


asyncio.run(main())
steps.done()
