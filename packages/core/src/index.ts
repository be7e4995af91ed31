export * from './errors';
export * from './config';
export { chunksOf } from './chunks';
export { forEachPage, type Page } from './pages';
export { logger } from './logger';
export { httpHandler, type HttpHandlerOptions, type HttpRequest, type HttpResult } from './http/handler';
export { jsonBody, type JsonBodyOptions } from './middleware/json-body';
export { validateBody, parseBody, fieldProblems, type FieldProblem } from './middleware/validate-body';
export { healthHandler } from './http/health';
export { errorResponse, type ErrorResponseOptions } from './middleware/error-response';
export { dynamoDbClient, s3Client, selfVerifyingS3Client, sqsClient } from './aws/clients';
export { DELETE_OBJECTS_MAX_KEYS, deleteObjects, deletePrefix } from './aws/objects';
export { measureCapacity, type ConsumedCapacity } from './aws/consumed-capacity';
export { metrics, MetricUnit } from './metrics';
export { scheduledTime, type ScheduledEvent } from './scheduled-event';
export {
  DEFAULT_LOOKBACK_HOURS,
  MAX_LOOKBACK_HOURS,
  runSweepJob,
  SWEEP_FLOOR,
  sweep,
  sweepPartitions,
  sweepWindow,
  type SweepJob,
  type SweepJobReport,
  type SweepPorts,
  type SweepReport,
} from './expiry-sweep';
export * from './entities';
export { DEFAULT_RETENTION_DAYS, projectExpiry, type RetentionSettings } from './project-retention';
export * from './auth';
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  invalidCursor,
  listPage,
  parseListRequest,
  type ListRequest,
} from './http/listing';
export { callerOf, requireScope, type Caller } from './http/caller';
export {
  fileStateChanged,
  publishEvents,
  type DocumentSuperseded,
  type FileStateChanged,
  type FilesExpired,
  type PixelvaultEvent,
  type UserErasure,
} from './events';
