import { deleteObjects } from '@pixelvault/core';
import { schedulerDb } from './db';

/**
 * A superseded document object goes unless the project points at it again (strongly consistent read); a project
 * that is gone has had its prefixes deleted, and deleting a missing key is a no-op, so a redelivery converges.
 */
export async function retireDocument(
  tenantId: string,
  projectId: string,
  documentKey: string,
): Promise<boolean> {
  const { data: project } = await schedulerDb()
    .entities.project.get({ tenantId, projectId })
    .go({ consistent: true, attributes: ['documentKey'] });
  if (project?.documentKey === documentKey) return false;
  await deleteObjects([documentKey]);
  return true;
}
