import { callerOf, httpHandler, logger } from '@pixelvault/core';
import { registrationPorts, registrationSettings } from '../adapters/uploads';
import { fileOwnerOf } from '../domain/access';
import { registerBatchBody, registerFiles, registrantOf } from '../domain/registration';

// 100 items with 255-character names (JSON-escaped) stay well inside this.
const MAX_BATCH_BODY_BYTES = 256 * 1024;

/**
 * POST /v1/files/batch `{items: [...]}` (1..100): each item registered as POST /v1/files would, results in
 * request order, `{file, upload}` or `{error}`; one bad item never fails the others. A malformed envelope is a 400.
 */
export const handler = httpHandler(
  async ({ event, body }) => {
    const caller = callerOf(event);
    const owner = fileOwnerOf(caller, 'register');
    const settings = await registrationSettings(caller.tenantId);
    const results = await registerFiles(body.items, registrantOf(caller, owner), settings, registrationPorts);
    const items = results.map((result) => {
      if (!('error' in result)) return result;
      if (result.cause !== undefined)
        logger.error('batch item not registered', { error: result.cause as Error });
      return result.error.toBody();
    });
    return { statusCode: 201, headers: { 'cache-control': 'no-store' }, body: { items } };
  },
  { body: registerBatchBody, maxBodyBytes: MAX_BATCH_BODY_BYTES },
);
