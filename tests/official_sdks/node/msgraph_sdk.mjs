// @microsoft/microsoft-graph-client (the Graph JS client) against the Entra ID
// simulator, as its README shows: `Client.init({authProvider, baseUrl,
// defaultVersion})`, `api('/users/{id}').patch({accountEnabled: true})`, a
// `select`ed get (Graph leaves accountEnabled out of its default properties),
// a `filter` search. Its AuthenticationHandler hands the token only to https
// hosts and strips any Authorization header sent elsewhere
// (GraphRequestUtil.isValidEndpoint matches `customHosts` on https URLs
// only), so against the simulator's http the client is built, as its
// "custom middleware chain" documentation shows, with `initWithMiddleware`:
// its own RetryHandler, a middleware setting the bearer token, its
// HTTPMessageHandler. Errors reject with a `GraphError`
// (`statusCode`, `code`); its RetryHandler retries 429, 503 and 504
// (Retry-After, else 3 s), up to 3 times.
//
// Users (seeded by the test): the two disabled ids below (the second with
// userPrincipalName adele@contoso.onmicrosoft.com) and an enabled one.

import graphClient from '@microsoft/microsoft-graph-client';
import {
  Steps, announcement, assertRequests, clearRequests, expect, expectRejects, queueFailure,
} from './common.mjs';

const { Client, RetryHandler, RetryHandlerOptions, HTTPMessageHandler } = graphClient;
const SIM = announcement();
const steps = new Steps('microsoft-graph-client');
const DISABLED = '6e7b768e-07e2-4810-8459-485f84f8f204';
const DISABLED_2 = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';
const ACTIVE = '4562bcc8-c436-4f95-b7c0-4f8ce89dca5e';
const UNKNOWN = '00000000-0000-4000-8000-00000000dead';

const base = new URL(SIM.base_url);
// The bearer token on every request (what AuthenticationHandler does for Graph's hosts).
class BearerToken {
  async execute(context) {
    context.options = context.options || {};
    context.options.headers = { ...(context.options.headers || {}), Authorization: `Bearer ${SIM.token}` };
    return this.next.execute(context);
  }

  setNext(next) {
    this.next = next;
  }
}

const retry = new RetryHandler(new RetryHandlerOptions());
const bearer = new BearerToken();
retry.setNext(bearer);
bearer.setNext(new HTTPMessageHandler());
const graph = Client.initWithMiddleware({
  middleware: retry,
  baseUrl: `${base.origin}/`,
  defaultVersion: base.pathname.replace(/^\/|\/$/g, ''),
});
const api = (path) => graph.api(path);

const enabled = async (id) => (await api(`/users/${id}`).select(['id', 'accountEnabled']).get()).accountEnabled;

await steps.run('clear-record', () => clearRequests(SIM));

await steps.run('reactivate', async () => {
  await api(`/users/${DISABLED}`).patch({ accountEnabled: true });
  return "api('/users/{id}').patch({accountEnabled: true})";
});

await steps.run('read-back', async () => {
  const value = await enabled(DISABLED);
  expect(value === true, `accountEnabled ${value}`);
  return value;
});

await steps.run('find-by-filter', async () => {
  const found = await api('/users')
    .filter("userPrincipalName eq 'adele@contoso.onmicrosoft.com'")
    .select(['id', 'accountEnabled'])
    .get();
  const ids = (found.value || []).map((u) => u.id);
  expect(JSON.stringify(ids) === JSON.stringify([DISABLED_2]), `$filter: ${JSON.stringify(ids)}`);
  return ids;
});

await steps.run('unknown-user', () => expectRejects(
  () => api(`/users/${UNKNOWN}`).get(),
  (e) => expect(e.statusCode === 404 && e.code === 'Request_ResourceNotFound', `${e.statusCode} ${e.code} ${e.message}`),
));

await steps.run('already-active', async () => {
  // Graph answers a PATCH that changes nothing with 204, as any PATCH.
  await api(`/users/${ACTIVE}`).patch({ accountEnabled: true });
  const value = await enabled(ACTIVE);
  expect(value === true, `accountEnabled ${value}`);
  return value;
});

for (const [step, failure] of [['retry-429', 'rate-limit'], ['retry-503', 'unavailable']]) {
  await steps.run(step, async () => {
    await queueFailure(SIM, failure, { user: ACTIVE, retry_after_secs: 1 });
    const value = await enabled(ACTIVE);
    expect(value === true, `accountEnabled ${value}`);
    return `enabled after a ${failure}`;
  });
}

const sel = '$select=id,accountEnabled';
await steps.run('requests', () => assertRequests(SIM, [
  ['PATCH', `/v1.0/users/${DISABLED}`, ''],
  ['GET', `/v1.0/users/${DISABLED}`, sel],
  ['GET', '/v1.0/users', `$filter=userPrincipalName%20eq%20%27adele@contoso.onmicrosoft.com%27&${sel}`],
  ['GET', `/v1.0/users/${UNKNOWN}`, ''],
  ['PATCH', `/v1.0/users/${ACTIVE}`, ''],
  ['GET', `/v1.0/users/${ACTIVE}`, sel],
  ['GET', `/v1.0/users/${ACTIVE}`, sel],
  ['GET', `/v1.0/users/${ACTIVE}`, sel],
  ['GET', `/v1.0/users/${ACTIVE}`, sel],
  ['GET', `/v1.0/users/${ACTIVE}`, sel],
]));

steps.done();
