// What every official-SDK script shares: the simulator's announcement, its
// admin routes (ADMIN-CONTRACT: /_userbridge/users, /failures, /requests) and
// the summary, one JSON line per step: {"sdk", "step", "ok", "detail"}.
//
// The announcement is the JSON line the standalone simulator prints first
// (`cargo run -p userbridge --features mock --example simulator -- PROVIDER`),
// given as the first argument or in USERBRIDGE_SIMULATOR.

export function announcement() {
  const text = process.argv[2] || process.env.USERBRIDGE_SIMULATOR || '';
  if (!text) {
    console.error("give the simulator's announcement (its first line) as argv[2] or USERBRIDGE_SIMULATOR");
    process.exit(2);
  }
  return JSON.parse(text);
}

// The announced admin_url; before it was announced, where the contract puts it.
export function adminUrl(sim) {
  return sim.admin_url || `${new URL(sim.base_url).origin}/_userbridge`;
}

export async function admin(sim, method, route, body) {
  const resp = await fetch(adminUrl(sim) + route, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  let answer = text;
  try { answer = text ? JSON.parse(text) : null; } catch { /* kept as text */ }
  return [resp.status, answer];
}

export async function queueFailure(sim, failure, extra = {}) {
  const body = { failure, times: 1, ...extra };
  const [status, answer] = await admin(sim, 'POST', '/failures', body);
  expect(status === 201, `POST /_userbridge/failures ${JSON.stringify(body)} answered ${status} ${JSON.stringify(answer)}`);
}

export async function clearRequests(sim) {
  const [status, answer] = await admin(sim, 'DELETE', '/requests');
  expect(status === 204, `DELETE /_userbridge/requests answered ${status} ${JSON.stringify(answer)}`);
  return 'cleared';
}

export async function requestsSeen(sim) {
  const [status, answer] = await admin(sim, 'GET', '/requests');
  expect(status === 200 && Array.isArray(answer), `GET /_userbridge/requests answered ${status} ${JSON.stringify(answer)}`);
  return answer;
}

// The request record since the last clear is exactly `want`, a list of
// [method, path, query]; returns what was seen.
export async function assertRequests(sim, want) {
  const seen = await requestsSeen(sim);
  const got = seen.map((r) => [r.method, r.path, r.query]);
  expect(JSON.stringify(got) === JSON.stringify(want),
    `requests seen ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  return seen.map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''} -> ${r.status}`);
}

export function expect(cond, what) {
  if (!cond) throw new Error(what);
}

// `fn()` rejects; `check(e)` holds. A description of the error.
export async function expectRejects(fn, check) {
  let value;
  try {
    value = await fn();
  } catch (e) {
    check(e);
    return `${e.constructor?.name}: ${String(e.message).slice(0, 300)}`;
  }
  throw new Error(`expected an error, got ${JSON.stringify(value)?.slice(0, 300)}`);
}

export class Steps {
  constructor(sdk) {
    this.sdk = sdk;
    this.failed = 0;
  }

  // Runs a named step: it passes when `fn` resolves (its value is the detail).
  async run(step, fn) {
    let ok = true;
    let detail;
    try {
      detail = await fn();
    } catch (e) {
      ok = false;
      this.failed += 1;
      detail = `${e?.constructor?.name}: ${e?.message}\n${String(e?.stack || '').slice(0, 2000)}`;
      if (e?.status !== undefined) detail += `\nstatus ${e.status}`;
      if (e?.body !== undefined) detail += `\nbody ${JSON.stringify(e.body).slice(0, 1000)}`;
    }
    if (detail === undefined) detail = null;
    console.log(JSON.stringify({ sdk: this.sdk, step, ok, detail }));
  }

  done() {
    process.exitCode = this.failed ? 1 : 0;
  }
}
