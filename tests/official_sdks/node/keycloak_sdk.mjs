// @keycloak/keycloak-admin-client against the Keycloak simulator, as its
// README shows: `new KcAdminClient({baseUrl, realmName})`, `auth({grantType:
// 'client_credentials', clientId, clientSecret})`, `users.find({username,
// exact})`, `users.update({id}, {enabled: true})` for a disabled user,
// `attackDetection.del({id})` for a locked-out one, `users.findOne`,
// `users.count`. `findOne` answers `null` for a user Keycloak does not
// know (its catchNotFound); other errors reject with a `NetworkError`
// (`response.status`). It does not retry: a 503 comes back as that error.
//
// Users (seeded by the test): kc-disabled-1 (disabled, username
// alice.disabled), kc-locked-1 (locked-out), kc-active-1 (active).

import KcAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import {
  Steps, announcement, assertRequests, clearRequests, expect, expectRejects, queueFailure,
} from './common.mjs';

const SIM = announcement();
const REALM = SIM.organization;
const steps = new Steps('keycloak-admin-client');
const kc = new KcAdminClient({ baseUrl: new URL(SIM.token_url).origin, realmName: REALM });

await steps.run('clear-record', () => clearRequests(SIM));

await steps.run('authenticate', async () => {
  await kc.auth({ grantType: 'client_credentials', clientId: SIM.client_id, clientSecret: SIM.client_secret });
  return 'client_credentials';
});

await steps.run('reactivate', async () => {
  const found = await kc.users.find({ username: 'alice.disabled', exact: true });
  expect(found.length === 1 && found[0].id === 'kc-disabled-1', `find: ${JSON.stringify(found)}`);
  await kc.users.update({ id: found[0].id }, { enabled: true });
  await kc.attackDetection.del({ id: 'kc-locked-1' });
  return 'users.update(enabled: true), attackDetection.del';
});

await steps.run('read-back', async () => {
  const user = await kc.users.findOne({ id: 'kc-disabled-1' });
  expect(user?.enabled === true, `enabled ${user?.enabled}`);
  const status = await kc.attackDetection.findOne({ id: 'kc-locked-1' });
  expect(status?.disabled === false, `brute-force status ${JSON.stringify(status)}`);
  return { 'kc-disabled-1': user.enabled, 'kc-locked-1': status };
});

await steps.run('users-count', async () => {
  const n = await kc.users.count();
  expect(n === 3, `count ${n}`);
  return n;
});

await steps.run('unknown-user', async () => {
  const user = await kc.users.findOne({ id: 'kc-unknown-0' });
  expect(user === null, `findOne: ${JSON.stringify(user)}`);
  return expectRejects(
    () => kc.users.update({ id: 'kc-unknown-0' }, { enabled: true }),
    (e) => expect(e instanceof NetworkError && e.response.status === 404, `${e} ${e.response?.status}`),
  );
});

await steps.run('already-active', async () => {
  // Keycloak answers an update of an enabled user with 204, as any update.
  await kc.users.update({ id: 'kc-active-1' }, { enabled: true });
  return (await kc.users.findOne({ id: 'kc-active-1' })).enabled;
});

await steps.run('503-surfaces', async () => {
  await queueFailure(SIM, 'unavailable', { user: 'kc-active-1' });
  const detail = await expectRejects(
    () => kc.users.findOne({ id: 'kc-active-1' }),
    (e) => expect(e instanceof NetworkError && e.response.status === 503, `${e} ${e.response?.status}`),
  );
  expect((await kc.users.findOne({ id: 'kc-active-1' })).enabled === true, 'the call after the 503');
  return detail;
});

const U = `/admin/realms/${REALM}/users`;
const BF = `/admin/realms/${REALM}/attack-detection/brute-force/users`;
await steps.run('requests', () => assertRequests(SIM, [
  ['POST', `/realms/${REALM}/protocol/openid-connect/token`, ''],
  // `find` asks for the collection with a trailing slash (Keycloak's JAX-RS routes take both).
  ['GET', `${U}/`, 'username=alice.disabled&exact=true'],
  ['PUT', `${U}/kc-disabled-1`, ''],
  ['DELETE', `${BF}/kc-locked-1`, ''],
  ['GET', `${U}/kc-disabled-1`, ''],
  ['GET', `${BF}/kc-locked-1`, ''],
  ['GET', `${U}/count`, ''],
  ['GET', `${U}/kc-unknown-0`, ''],
  ['PUT', `${U}/kc-unknown-0`, ''],
  ['PUT', `${U}/kc-active-1`, ''],
  ['GET', `${U}/kc-active-1`, ''],
  ['GET', `${U}/kc-active-1`, ''],
  ['GET', `${U}/kc-active-1`, ''],
]));

steps.done();
