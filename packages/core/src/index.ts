export * from './errors';
export * from './config';
export { logger } from './logger';
export { httpHandler, type HttpResult, type HttpRoute } from './http/handler';
export { healthHandler } from './http/health';
export { errorResponse, type ErrorResponseOptions } from './middleware/error-response';
export { dynamoDbClient, s3Client, sqsClient } from './aws/clients';
export { metrics, MetricUnit } from './metrics';
export { scheduledTime, type ScheduledEvent } from './scheduled-event';
