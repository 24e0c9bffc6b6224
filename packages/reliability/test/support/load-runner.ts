import { signTestToken, type TestSigningKey } from '@split-kms/testing/jwks';
import autocannon from 'autocannon';

import { sentinelPlaintext } from './secret-ledger';

/** One wallet's request of a load run: its own ewi, token and plaintext. */
export interface LoadShare {
  readonly ewi: string;
  readonly token: string;
  readonly plaintext: string;
  ciphertext?: string;
}

/** What one autocannon run measured and what the responses showed. */
export interface LoadOutcome {
  readonly requests: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  /** Responses with a 2xx but a wrong or missing value. */
  readonly mismatches: number;
  /** Count of each `status error_code` among the non-2xx responses, so a failure shows what came back. */
  readonly failures: Readonly<Record<string, number>>;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

/** Signs one token per share, each with its own wallet id and plaintext. */
export async function prepareShares(
  key: TestSigningKey,
  count: number,
  label: string,
): Promise<LoadShare[]> {
  const shares: LoadShare[] = [];
  for (let index = 0; index < count; index += 1) {
    const ewi = `wallet-${label}-${index}`;
    const token = await signTestToken(key, { claims: { ewi }, expiresInSeconds: 3600 });
    shares.push({ ewi, token, plaintext: sentinelPlaintext(`${label}-${index}`) });
  }

  return shares;
}

/** Sends POST /encrypt once per share and stores each share's ciphertext. */
export async function encryptShares(
  url: string,
  shares: LoadShare[],
  connections: number,
): Promise<LoadOutcome> {
  return runOnce(url, '/encrypt', shares, connections, {
    body: (share) => JSON.stringify({ plaintext: share.plaintext }),
    accept: (share, body) => {
      const ciphertext = (JSON.parse(body) as { data: { ciphertext?: unknown } }).data.ciphertext;
      if (typeof ciphertext !== 'string' || ciphertext.length === 0) {
        return false;
      }
      share.ciphertext = ciphertext;
      return true;
    },
  });
}

/** Sends POST /decrypt once per share with its own token and checks the plaintext returned. */
export async function decryptShares(
  url: string,
  shares: LoadShare[],
  connections: number,
): Promise<LoadOutcome> {
  return runOnce(url, '/decrypt', shares, connections, {
    body: (share) => JSON.stringify({ ciphertext: share.ciphertext ?? '' }),
    accept: (share, body) =>
      (JSON.parse(body) as { data: { plaintext?: unknown } }).data.plaintext === share.plaintext,
  });
}

interface RequestPlan {
  readonly body: (share: LoadShare) => string;
  /** Checks a 2xx response body for this share. */
  readonly accept: (share: LoadShare, body: string) => boolean;
}

/**
 * Runs autocannon with one request per share. With pipelining 1, autocannon
 * records a response before it builds the connection's next request, so the
 * share index kept in the connection context belongs to that response.
 */
async function runOnce(
  url: string,
  path: string,
  shares: LoadShare[],
  connections: number,
  plan: RequestPlan,
): Promise<LoadOutcome> {
  let next = 0;
  let mismatches = 0;

  // autocannon ends an `amount` run on its next one-second tick, so its
  // duration is rounded up to whole seconds. The rate uses the last response's time.
  const started = performance.now();
  let lastResponseAt = started;
  const failures: Record<string, number> = {};
  const result = await autocannon({
    url,
    connections,
    pipelining: 1,
    amount: shares.length,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (request, context) => {
          const index = Math.min(next, shares.length - 1);
          next += 1;
          context['index'] = index;
          const share = shares[index]!;

          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${share.token}`,
            },
            body: plan.body(share),
          };
        },
        onResponse: (status, body, context) => {
          lastResponseAt = performance.now();
          const share = shares[context['index'] as number]!;
          if (status >= 200 && status < 300 && !plan.accept(share, body)) {
            mismatches += 1;
          }
          if (status < 200 || status >= 300) {
            const label = `${status} ${errorCodeOf(body)}`;
            failures[label] = (failures[label] ?? 0) + 1;
          }
        },
      },
    ],
  });
  const seconds = (lastResponseAt - started) / 1000;

  return {
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: mismatches + Math.max(0, next - shares.length),
    failures,
    requestsPerSecond: result.requests.total / seconds,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}

function errorCodeOf(body: string): string {
  try {
    const code = (JSON.parse(body) as { error_code?: unknown }).error_code;

    return typeof code === 'string' ? code : 'no error_code';
  } catch {
    return 'body is not JSON';
  }
}
