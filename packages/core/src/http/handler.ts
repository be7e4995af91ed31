import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger } from '../logger';
import { errorResponse, json } from '../middleware/error-response';
import { jsonBody } from '../middleware/json-body';
import { validateBody } from '../middleware/validate-body';

export type HttpResult = { statusCode: number; body?: unknown; headers?: Record<string, string> };

export interface HttpRequest<Body> {
  event: APIGatewayProxyEvent;
  context: Context;
  /** The validated JSON body; undefined for routes without a body schema. */
  body: Body;
}

export interface HttpHandlerOptions<Schema extends z.ZodType> {
  /** Validates a required JSON body; without it the route takes no body. */
  body?: Schema;
  /** Defaults to 64 KiB: every JSON document this API takes is small; large payloads go straight to S3. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Browser origins allowed to call the API, comma-separated in CORS_ORIGINS; any origin when unset. */
function corsOrigins(): string[] {
  return (process.env.CORS_ORIGINS ?? '*')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/**
 * The one middleware stack every HTTP handler runs in: structured logs with the request id, CORS, normalized
 * headers, an optional size-limited and validated JSON body, JSON responses, and DESIGN's error shape.
 */
export function httpHandler<Schema extends z.ZodType = z.ZodUndefined>(
  route: (request: HttpRequest<z.infer<Schema>>) => Promise<HttpResult>,
  options: HttpHandlerOptions<Schema> = {},
) {
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpCors({ origins: corsOrigins(), exposeHeaders: 'ETag', maxAge: 600 }))
    .use(httpHeaderNormalizer())
    .use(errorResponse());
  if (options.body) {
    handler
      .use(jsonBody({ maxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES }))
      .use(validateBody(options.body));
  }
  return handler.handler(async (event, context) => {
    const result = await route({ event, context, body: event.body as z.infer<Schema> });
    const response =
      result.body === undefined
        ? { statusCode: result.statusCode, body: '' }
        : json(result.statusCode, result.body);
    return { ...response, headers: { ...response.headers, ...result.headers } };
  });
}
