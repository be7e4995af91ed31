import type middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import { badRequest } from '../../errors';

/** One reason per offending field, with the field's path as the client sent it (`items.3.size`). */
export interface FieldProblem {
  field: string;
  reason: string;
}

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    reason: issue.message,
  }));
}

/**
 * The value parsed by a zod schema, or a 400 naming each offending field. What validateBody does to a request
 * body, for documents inside one (each item of a batch gets the answer it would get on its own).
 */
export function parseBody<Schema extends z.ZodType>(schema: Schema, value: unknown): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = fieldProblems(result.error);
    const summary = problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
    throw badRequest(`Invalid request body: ${summary}`, problems);
  }
  return result.data as z.infer<Schema>;
}

/** Checks the parsed body against a zod schema and replaces it with the parsed (typed, stripped) value. */
export function validateBody(schema: z.ZodType): middy.MiddlewareObj<APIGatewayProxyEvent> {
  if (typeof (schema as { safeParse?: unknown })?.safeParse !== 'function') {
    throw new TypeError('validateBody: schema must be a zod schema');
  }
  return {
    before: async (request) => {
      (request.event as { body: unknown }).body = parseBody(schema, request.event.body);
    },
  };
}
