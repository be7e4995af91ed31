import type middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ApiError, payloadTooLarge } from '../../errors';

export interface JsonBodyOptions {
  /** Largest accepted body in bytes (after base64 decoding); larger ones get 413 before parsing. */
  maxBytes: number;
}

export function validateJsonBodyOptions(options: JsonBodyOptions): void {
  const unknown = Object.keys(options).filter((key) => key !== 'maxBytes');
  if (unknown.length > 0) throw new TypeError(`jsonBody: unknown option "${unknown[0]}"`);
  if (!Number.isInteger(options.maxBytes) || options.maxBytes <= 0) {
    throw new TypeError('jsonBody: maxBytes must be a positive integer');
  }
}

function bodyBytes(event: APIGatewayProxyEvent): number {
  if (event.body == null) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body);
}

/**
 * Parses a JSON request body with Middy's parser (which also refuses `__proto__` keys), after a size limit,
 * and answers in the API's error shape: 413 too large, 415 not JSON, 400 unparseable. An empty body is undefined.
 */
export function jsonBody(options: JsonBodyOptions): middy.MiddlewareObj<APIGatewayProxyEvent> {
  validateJsonBodyOptions(options);
  const parser = httpJsonBodyParser();
  return {
    before: async (request) => {
      const size = bodyBytes(request.event);
      if (size > options.maxBytes) {
        throw payloadTooLarge(`Request body is ${size} bytes; the limit is ${options.maxBytes}`, {
          limit: options.maxBytes,
        });
      }
      // No body at all is left to the route's schema: optional for some routes, a named missing field for others.
      if (size === 0) {
        (request.event as { body: unknown }).body = undefined;
        return;
      }
      try {
        await parser.before!(request as never);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 415) {
          throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
        }
        throw new ApiError(400, 'invalid_json', 'Request body is not valid JSON');
      }
    },
  };
}
