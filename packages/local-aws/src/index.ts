export { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_HOST, LOCAL_REGION } from './constants';
export { LocalAwsError } from './errors';
export { devPorts, freePort } from './ports';
export { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb';
export {
  startDynamoDbRequestCounter,
  type DynamoDbRequestCounter,
  type DynamoDbTraffic,
} from './dynamodb-requests';
export { startLocalAws, type LocalAws, type LocalAwsOptions } from './stack';
export { startS3Fidelity } from './s3-fidelity';
export { startSqsPoller, type PollerStats } from './pollers';
export {
  startSystem,
  FUNCTION_SERVICES,
  STATS_PATH,
  scheduledEvent,
  type LocalSystem,
  type SystemOptions,
  type SystemStats,
  type TriggerStats,
} from './system';
export { invokeOffline } from './system/offline';
export {
  clearDevState,
  describeSystem,
  findJob,
  readDevState,
  writeDevState,
  type DevState,
  type SystemDescriptor,
} from './dev-state';
export { seedTenant, type SeedTenant } from './seed';
