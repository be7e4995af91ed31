export { startSqsPoller } from './poller';
export type { Invoke, Poller, PollerOptions, PollerStats, SqsEventSource } from './types';
