import { callerOf, httpHandler } from '@pixelvault/core';
import { z } from 'zod';
import { registrationPorts, registrationSettings } from '../adapters/uploads';
import { fileOwnerOf } from '../domain/access';
import { registerFiles, registrantOf } from '../domain/registration';

/**
 * POST /v1/files (session: files:write; upload link: files:upload): records the file `pending` and returns a
 * presigned PUT bound to its declared type, size and SHA-256, or presigned parts above the multipart threshold.
 * The body is checked by registration itself, against the tenant's limits, exactly as each item of a batch.
 */
export const handler = httpHandler(
  async ({ event, body }) => {
    const caller = callerOf(event);
    const owner = fileOwnerOf(caller, 'register');
    const settings = await registrationSettings(caller.tenantId);
    const [result] = await registerFiles([body], registrantOf(caller, owner), settings, registrationPorts);
    if ('error' in result!) throw result.cause ?? result.error;
    return { statusCode: 201, headers: { 'cache-control': 'no-store' }, body: result };
  },
  { body: z.unknown() },
);
