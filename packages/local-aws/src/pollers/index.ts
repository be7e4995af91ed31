export { startSqsPoller } from './poller';
export type { Invoke, Poller, PollerOptions, SqsEventSource } from './types';
