"""scim2-client (its httpx2 engine, `SyncSCIMClient`) against the SCIM
simulator, as its documentation shows: `discover()` first (ResourceTypes,
Schemas, ServiceProviderConfig), `query(User, id)`, `modify(user,
PatchOp[User])` replacing `active` with true, `replace(user)` (PUT), a search
by `filter`. With `etag.supported` it sends the version it read as
`If-Match`: a stale one must be refused (RFC 7644 3.14: 412). Error answers
raise scim2-models' exceptions (`NotFoundException`, ...). It does not retry.

Users (seeded by the test): scim-inactive-1 and scim-inactive-2 (inactive,
userName bjensen for the second), scim-active-1 (active).
"""

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_client.errors import SCIMClientException
from scim2_models import PatchOp, SearchRequest, User
from scim2_models.exceptions import NotFoundException, PreconditionFailedException, SCIMException

from common import Steps, announcement, assert_requests, clear_requests, expect, expect_raises, queue_failure

SIM = announcement()
steps = Steps("scim2-client")
http = httpx2.Client(base_url=SIM["base_url"], headers={"Authorization": f"Bearer {SIM['token']}"}, timeout=30)
scim = SyncSCIMClient(http)

steps.run("clear-record", lambda: clear_requests(SIM))


def discover():
    global User
    scim.discover()
    provider = scim.provider
    spc = provider.config
    expect(spc is not None and spc.patch.supported, f"ServiceProviderConfig {spc}")
    names = [rt.name for rt in provider.resource_types or []]
    expect("User" in names, f"resource types {names}")
    # The User model as the server's schema describes it.
    User = scim.get_resource_model("User") or User
    return {"resource_types": names, "etag": bool(spc.etag and spc.etag.supported)}


steps.run("discover", discover)

def activate():
    return PatchOp[User](operations=[{"op": "replace", "path": "active", "value": True}])


def reactivate():
    user = scim.query(User, "scim-inactive-1")
    expect(user.active is False, f"active before {user.active}")
    scim.modify(user, activate())
    return "modify(PatchOp replace active true)"


steps.run("reactivate", reactivate)


def read_back():
    user = scim.query(User, "scim-inactive-1")
    expect(user.active is True, f"active {user.active}")
    return user.active


steps.run("read-back", read_back)


def find():
    found = scim.query(User, query_parameters=SearchRequest(filter='userName eq "bjensen"'))
    ids = [u.id for u in found.resources or []]
    expect(ids == ["scim-inactive-2"], f"filter userName eq bjensen: {ids}")
    return ids


steps.run("find-by-filter", find)

STALE = {}


def put():
    user = scim.query(User, "scim-inactive-2")
    STALE["user"] = user.model_copy(deep=True)
    user.active = True
    replaced = scim.replace(user)
    expect(replaced.active is True, f"active after PUT {replaced.active}")
    return f"PUT, version {user.meta.version if user.meta else None} -> {replaced.meta.version if replaced.meta else None}"


steps.run("replace-put", put)


def stale_if_match():
    stale = STALE["user"]
    stale.active = False
    expect(stale.meta is not None and stale.meta.version, "the read carried no version (ETag)")
    return expect_raises(lambda: scim.replace(stale), PreconditionFailedException)


steps.run("stale-if-match", stale_if_match)

steps.run(
    "unknown-user",
    lambda: expect_raises(lambda: scim.query(User, "scim-unknown-0"), NotFoundException),
)


def already_active():
    # A PATCH to a value the user already has succeeds (RFC 7644 3.5.2).
    user = scim.query(User, "scim-active-1")
    result = scim.modify(user, activate())
    again = scim.query(User, "scim-active-1")
    expect(again.active is True, f"active {again.active}")
    return f"modify answered {type(result).__name__}"


steps.run("already-active", already_active)


def no_retry_503():
    queue_failure(SIM, "unavailable", user="scim-active-1")

    def check(e):
        status = getattr(e, "status", None) or getattr(getattr(e, "response", None), "status_code", None)
        expect(status == 503, f"status {status}: {e!r}")

    detail = expect_raises(lambda: scim.query(User, "scim-active-1"), (SCIMException, SCIMClientException), check)
    expect(scim.query(User, "scim-active-1").active is True, "the call after the 503")
    return detail


steps.run("503-surfaces", no_retry_503)

P = "/scim/v2"
steps.run(
    "requests",
    lambda: assert_requests(
        SIM,
        [
            ("GET", f"{P}/ResourceTypes", ""),
            ("GET", f"{P}/Schemas", ""),
            ("GET", f"{P}/ServiceProviderConfig", ""),
            ("GET", f"{P}/Users/scim-inactive-1", ""),
            ("PATCH", f"{P}/Users/scim-inactive-1", ""),
            ("GET", f"{P}/Users/scim-inactive-1", ""),
            ("GET", f"{P}/Users", "filter=userName+eq+%22bjensen%22"),
            ("GET", f"{P}/Users/scim-inactive-2", ""),
            ("PUT", f"{P}/Users/scim-inactive-2", ""),
            ("PUT", f"{P}/Users/scim-inactive-2", ""),
            ("GET", f"{P}/Users/scim-unknown-0", ""),
            ("GET", f"{P}/Users/scim-active-1", ""),
            ("PATCH", f"{P}/Users/scim-active-1", ""),
            ("GET", f"{P}/Users/scim-active-1", ""),
            ("GET", f"{P}/Users/scim-active-1", ""),
            ("GET", f"{P}/Users/scim-active-1", ""),
        ],
    ),
)

steps.done()
