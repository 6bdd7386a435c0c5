// okta-sdk-nodejs (@okta/okta-sdk-nodejs) against the Okta simulator, as its
// README shows: `new okta.Client({orgUrl, token})` (an API token: SSWS),
// `client.userApi.{unsuspendUser,unlockUser,activateUser,getUser}` with one
// parameter object. Okta's error answers reject with an `OktaApiError`; the
// default request executor retries a 429 (X-Rate-Limit-Reset and Date), up
// to maxRetries (2).
//
// Users (seeded by the test): 00ususpended1 (suspended), 00ulocked1
// (locked-out), 00udeprov1 (deprovisioned), 00uactive1 (active, login
// active1@example.com).

import okta from '@okta/okta-sdk-nodejs';
import {
  Steps, announcement, assertRequests, clearRequests, expect, expectRejects, queueFailure,
} from './common.mjs';

const SIM = announcement();
const steps = new Steps('okta-sdk-nodejs');
const client = new okta.Client({ orgUrl: SIM.base_url, token: SIM.token });
const users = client.userApi;

await steps.run('clear-record', () => clearRequests(SIM));

await steps.run('reactivate', async () => {
  await users.unsuspendUser({ userId: '00ususpended1' });
  await users.unlockUser({ userId: '00ulocked1' });
  const link = await users.activateUser({ userId: '00udeprov1', sendEmail: false });
  return `unsuspend, unlock, activate(sendEmail=false) -> ${JSON.stringify(link)}`;
});

await steps.run('read-back', async () => {
  const states = {};
  for (const id of ['00ususpended1', '00ulocked1', '00udeprov1']) {
    states[id] = (await users.getUser({ userId: id })).status;
  }
  expect(Object.values(states).every((s) => s === 'ACTIVE'), `statuses ${JSON.stringify(states)}`);
  return states;
});

await steps.run('find-by-login', async () => {
  const user = await users.getUser({ userId: 'active1@example.com' });
  expect(user.id === '00uactive1', `id ${user.id}`);
  return `${user.id} ${user.status}`;
});

await steps.run('unknown-user', () => expectRejects(
  () => users.getUser({ userId: '00unknown0' }),
  (e) => expect(e.name === 'OktaApiError' && e.status === 404 && e.errorCode === 'E0000007',
    `${e.name} ${e.status} ${e.errorCode} ${e.message}`),
));

await steps.run('already-active', () => expectRejects(
  () => users.activateUser({ userId: '00uactive1', sendEmail: false }),
  (e) => expect(e.name === 'OktaApiError' && e.status === 403 && e.errorCode === 'E0000016',
    `${e.name} ${e.status} ${e.errorCode} ${e.message}`),
));

await steps.run('retry-429', async () => {
  await queueFailure(SIM, 'rate-limit', { user: '00uactive1', retry_after_secs: 1 });
  const user = await users.getUser({ userId: '00uactive1' });
  return `${user.id} ${user.status}`;
});

await steps.run('requests', () => assertRequests(SIM, [
  ['POST', '/api/v1/users/00ususpended1/lifecycle/unsuspend', ''],
  ['POST', '/api/v1/users/00ulocked1/lifecycle/unlock', ''],
  ['POST', '/api/v1/users/00udeprov1/lifecycle/activate', 'sendEmail=false'],
  ['GET', '/api/v1/users/00ususpended1', ''],
  ['GET', '/api/v1/users/00ulocked1', ''],
  ['GET', '/api/v1/users/00udeprov1', ''],
  ['GET', '/api/v1/users/active1%40example.com', ''],
  ['GET', '/api/v1/users/00unknown0', ''],
  ['POST', '/api/v1/users/00uactive1/lifecycle/activate', 'sendEmail=false'],
  ['GET', '/api/v1/users/00uactive1', ''],
  ['GET', '/api/v1/users/00uactive1', ''],
]));

steps.done();
