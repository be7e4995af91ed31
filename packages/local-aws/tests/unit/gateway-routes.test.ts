import path from 'node:path';
import { isOfflineRefusal, loadGatewayResponses } from '../../src/system/gateway-responses';
import { routeFor } from '../../src/system/gateway';
import { findJob } from '../../src/dev-state';

describe('base path mappings of the local origin', () => {
  const mappings = [
    { basePath: '/v1/files', target: 'http://127.0.0.1:1' },
    { basePath: '/v1/projects', target: 'http://127.0.0.1:2' },
    { basePath: '/v1/projects/shared', target: 'http://127.0.0.1:3' },
  ];

  it.each([
    ['/v1/files', 'http://127.0.0.1:1'],
    ['/v1/files/abc/download', 'http://127.0.0.1:1'],
    ['/v1/projects/p1', 'http://127.0.0.1:2'],
    ['/v1/projects/shared/token/copy', 'http://127.0.0.1:3'],
  ])('sends %s to %s', (pathname, target) => {
    expect(routeFor(mappings, pathname)?.target).toBe(target);
  });

  it.each(['/v1/filesystem', '/v1', '/', '/v2/files'])('maps nothing to %s', (pathname) => {
    expect(routeFor(mappings, pathname)).toBeUndefined();
  });
});

describe('job names', () => {
  const jobs = [{ name: 'reportQueueDepths' }, { name: 'expirePending' }];

  it('finds a job by its function key or its kebab-case name', () => {
    expect(findJob(jobs, 'reportQueueDepths')).toBe(jobs[0]);
    expect(findJob(jobs, 'report-queue-depths')).toBe(jobs[0]);
  });

  it('finds nothing for an unknown name', () => {
    expect(findJob(jobs, 'report')).toBeUndefined();
  });
});

describe('gateway responses', () => {
  it('answers offline refusals with the templates every service deploys: authorizer 401, API key 403, body 413', () => {
    // Act
    const responses = loadGatewayResponses(path.resolve(__dirname, '../../../..'));
    // Assert
    expect(JSON.parse(responses.get(401)!)).toEqual({
      error: { code: 'unauthorized', message: 'Missing or invalid token' },
    });
    expect(JSON.parse(responses.get(403)!).error.code).toBe('invalid_api_key');
    expect(JSON.parse(responses.get(413)!).error.code).toBe('payload_too_large');
  });

  it("recognises serverless-offline's refusal, never a handler's error body", () => {
    expect(isOfflineRefusal(401, '{"statusCode":401,"error":"Unauthorized","message":"Unauthorized"}')).toBe(
      true,
    );
    expect(isOfflineRefusal(403, '{"message":"Forbidden"}')).toBe(true);
    expect(
      isOfflineRefusal(
        413,
        '{"statusCode":413,"error":"Request Entity Too Large","message":"Payload content length greater than maximum allowed: 10485760"}',
      ),
    ).toBe(true);
    expect(isOfflineRefusal(413, '{"error":{"code":"payload_too_large","message":"x"}}')).toBe(false);
    expect(isOfflineRefusal(403, '{"error":{"code":"insufficient_scope","message":"x"}}')).toBe(false);
    expect(isOfflineRefusal(400, '{"statusCode":400,"error":"Bad Request"}')).toBe(false);
  });
});
