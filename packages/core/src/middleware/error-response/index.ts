import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, type ErrorBody } from '../../errors';
import { logger as defaultLogger } from '../../logger';

export interface ErrorResponseOptions {
  logger?: Pick<typeof defaultLogger, 'warn' | 'error'>;
}

const INTERNAL: ErrorBody = { error: { code: 'internal_error', message: 'Internal error' } };

function validateOptions(options: ErrorResponseOptions): void {
  const allowed = new Set(['logger']);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) throw new TypeError(`errorResponse: unknown option "${key}"`);
  }
}

/**
 * Turns any thrown error into DESIGN's error body. Client errors keep their message;
 * anything else becomes a bare 500 so no stack trace or internal detail reaches a client.
 */
export function errorResponse(
  options: ErrorResponseOptions = {},
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error> {
  validateOptions(options);
  const log = options.logger ?? defaultLogger;
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof ApiError) {
        log.warn('request rejected', {
          statusCode: error.statusCode,
          code: error.code,
          message: error.message,
        });
        request.response = json(error.statusCode, error.toBody());
        const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
        if (error.statusCode === 429 && typeof retryAfter === 'number') {
          request.response.headers = { ...request.response.headers, 'retry-after': String(retryAfter) };
        }
        return;
      }
      const status = httpStatusOf(error);
      if (status && status < 500) {
        // Errors from Middy's own middlewares (e.g. unparseable JSON) carry a 4xx status.
        log.warn('request rejected', { statusCode: status, message: error?.message });
        request.response = json(status, {
          error: { code: codeFor(status), message: error?.message ?? 'Bad request' },
        });
        return;
      }
      log.error('unhandled error', error ?? new Error('unknown error'));
      request.response = json(500, INTERNAL);
    },
  };
}

function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown; status?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function codeFor(status: number): string {
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  return 'invalid_request';
}

export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
