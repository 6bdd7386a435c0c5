"""msgraph-sdk (Python, Kiota) against the Entra ID simulator, as its README
shows: a `GraphServiceClient` on a `GraphRequestAdapter` whose
authentication provider takes an azure-core token credential (here a static
one holding the simulator's token; the provider is told the simulator's host
is allowed, as for any non-Microsoft host), the base URL set to the
simulator's. `users.by_user_id(id).patch(User(account_enabled=True))`, a
`get` with `$select` (Graph leaves accountEnabled out of its default
properties), a `$filter` search. Errors raise `ODataError`; Kiota's retry
handler retries 429, 503 and 504 (Retry-After, else 3 s), up to 3 times.

Users (seeded by the test): the two disabled ids below (the second with
userPrincipalName adele@contoso.onmicrosoft.com) and an enabled one.
"""

import asyncio
import time
from urllib.parse import urlsplit

from azure.core.credentials import AccessToken
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.user import User
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from kiota_abstractions.base_request_configuration import RequestConfiguration

from common import Steps, announcement, assert_requests, clear_requests, expect, queue_failure

SIM = announcement()
steps = Steps("msgraph-sdk-python")
DISABLED = "6e7b768e-07e2-4810-8459-485f84f8f204"
DISABLED_2 = "87d349ed-44d7-43e1-9a83-5f2406dee5bd"
ACTIVE = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"


class StaticToken:
    """An azure-core TokenCredential handing out the simulator's token."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken(SIM["token"], int(time.time()) + 3600)

    def close(self):
        pass


auth = AzureIdentityAuthenticationProvider(
    StaticToken(),
    scopes=["https://graph.microsoft.com/.default"],
    allowed_hosts=[urlsplit(SIM["base_url"]).hostname],
)
adapter = GraphRequestAdapter(auth)
adapter.base_url = SIM["base_url"]
graph = GraphServiceClient(request_adapter=adapter)

SELECT = RequestConfiguration(
    query_parameters=UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=["id", "accountEnabled"])
)


async def enabled(uid):
    user = await graph.users.by_user_id(uid).get(request_configuration=SELECT)
    return user.account_enabled


async def main():
    await steps.arun("clear-record", lambda: asyncio.to_thread(clear_requests, SIM))

    async def reactivate():
        await graph.users.by_user_id(DISABLED).patch(User(account_enabled=True))
        return "users.by_user_id().patch(User(account_enabled=True))"

    async def read_back():
        value = await enabled(DISABLED)
        expect(value is True, f"accountEnabled {value}")
        return value

    async def find():
        config = RequestConfiguration(
            query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
                filter="userPrincipalName eq 'adele@contoso.onmicrosoft.com'",
                select=["id", "accountEnabled"],
            )
        )
        found = await graph.users.get(request_configuration=config)
        ids = [u.id for u in found.value or []]
        expect(ids == [DISABLED_2], f"$filter: {ids}")
        return ids

    async def unknown():
        try:
            user = await graph.users.by_user_id(UNKNOWN).get()
        except ODataError as e:
            code = e.error.code if e.error else None
            expect(e.response_status_code == 404, f"status {e.response_status_code}")
            expect(code == "Request_ResourceNotFound", f"code {code}")
            return f"ODataError {e.response_status_code} {code}: {e.error.message if e.error else ''}"
        raise AssertionError(f"no error: {user!r}")

    async def already_active():
        # Graph answers a PATCH that changes nothing with 204, as any PATCH.
        await graph.users.by_user_id(ACTIVE).patch(User(account_enabled=True))
        value = await enabled(ACTIVE)
        expect(value is True, f"accountEnabled {value}")
        return value

    def retry(failure):
        async def go():
            await asyncio.to_thread(queue_failure, SIM, failure, user=ACTIVE, retry_after_secs=1)
            value = await enabled(ACTIVE)
            expect(value is True, f"accountEnabled {value}")
            return f"enabled after a {failure}"

        return go

    sel = "$select=id,accountEnabled"
    for name, fn in [
        ("reactivate", reactivate),
        ("read-back", read_back),
        ("find-by-filter", find),
        ("unknown-user", unknown),
        ("already-active", already_active),
        ("retry-429", retry("rate-limit")),
        ("retry-503", retry("unavailable")),
        (
            "requests",
            lambda: asyncio.to_thread(
                assert_requests,
                SIM,
                [
                    ("PATCH", f"/v1.0/users/{DISABLED}", ""),
                    ("GET", f"/v1.0/users/{DISABLED}", sel),
                    (
                        "GET",
                        "/v1.0/users",
                        "$filter=userPrincipalName%20eq%20%27adele%40contoso.onmicrosoft.com%27&" + sel,
                    ),
                    ("GET", f"/v1.0/users/{UNKNOWN}", ""),
                    ("PATCH", f"/v1.0/users/{ACTIVE}", ""),
                    ("GET", f"/v1.0/users/{ACTIVE}", sel),
                    ("GET", f"/v1.0/users/{ACTIVE}", sel),
                    ("GET", f"/v1.0/users/{ACTIVE}", sel),
                    ("GET", f"/v1.0/users/{ACTIVE}", sel),
                    ("GET", f"/v1.0/users/{ACTIVE}", sel),
                ],
            ),
        ),
    ]:
        await steps.arun(name, fn)


asyncio.run(main())
steps.done()
