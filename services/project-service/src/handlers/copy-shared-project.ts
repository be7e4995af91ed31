import { callerOf, httpHandler } from '@pixelvault/core';
import { copySharedProject } from '../adapters/saves';
import { projectOwnerOf } from '../domain/access';
import { projectView, versionTag } from '../domain/project-view';

/** POST /v1/projects/shared/{shareToken}/copy: a new project of the caller referencing the same files. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = projectOwnerOf(caller, 'write');
  const project = await copySharedProject(
    { tenantId: caller.tenantId, owner },
    event.pathParameters?.shareToken ?? '',
  );
  return {
    statusCode: 201,
    headers: { 'cache-control': 'no-store', ...versionTag(project.version) },
    body: projectView(project),
  };
});
