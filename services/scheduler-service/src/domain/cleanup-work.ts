import { FILE_STATES, ID_PATTERN, TENANT_ID_PATTERN, USER_ID_PATTERN } from '@pixelvault/core';
import { z } from 'zod';

const tenantId = z.string().regex(TENANT_ID_PATTERN);
const id = z.string().regex(ID_PATTERN);
const at = z.iso.datetime();

/** Every message the cleanup queue carries: events of the file service, the sweeps' work, identity events. */
export const cleanupWork = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('file-state-changed'),
    tenantId,
    fileId: id,
    owner: z.string(),
    from: z.enum(FILE_STATES),
    to: z.enum(FILE_STATES),
    reason: z.string().optional(),
    at,
  }),
  z.object({ type: z.literal('files-expired'), tenantId, fileIds: z.array(id).min(1), at }),
  z.object({ type: z.literal('session-ended'), tenantId, sessionId: id, at }),
  z.object({
    type: z.literal('ownership-transfer'),
    tenantId,
    fromOwner: z.string(),
    toOwner: z.string(),
    at,
  }),
  z.object({
    type: z.literal('document-superseded'),
    tenantId,
    projectId: id,
    documentKey: z.string().min(1),
    at,
  }),
  z.object({ type: z.literal('user-erasure'), tenantId, userId: z.string().regex(USER_ID_PATTERN), at }),
]);

export type CleanupWork = z.infer<typeof cleanupWork>;

/** The message as work, or undefined for a body that is not ours (retried, then left in the DLQ). */
export function parseCleanupWork(body: string): CleanupWork | undefined {
  try {
    const parsed = cleanupWork.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
