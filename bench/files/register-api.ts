import { createHash } from 'node:crypto';
import { callApi } from '../../tests/helpers/identity';
import { inPool, percentile } from './pool';

export const API_CONCURRENCY = 16;
const WARM_UP_REQUESTS = 200;
const WARM_UP_ROUNDS = 5;
const MEASURED_REQUESTS = 1000;

/** `requests` calls, `API_CONCURRENCY` at a time, with the answers that were not `status`. */
async function load(requests: number, call: () => Promise<Response>, status: number) {
  const latencies: number[] = [];
  const failures: string[] = [];
  const startedAt = performance.now();
  await inPool(Array.from({ length: requests }), API_CONCURRENCY, async () => {
    const sentAt = performance.now();
    const response = await call();
    const body = await response.text();
    latencies.push(performance.now() - sentAt);
    if (response.status !== status) failures.push(`${response.status} ${body}`);
  });
  const seconds = (performance.now() - startedAt) / 1000;
  const ms = (value: number) => +value.toFixed(1);
  return {
    failures,
    requests,
    concurrency: API_CONCURRENCY,
    requestsPerSecond: Math.round(requests / seconds),
    p50Ms: ms(percentile(latencies, 50)),
    p99Ms: ms(percentile(latencies, 99)),
  };
}

const registration = (index: number) => ({
  name: `IMG_${index}.jpg`,
  contentType: 'image/jpeg',
  size: 4_500_000,
  sha256: createHash('sha256').update(`photo ${index}`).digest('base64'),
});

/**
 * POST /v1/files through the local origin (gateway -> serverless-offline -> TOKEN authorizer with its revocation
 * GetItem -> handler: PutItem + presign), after a warm-up at the same concurrency so every worker serverless-offline
 * starts has loaded its bundle. The floor in the same run: GET /v1/files/health (no authorizer, no AWS call)
 * through the same origin and concurrency.
 */
export async function registerApi(token: string) {
  let registered = 0;
  const register = () => callApi('POST', '/v1/files', { token, body: registration(registered++) });
  const health = () => callApi('GET', '/v1/files/health');
  await warmUp(register, 201);
  await warmUp(health, 200);
  const measured = async (call: () => Promise<Response>, status: number) => {
    const { failures, ...figures } = await load(MEASURED_REQUESTS, call, status);
    if (failures.length > 0) throw new Error(`${failures.length} requests failed, first: ${failures[0]}`);
    return figures;
  };
  return { register: await measured(register, 201), health: await measured(health, 200) };
}

/**
 * Until a whole round succeeds. Each worker serverless-offline starts for a concurrent request cold-starts, and
 * an authorizer fetches the JWKS on its first call: sixteen at once on a busy 2-core machine can pass jose's 5 s
 * fetch timeout, which the local gateway (like API Gateway for a failing authorizer) answers with 401.
 */
async function warmUp(call: () => Promise<Response>, status: number) {
  for (let round = 1; ; round++) {
    const { failures } = await load(WARM_UP_REQUESTS, call, status);
    if (failures.length === 0) return;
    if (round === WARM_UP_ROUNDS)
      throw new Error(`still failing after ${round} warm-up rounds, last: ${failures[0]}`);
  }
}
