"""zitadel-client (the Zitadel v2 SDK) against the Zitadel v2 simulator, as
its README shows: `Zitadel.with_access_token(host, token)` (a personal access
token), `users.reactivate_user(UserServiceReactivateUserRequest(user_id))`,
`users.get_user_by_id(...)`. It speaks the Connect protocol: every call is
`POST /zitadel.user.v2.UserService/<Method>` with the request as JSON; errors
raise `ApiError` (`code` the HTTP status, `response_body` Connect's
`{"code", "message"}`). It does not retry an HTTP status.

Users (seeded by the test): 300000000000000001 (inactive) and
300000000000000003 (active).
"""

import json

from zitadel_client import Zitadel
from zitadel_client.exceptions import ApiError
from zitadel_client.models.user_service_get_user_by_id_request import UserServiceGetUserByIDRequest
from zitadel_client.models.user_service_reactivate_user_request import UserServiceReactivateUserRequest

from common import Steps, announcement, assert_requests, clear_requests, expect, expect_raises, queue_failure

SIM = announcement()
steps = Steps("zitadel-client")
INACTIVE = "300000000000000001"
ACTIVE = "300000000000000003"
UNKNOWN = "399999999999999999"
zitadel = Zitadel.with_access_token(SIM["base_url"], SIM["token"])

steps.run("clear-record", lambda: clear_requests(SIM))


def state_of(uid):
    user = zitadel.users.get_user_by_id(UserServiceGetUserByIDRequest(user_id=uid)).user
    state = user.state
    return getattr(state, "value", state)


def reactivate():
    answer = zitadel.users.reactivate_user(UserServiceReactivateUserRequest(user_id=INACTIVE))
    return answer.to_dict()


steps.run("reactivate", reactivate)


def read_back():
    state = state_of(INACTIVE)
    expect(state == "USER_STATE_ACTIVE", f"state {state}")
    return state


steps.run("read-back", read_back)


def body_of(e):
    body = e.response_body
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return {"text": body}
    return body if isinstance(body, dict) else {"body": body}


def unknown():
    def check(e):
        body = body_of(e)
        expect(e.code == 404 and body.get("code") == "not_found", f"{e.code} {body}")

    return expect_raises(
        lambda: zitadel.users.reactivate_user(UserServiceReactivateUserRequest(user_id=UNKNOWN)), ApiError, check
    )


steps.run("unknown-user", unknown)


def already_active():
    # Zitadel refuses to reactivate a user that is not inactive
    # (Errors.User.NotInactive, gRPC FailedPrecondition: Connect 400 failed_precondition).
    def check(e):
        body = body_of(e)
        expect(e.code == 400 and body.get("code") == "failed_precondition", f"{e.code} {body}")

    return expect_raises(
        lambda: zitadel.users.reactivate_user(UserServiceReactivateUserRequest(user_id=ACTIVE)), ApiError, check
    )


steps.run("already-active", already_active)


def no_retry_503():
    queue_failure(SIM, "unavailable", user=ACTIVE)

    def check(e):
        body = body_of(e)
        expect(e.code == 503 and body.get("code") == "unavailable", f"{e.code} {body}")

    detail = expect_raises(lambda: state_of(ACTIVE), ApiError, check)
    expect(state_of(ACTIVE) == "USER_STATE_ACTIVE", "the call after the 503")
    return detail


steps.run("503-surfaces", no_retry_503)

S = "/zitadel.user.v2.UserService"
steps.run(
    "requests",
    lambda: assert_requests(
        SIM,
        [
            ("POST", f"{S}/ReactivateUser", ""),
            ("POST", f"{S}/GetUserByID", ""),
            ("POST", f"{S}/ReactivateUser", ""),
            ("POST", f"{S}/ReactivateUser", ""),
            ("POST", f"{S}/GetUserByID", ""),
            ("POST", f"{S}/GetUserByID", ""),
        ],
    ),
)

steps.done()
