import { publishEvents, type FilesExpired } from '@pixelvault/core';
import { byTenant } from '../domain/expiry-sweep';
import type { ExpiredFile } from './expiry-index';

/** One `files-expired` message per tenant of a page (a page holds at most 100 files: far below 256 KB). */
export async function sendExpiredFiles(now: Date, files: ExpiredFile[]): Promise<number> {
  const messages = [...byTenant(files)].map(([tenantId, files]): FilesExpired => ({
    type: 'files-expired',
    tenantId,
    fileIds: files.map((file) => file.fileId),
    at: now.toISOString(),
  }));
  await publishEvents(messages);
  return messages.length;
}
