import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../logger';
import { errorResponse, json } from '../middleware/error-response';

export type HttpResult = { statusCode: number; body?: unknown; headers?: Record<string, string> };
export type HttpRoute = (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResult>;

/**
 * The one middleware stack every HTTP handler runs in: structured logs with the request id,
 * normalized headers, JSON responses, and errors mapped to DESIGN's error shape.
 */
export function httpHandler(route: HttpRoute) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(errorResponse())
    .handler(async (event, context) => {
      const result = await route(event, context);
      const response =
        result.body === undefined
          ? { statusCode: result.statusCode, body: '' }
          : json(result.statusCode, result.body);
      return { ...response, headers: { ...response.headers, ...result.headers } };
    });
}
