/**
 * The OpenAPI 3.1 description of Pixelvault's public REST APIs (auth, files, projects, orders), served at
 * GET /v1/openapi.json so partners can generate clients. A test compares its operations with the http events
 * every service deploys and calls each one on the live system.
 */
import { DEFAULT_PAGE_SIZE, ERASURE_COUNTS, MAX_PAGE_SIZE } from '@pixelvault/core';
import { MAX_ORDER_PROJECTS } from '../domain/ordering';
import { MAX_FILE_IDS } from '../domain/saving';
import { MAX_SHARE_DAYS } from '../domain/sharing';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const body = (schema: object) => ({ required: true, content: json(schema) });
const answer = (description: string, schema?: object) => ({
  description,
  ...(schema === undefined ? {} : { content: json(schema) }),
});
const error = (description: string) => answer(description, ref('Error'));
const idParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const listParams = [
  {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
  },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page' },
];
const session = [{ bearer: [] }];
const partner = [{ bearer: [], partnerApiKey: [] }];
const refusals = {
  '400': error('Invalid input; `details` names each field and why'),
  '401': error('No or invalid token'),
  '403': error('The token lacks the scope or kind'),
};

const project = {
  type: 'object',
  required: [
    'id',
    'title',
    'product',
    'version',
    'fileCount',
    'documentBytes',
    'createdAt',
    'updatedAt',
    'expiresAt',
  ],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    product: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
    version: { type: 'integer', minimum: 1 },
    fileCount: { type: 'integer' },
    documentBytes: { type: 'integer' },
    fileIds: { type: 'array', items: { type: 'string' } },
    document: { description: 'The editor document (GET one project only)' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Pixelvault',
    version: '1',
    description:
      'Image storage for photo-product e-commerce. Errors are `{ "error": { "code", "message", "details"? } }`.',
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256)' },
      partnerApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
          },
        },
      },
      Erasure: {
        type: 'object',
        required: ['userId', 'state', 'requestedAt', 'counts'],
        properties: {
          userId: { type: 'string' },
          state: { type: 'string', enum: ['running', 'done'] },
          requestedAt: { type: 'string', format: 'date-time' },
          finishedAt: { type: 'string', format: 'date-time' },
          counts: {
            type: 'object',
            properties: Object.fromEntries(ERASURE_COUNTS.map((count) => [count, { type: 'integer' }])),
          },
        },
      },
      Session: {
        type: 'object',
        required: ['sessionId', 'accessToken', 'expiresAt'],
        properties: {
          sessionId: { type: 'string' },
          accessToken: { type: 'string' },
          expiresAt: { type: 'string', format: 'date-time' },
        },
      },
      File: {
        type: 'object',
        required: ['id', 'name', 'contentType', 'size', 'sha256', 'state', 'createdAt', 'updatedAt'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          contentType: { type: 'string' },
          size: { type: 'integer' },
          sha256: { type: 'string', description: 'base64' },
          state: { enum: ['pending', 'processing', 'ready', 'rejected'] },
          width: { type: 'integer' },
          height: { type: 'integer' },
          format: { type: 'string' },
          variants: { type: 'object' },
          rejection: { type: 'object' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      RegisterFile: {
        type: 'object',
        required: ['name', 'contentType', 'size', 'sha256'],
        properties: {
          name: { type: 'string' },
          contentType: { type: 'string' },
          size: { type: 'integer' },
          sha256: { type: 'string', description: 'base64' },
        },
      },
      Project: project,
      SaveProject: {
        type: 'object',
        required: ['title', 'product', 'document'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 200 },
          product: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
          document: { description: 'Any JSON, up to 10 MiB serialized' },
          fileIds: { type: 'array', items: { type: 'string' }, maxItems: MAX_FILE_IDS },
        },
      },
      Download: {
        type: 'object',
        required: ['url', 'expiresAt'],
        properties: {
          url: { type: 'string', format: 'uri' },
          expiresAt: { type: 'string', format: 'date-time' },
        },
      },
      Order: {
        type: 'object',
        required: ['id', 'externalOrderId', 'state', 'retainUntil', 'createdAt', 'projects', 'files'],
        properties: {
          id: { type: 'string' },
          externalOrderId: { type: 'string' },
          state: { enum: ['pinning', 'placed'] },
          retainUntil: { type: 'string', format: 'date-time' },
          createdAt: { type: 'string', format: 'date-time' },
          projects: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                version: { type: 'integer' },
                title: { type: 'string' },
                product: { type: 'object' },
                fileIds: { type: 'array', items: { type: 'string' } },
                document: ref('Download'),
              },
            },
          },
          files: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'string' }, download: ref('Download') } },
          },
        },
      },
    },
  },
  paths: {
    '/v1/auth/token': {
      post: {
        summary: 'Partner token (OAuth 2 client credentials)',
        security: [{ partnerApiKey: [] }],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                required: ['grant_type', 'client_id', 'client_secret'],
                properties: {
                  grant_type: { const: 'client_credentials' },
                  client_id: { type: 'string' },
                  client_secret: { type: 'string' },
                  scope: { type: 'string' },
                },
              },
            },
          },
        },
        responses: {
          '200': answer('The token', {
            type: 'object',
            properties: {
              access_token: { type: 'string' },
              token_type: { const: 'Bearer' },
              expires_in: { type: 'integer' },
              scope: { type: 'string' },
            },
          }),
          '400': error('Bad grant or scope'),
          '401': error('Unknown client or wrong secret'),
          '403': error('Missing or unknown partner API key'),
        },
      },
    },
    '/v1/auth/sessions': {
      post: {
        summary: 'Guest session `{tenantId}` (no token), or a user session `{userId}` with a partner token',
        security: [{}, { bearer: [] }],
        requestBody: body({
          type: 'object',
          properties: { tenantId: { type: 'string' }, userId: { type: 'string' } },
        }),
        responses: {
          '201': answer('The session', ref('Session')),
          ...refusals,
          '409': error('An erasure of the user is running'),
          '429': error('Too many'),
        },
      },
    },
    '/v1/auth/sessions/current': {
      delete: {
        summary: 'Log out: every token of the session (and its upload links) stops',
        security: session,
        responses: { '204': answer('Ended'), '401': refusals['401'] },
      },
    },
    '/v1/auth/sessions/{sessionId}/claim': {
      post: {
        summary: "Move a guest's files and projects to a user",
        security: partner,
        parameters: [idParam('sessionId', 'The guest session')],
        requestBody: body({
          type: 'object',
          required: ['userId'],
          properties: { userId: { type: 'string' } },
        }),
        responses: {
          '202': answer('Accepted'),
          ...refusals,
          '404': error('No such session'),
          '409': error('Claimed'),
        },
      },
    },
    '/v1/auth/users/{userId}/erase': {
      post: {
        summary:
          "Erase everything of a partner's user (sessions, projects, shares, orders, files); its tokens stop at once; 202, then GET the report",
        security: partner,
        parameters: [idParam('userId', "The partner's user")],
        responses: { '202': answer('Accepted, or already running', ref('Erasure')), ...refusals },
      },
      get: {
        summary: 'The report of an erasure: state and counts',
        security: partner,
        parameters: [idParam('userId', "The partner's user")],
        responses: { '200': answer('The report', ref('Erasure')), ...refusals, '404': error('No erasure') },
      },
    },
    '/v1/auth/upload-links': {
      post: {
        summary: 'Upload link with QR code for the phone',
        security: session,
        requestBody: { content: json({ type: 'object', properties: { longTerm: { type: 'boolean' } } }) },
        responses: {
          '201': answer('The link', {
            type: 'object',
            properties: {
              token: { type: 'string' },
              url: { type: 'string' },
              qrSvg: { type: 'string' },
              expiresAt: { type: 'string', format: 'date-time' },
            },
          }),
          ...refusals,
        },
      },
    },
    '/v1/auth/.well-known/jwks.json': {
      get: {
        summary: 'Public signing keys',
        security: [{}],
        responses: { '200': answer('JWKS', { type: 'object' }) },
      },
    },
    '/v1/files': {
      post: {
        summary: 'Register a file; returns its presigned upload',
        security: session,
        requestBody: body(ref('RegisterFile')),
        responses: {
          '201': answer(
            'The file and its upload: `{method: "PUT", url, headers}` or `{method: "MULTIPART", parts}`',
            {
              type: 'object',
              properties: { file: ref('File'), upload: { type: 'object' } },
            },
          ),
          ...refusals,
          '413': error('Too large'),
        },
      },
      get: {
        summary: "The caller's files, newest first",
        security: session,
        parameters: listParams,
        responses: {
          '200': answer('A page', {
            type: 'object',
            properties: {
              items: { type: 'array', items: ref('File') },
              nextCursor: { type: ['string', 'null'] },
            },
          }),
          ...refusals,
        },
      },
    },
    '/v1/files/batch': {
      post: {
        summary: 'Register up to 100 files; each item answers `{file, upload}` or `{error}`',
        security: session,
        requestBody: body({
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', maxItems: 100, items: ref('RegisterFile') } },
        }),
        responses: { '201': answer('One answer per item', { type: 'object' }), ...refusals },
      },
    },
    '/v1/files/{id}': {
      get: {
        summary: 'One file',
        security: session,
        parameters: [idParam('id', 'File id')],
        responses: {
          '200': answer('The file', ref('File')),
          ...refusals,
          '404': error('Not found or not yours'),
        },
      },
      delete: {
        summary: 'Delete a file no project uses and no order pins',
        security: session,
        parameters: [idParam('id', 'File id')],
        responses: {
          '204': answer('Deleted'),
          ...refusals,
          '404': error('Not found or not yours'),
          '409': error('A project uses it or an order pins it'),
        },
      },
    },
    '/v1/files/{id}/complete': {
      post: {
        summary: 'Finish a multipart upload (`{parts: [{partNumber, etag}]}`) or hint that a PUT is done',
        security: session,
        parameters: [idParam('id', 'File id')],
        requestBody: { content: json({ type: 'object', properties: { parts: { type: 'array' } } }) },
        responses: {
          '202': answer('Processing follows', ref('File')),
          ...refusals,
          '404': error('Not found'),
        },
      },
    },
    '/v1/files/{id}/download': {
      get: {
        summary: 'Presigned GET of a ready file',
        security: session,
        parameters: [
          idParam('id', 'File id'),
          { name: 'variant', in: 'query', schema: { enum: ['original', 'thumbnail', 'preview'] } },
        ],
        responses: {
          '200': answer('The download', ref('Download')),
          ...refusals,
          '404': error('Not found or not yours'),
          '409': error('Not ready'),
        },
      },
    },
    '/v1/projects': {
      post: {
        summary: 'Create a project (version 1)',
        security: session,
        requestBody: body(ref('SaveProject')),
        responses: {
          '201': answer('The project', ref('Project')),
          ...refusals,
          '413': error('Document over 10 MiB'),
        },
      },
      get: {
        summary: "The caller's projects, newest first, without documents",
        security: session,
        parameters: listParams,
        responses: {
          '200': answer('A page', {
            type: 'object',
            properties: {
              items: { type: 'array', items: ref('Project') },
              nextCursor: { type: ['string', 'null'] },
            },
          }),
          ...refusals,
        },
      },
    },
    '/v1/projects/{id}': {
      get: {
        summary: 'One project with its document; ETag is its version',
        security: session,
        parameters: [idParam('id', 'Project id')],
        responses: {
          '200': answer('The project', ref('Project')),
          ...refusals,
          '404': error('Not found or not yours'),
        },
      },
      put: {
        summary: 'Save the next version',
        security: session,
        parameters: [
          idParam('id', 'Project id'),
          { name: 'If-Match', in: 'header', required: true, schema: { type: 'string', examples: ['"3"'] } },
        ],
        requestBody: body(ref('SaveProject')),
        responses: {
          '200': answer('The saved project', ref('Project')),
          ...refusals,
          '404': error('Not found or not yours'),
          '412': error('Stale version; details.currentVersion'),
          '413': error('Document over 10 MiB'),
          '428': error('If-Match missing'),
        },
      },
      delete: {
        summary: 'Delete a project and release its files',
        security: session,
        parameters: [idParam('id', 'Project id')],
        responses: { '204': answer('Deleted'), ...refusals, '404': error('Not found or not yours') },
      },
    },
    '/v1/projects/{id}/shares': {
      post: {
        summary: 'Share a project for copying',
        security: session,
        parameters: [idParam('id', 'Project id')],
        requestBody: {
          content: json({
            type: 'object',
            properties: { expiresInDays: { type: 'integer', minimum: 1, maximum: MAX_SHARE_DAYS } },
          }),
        },
        responses: {
          '201': answer('The share', {
            type: 'object',
            properties: {
              shareToken: { type: 'string' },
              url: { type: 'string' },
              expiresAt: { type: 'string', format: 'date-time' },
            },
          }),
          ...refusals,
          '404': error('Not found or not yours'),
        },
      },
    },
    '/v1/projects/{id}/shares/{shareToken}': {
      delete: {
        summary: 'Revoke a share',
        security: session,
        parameters: [idParam('id', 'Project id'), idParam('shareToken', 'The share token')],
        responses: { '204': answer('Revoked'), ...refusals, '404': error('No such share') },
      },
    },
    '/v1/projects/shared/{shareToken}/copy': {
      post: {
        summary: 'Copy a shared project (same files, no byte copies)',
        security: session,
        parameters: [idParam('shareToken', 'The share token')],
        responses: {
          '201': answer('The copy', ref('Project')),
          ...refusals,
          '404': error('Unknown, expired or revoked token'),
          '409': error('A shared file is no longer usable'),
        },
      },
    },
    '/v1/orders': {
      post: {
        summary: 'Place an order: freeze projects, pin their files (idempotent on externalOrderId)',
        security: partner,
        requestBody: body({
          type: 'object',
          required: ['externalOrderId', 'projectIds'],
          properties: {
            externalOrderId: { type: 'string' },
            userId: { type: 'string' },
            sessionId: { type: 'string' },
            projectIds: {
              type: 'array',
              items: { type: 'string' },
              minItems: 1,
              maxItems: MAX_ORDER_PROJECTS,
            },
            retainUntil: { type: 'string', format: 'date-time' },
          },
        }),
        responses: {
          '200': answer('The same request again: the same order', ref('Order')),
          '201': answer('The order', ref('Order')),
          ...refusals,
          '409': error('externalOrderId used with another body, or files not ready'),
        },
      },
    },
    '/v1/orders/{id}': {
      get: {
        summary: 'An order with download URLs of every pinned file',
        security: partner,
        parameters: [idParam('id', 'Order id')],
        responses: { '200': answer('The order', ref('Order')), ...refusals, '404': error('Not found') },
      },
    },
    '/v1/openapi.json': {
      get: {
        summary: 'This document',
        security: [{}],
        responses: { '200': answer('OpenAPI 3.1', { type: 'object' }) },
      },
    },
  },
} as const;
