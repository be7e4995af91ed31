import { callerOf, httpHandler } from '@pixelvault/core';
import { saveProject } from '../adapters/saves';
import { projectOwnerOf } from '../domain/access';
import { projectView, versionTag } from '../domain/project-view';
import { expectedVersion, MAX_SAVE_BODY_BYTES, projectContent, saveProjectBody } from '../domain/saving';

/**
 * PUT /v1/projects/{id} with `If-Match: "<version>"`: the next version, or 412 with the current one when
 * another save came first (428 without If-Match).
 */
export const handler = httpHandler(
  async ({ event, body }) => {
    const caller = callerOf(event);
    const owner = projectOwnerOf(caller, 'write');
    const expected = expectedVersion(event.headers['if-match']);
    const project = await saveProject(
      { tenantId: caller.tenantId, owner },
      event.pathParameters?.id ?? '',
      expected,
      projectContent(body),
    );
    return {
      statusCode: 200,
      headers: { 'cache-control': 'no-store', ...versionTag(project.version) },
      body: projectView(project),
    };
  },
  { body: saveProjectBody, maxBodyBytes: MAX_SAVE_BODY_BYTES },
);
