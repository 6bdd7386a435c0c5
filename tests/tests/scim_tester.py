"""Runs scim2-tester 0.5.x (a SCIM server conformance checker, PyPI) against a SCIM root.

Used by tests/tests/scim.rs against userbridge's SCIM simulator:

    VENV/bin/python scim_tester.py BASE_URL TOKEN OUT.json

scim2-tester has no command of its own; its entry point is
scim2_tester.check_server(client) with a scim2-client SyncSCIMClient over httpx2.
The User resource (core schema, no extension) is described on the client side, as
scim2-tester allows, because the simulator serves /ServiceProviderConfig but not
/ResourceTypes or /Schemas. Every check result is written to OUT.json as
{"status", "title", "resource_type", "tags", "reason"}; the exit status is 0 when
the checks ran (whatever they found), 2 when they could not run.
"""

import json
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import ScimProvider, User
from scim2_tester import check_server


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    base_url, token, out = sys.argv[1:]
    http = Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    client = SyncSCIMClient(http, provider=ScimProvider(models=[User]))
    results = check_server(client)
    rows = [
        {
            "status": r.status.name,
            "title": r.title,
            "resource_type": r.resource_type,
            "tags": sorted(r.tags),
            "reason": r.reason,
        }
        for r in results
    ]
    with open(out, "w") as f:
        json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
