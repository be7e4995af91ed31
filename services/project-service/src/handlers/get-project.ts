import { callerOf, httpHandler } from '@pixelvault/core';
import { loadProject } from '../adapters/saves';
import { projectOwnerOf } from '../domain/access';
import { projectView, versionTag } from '../domain/project-view';

/** GET /v1/projects/{id}: the caller's project with its document; anyone else's is a 404. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = projectOwnerOf(caller, 'read');
  const { project, document } = await loadProject(
    { tenantId: caller.tenantId, owner },
    event.pathParameters?.id ?? '',
  );
  return {
    statusCode: 200,
    headers: { 'cache-control': 'no-store', ...versionTag(project.version) },
    body: projectView(project, document),
  };
});
