"""auth0-python (the Management API client, `auth0.management.Auth0`) against
the Auth0 simulator, as its README shows: `Auth0(base_url=..., token=...)`
(a Management API token), `users.update(id, blocked=False)` for a blocked
user, `user_blocks.delete(id)` for a brute-force block, `users.get`,
`users.list_users_by_email`, `user_blocks.list_by_identifier`. Errors are the
SDK's `ApiError` subclasses (`NotFoundError`); it retries 429, 408, 409 and
5xx (max_retries 2, Retry-After or X-RateLimit-Reset first).

Users (seeded by the test): auth0|blocked1 (blocked), auth0|bfb1
(brute-force-blocked, email bfb1@example.com), auth0|active1 (active, email
active1@example.com).
"""

from auth0.management import Auth0
from auth0.management.errors import NotFoundError

from common import Steps, announcement, assert_requests, clear_requests, expect, expect_raises, queue_failure

SIM = announcement()
steps = Steps("auth0-python")
auth0 = Auth0(base_url=SIM["base_url"], token=SIM["token"], timeout=30)

steps.run("clear-record", lambda: clear_requests(SIM))


def reactivate():
    updated = auth0.users.update("auth0|blocked1", blocked=False)
    expect(not updated.blocked, f"blocked after the update: {updated.blocked}")
    auth0.user_blocks.delete("auth0|bfb1")
    return "users.update(blocked=False), user_blocks.delete"


steps.run("reactivate", reactivate)


def read_back():
    user = auth0.users.get("auth0|blocked1")
    expect(not user.blocked, f"auth0|blocked1 blocked {user.blocked}")
    blocks = auth0.user_blocks.list("auth0|bfb1")
    expect(not blocks.blocked_for, f"auth0|bfb1 still blocked for {blocks.blocked_for}")
    return {"auth0|blocked1": user.blocked, "auth0|bfb1": blocks.blocked_for}


steps.run("read-back", read_back)


def find_by_email():
    found = auth0.users.list_users_by_email(email="active1@example.com")
    ids = [u.user_id for u in found]
    expect(ids == ["auth0|active1"], f"users-by-email {ids}")
    blocks = auth0.user_blocks.list_by_identifier(identifier="bfb1@example.com")
    expect(not blocks.blocked_for, f"blocks of bfb1@example.com {blocks.blocked_for}")
    return ids


steps.run("find-by-email", find_by_email)


def merge():
    # Unblocking and app_metadata in one PATCH: Auth0 merges them.
    updated = auth0.users.update("auth0|active1", blocked=False, app_metadata={"reactivated_by": "sdk-test"})
    expect(not updated.blocked, f"blocked {updated.blocked}")
    meta = updated.app_metadata or {}
    meta = meta if isinstance(meta, dict) else meta.dict()
    expect(meta.get("reactivated_by") == "sdk-test", f"app_metadata {meta}")
    return meta


steps.run("patch-with-app-metadata", merge)


def check_not_found(e):
    expect(e.status_code == 404, f"status {e.status_code}")
    expect(isinstance(e.body, dict) and e.body.get("errorCode") == "inexistent_user", f"body {e.body}")


steps.run("unknown-user", lambda: expect_raises(lambda: auth0.users.get("auth0|unknown0"), NotFoundError, check_not_found))


def already_active():
    # Auth0 answers an unblock of an unblocked user with the user (200).
    updated = auth0.users.update("auth0|active1", blocked=False)
    expect(not updated.blocked, f"blocked {updated.blocked}")
    return f"{updated.user_id} blocked={updated.blocked}"


steps.run("already-active", already_active)


def retry(failure):
    def go():
        queue_failure(SIM, failure, user="auth0|active1", retry_after_secs=1)
        user = auth0.users.get("auth0|active1")
        return f"{user.user_id} after a {failure}"

    return go


steps.run("retry-429", retry("rate-limit"))
steps.run("retry-503", retry("unavailable"))

steps.run(
    "requests",
    lambda: assert_requests(
        SIM,
        [
            ("PATCH", "/api/v2/users/auth0%7Cblocked1", ""),
            ("DELETE", "/api/v2/user-blocks/auth0%7Cbfb1", ""),
            ("GET", "/api/v2/users/auth0%7Cblocked1", ""),
            ("GET", "/api/v2/user-blocks/auth0%7Cbfb1", ""),
            ("GET", "/api/v2/users-by-email", "email=active1%40example.com"),
            ("GET", "/api/v2/user-blocks", "identifier=bfb1%40example.com"),
            ("PATCH", "/api/v2/users/auth0%7Cactive1", ""),
            ("GET", "/api/v2/users/auth0%7Cunknown0", ""),
            ("PATCH", "/api/v2/users/auth0%7Cactive1", ""),
            ("GET", "/api/v2/users/auth0%7Cactive1", ""),
            ("GET", "/api/v2/users/auth0%7Cactive1", ""),
            ("GET", "/api/v2/users/auth0%7Cactive1", ""),
            ("GET", "/api/v2/users/auth0%7Cactive1", ""),
        ],
    ),
)

steps.done()
