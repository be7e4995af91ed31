import { callerOf, httpHandler } from '@pixelvault/core';
import { createProject } from '../adapters/saves';
import { projectOwnerOf } from '../domain/access';
import { projectView, versionTag } from '../domain/project-view';
import { MAX_SAVE_BODY_BYTES, projectContent, saveProjectBody } from '../domain/saving';

/** POST /v1/projects: version 1 of a new project; its files' refCounts rise in the same transaction. */
export const handler = httpHandler(
  async ({ event, body }) => {
    const caller = callerOf(event);
    const owner = projectOwnerOf(caller, 'write');
    const project = await createProject({ tenantId: caller.tenantId, owner }, projectContent(body));
    return {
      statusCode: 201,
      headers: { 'cache-control': 'no-store', ...versionTag(project.version) },
      body: projectView(project),
    };
  },
  { body: saveProjectBody, maxBodyBytes: MAX_SAVE_BODY_BYTES },
);
