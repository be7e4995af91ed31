import { callerOf, httpHandler, logger, measureCapacity } from '@pixelvault/core';
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
    const { result: project, capacity } = await measureCapacity(() =>
      saveProject(
        { tenantId: caller.tenantId, owner },
        event.pathParameters?.id ?? '',
        expected,
        projectContent(body),
      ),
    );
    // What a save costs in DynamoDB capacity units (the bench reads this line).
    logger.info('project saved', {
      projectId: project.projectId,
      version: project.version,
      fileCount: project.fileIds.length,
      documentBytes: project.documentBytes,
      consumedCapacity: capacity,
    });
    return {
      statusCode: 200,
      headers: { 'cache-control': 'no-store', ...versionTag(project.version) },
      body: projectView(project),
    };
  },
  { body: saveProjectBody, maxBodyBytes: MAX_SAVE_BODY_BYTES },
);
