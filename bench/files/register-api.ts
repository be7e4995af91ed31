import { createHash } from 'node:crypto';
import { callApi } from '../../tests/helpers/identity';
import { inPool, percentile } from './pool';

export const API_CONCURRENCY = 16;
const WARM_UP_REQUESTS = 200;
const MEASURED_REQUESTS = 1000;

/** `requests` calls, `API_CONCURRENCY` at a time; each must answer `status`. */
async function load(requests: number, call: (index: number) => Promise<Response>, status: number) {
  const latencies: number[] = [];
  const startedAt = performance.now();
  await inPool(
    Array.from({ length: requests }, (_, index) => index),
    API_CONCURRENCY,
    async (index) => {
      const sentAt = performance.now();
      const response = await call(index);
      const body = await response.text();
      latencies.push(performance.now() - sentAt);
      if (response.status !== status) throw new Error(`${response.status} ${body}`);
    },
  );
  const seconds = (performance.now() - startedAt) / 1000;
  const ms = (value: number) => +value.toFixed(1);
  return {
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
  const register = (index: number) => callApi('POST', '/v1/files', { token, body: registration(index) });
  const health = () => callApi('GET', '/v1/files/health');
  await load(WARM_UP_REQUESTS, register, 201);
  await load(WARM_UP_REQUESTS, health, 200);
  return {
    register: await load(MEASURED_REQUESTS, (index) => register(WARM_UP_REQUESTS + index), 201),
    health: await load(MEASURED_REQUESTS, health, 200),
  };
}
