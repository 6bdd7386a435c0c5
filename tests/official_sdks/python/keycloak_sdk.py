"""python-keycloak (`KeycloakAdmin`) against the Keycloak simulator, as its
README shows: a confidential client of the realm with the client
credentials grant (`client_id` + `client_secret_key`), `get_user_id(username)`,
`update_user(id, {"enabled": True})` for a disabled user,
`clear_bruteforce_attempts_for_user(id)` for a locked-out one, `get_user`,
`users_count`. Errors are `KeycloakGetError`/`KeycloakPutError` with
`response_code`. It sends Python's spelling of booleans in queries
(`exact=True`, `userProfileMetadata=False`), which Keycloak (JAX-RS
`Boolean.valueOf`) reads case-insensitively. Its `max_retries` (1) retries a failed connection (a reset),
not an HTTP status: a 503 comes back as the SDK's error.

Users (seeded by the test): kc-disabled-1 (disabled, username
alice.disabled), kc-locked-1 (locked-out), kc-active-1 (active).
"""

from urllib.parse import urlsplit

from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakGetError

from common import Steps, announcement, assert_requests, clear_requests, expect, expect_raises, queue_failure

SIM = announcement()
REALM = SIM["organization"]
steps = Steps("python-keycloak")
origin = "{0.scheme}://{0.netloc}".format(urlsplit(SIM["token_url"]))

steps.run("clear-record", lambda: clear_requests(SIM))

kc = KeycloakAdmin(
    server_url=origin,
    realm_name=REALM,
    client_id=SIM["client_id"],
    client_secret_key=SIM["client_secret"],
    timeout=30,
)


def reactivate():
    uid = kc.get_user_id("alice.disabled")
    expect(uid == "kc-disabled-1", f"get_user_id: {uid}")
    kc.update_user(uid, {"enabled": True})
    kc.clear_bruteforce_attempts_for_user("kc-locked-1")
    return "update_user(enabled=True), clear_bruteforce_attempts_for_user"


steps.run("reactivate", reactivate)


def read_back():
    user = kc.get_user("kc-disabled-1")
    expect(user["enabled"] is True, f"enabled {user['enabled']}")
    status = kc.get_bruteforce_detection_status("kc-locked-1")
    expect(status.get("disabled") is False, f"brute-force status {status}")
    return {"kc-disabled-1": user["enabled"], "kc-locked-1": status}


steps.run("read-back", read_back)


def count():
    n = kc.users_count()
    expect(n == 3, f"users_count {n}")
    return n


steps.run("users-count", count)


def check_404(e):
    expect(e.response_code == 404, f"response_code {e.response_code}")


steps.run("unknown-user", lambda: expect_raises(lambda: kc.get_user("kc-unknown-0"), KeycloakGetError, check_404))


def already_active():
    # Keycloak answers an update of an enabled user with 204, as any update.
    kc.update_user("kc-active-1", {"enabled": True})
    return kc.get_user("kc-active-1")["enabled"]


steps.run("already-active", already_active)


def retry_reset():
    queue_failure(SIM, "reset", user="kc-active-1")
    return kc.get_user("kc-active-1")["enabled"]


steps.run("retry-reset", retry_reset)


def no_retry_503():
    queue_failure(SIM, "unavailable", user="kc-active-1")

    def check(e):
        expect(e.response_code == 503, f"response_code {e.response_code}")

    detail = expect_raises(lambda: kc.get_user("kc-active-1"), KeycloakGetError, check)
    expect(kc.get_user("kc-active-1")["enabled"] is True, "the call after the 503")
    return detail


steps.run("503-surfaces", no_retry_503)

U = f"/admin/realms/{REALM}/users"
steps.run(
    "requests",
    lambda: assert_requests(
        SIM,
        [
            ("POST", f"/realms/{REALM}/protocol/openid-connect/token", ""),
            ("GET", U, "username=alice.disabled&max=1&exact=True"),
            ("PUT", f"{U}/kc-disabled-1", ""),
            ("DELETE", f"/admin/realms/{REALM}/attack-detection/brute-force/users/kc-locked-1", ""),
            ("GET", f"{U}/kc-disabled-1", "userProfileMetadata=False"),
            ("GET", f"/admin/realms/{REALM}/attack-detection/brute-force/users/kc-locked-1", ""),
            ("GET", f"{U}/count", ""),
            ("GET", f"{U}/kc-unknown-0", "userProfileMetadata=False"),
            ("PUT", f"{U}/kc-active-1", ""),
            ("GET", f"{U}/kc-active-1", "userProfileMetadata=False"),
            ("GET", f"{U}/kc-active-1", "userProfileMetadata=False"),
            ("GET", f"{U}/kc-active-1", "userProfileMetadata=False"),
            ("GET", f"{U}/kc-active-1", "userProfileMetadata=False"),
            ("GET", f"{U}/kc-active-1", "userProfileMetadata=False"),
        ],
    ),
)

steps.done()
