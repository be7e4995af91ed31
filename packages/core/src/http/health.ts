import { httpHandler } from './handler';

/** Liveness of a service's API: answers without touching any dependency. */
export function healthHandler(service: string) {
  return httpHandler(async () => ({
    statusCode: 200,
    body: { status: 'ok', service, time: new Date().toISOString() },
  }));
}
