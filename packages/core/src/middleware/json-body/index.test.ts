import { jsonBody } from '.';
import { ApiError } from '../../errors';

type Before = NonNullable<ReturnType<typeof jsonBody>['before']>;

function requestWith(body: string | null, contentType = 'application/json', isBase64Encoded = false) {
  return {
    event: { body, headers: { 'content-type': contentType }, isBase64Encoded },
  } as unknown as Parameters<Before>[0];
}

async function rejection(promise: Promise<unknown> | void): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('jsonBody middleware', () => {
  const middleware = jsonBody({ maxBytes: 32 });

  it('parses a JSON body within the limit', async () => {
    // Arrange
    const request = requestWith('{"tenantId":"demo"}');
    // Act
    await middleware.before!(request);
    // Assert
    expect(request.event.body).toEqual({ tenantId: 'demo' });
  });

  it('refuses a body over the limit with 413 before parsing it', async () => {
    // Act
    const error = await rejection(middleware.before!(requestWith(JSON.stringify({ name: 'x'.repeat(40) }))));
    // Assert
    expect(error).toMatchObject({ statusCode: 413, code: 'payload_too_large', details: { limit: 32 } });
  });

  it('measures base64 bodies after decoding', async () => {
    // Arrange: 24 bytes of JSON are 32 characters of base64
    const body = Buffer.from('{"a":"0123456789abcdef"}').toString('base64');
    // Act
    const request = requestWith(body, 'application/json', true);
    await middleware.before!(request);
    // Assert
    expect(request.event.body).toEqual({ a: '0123456789abcdef' });
  });

  it.each([
    ['malformed JSON', requestWith('{"tenantId":'), 400, 'invalid_json'],
    [
      'another content type',
      requestWith('tenantId=demo', 'application/x-www-form-urlencoded'),
      415,
      'unsupported_media_type',
    ],
  ])('answers %s with %i %s', async (_case, request, statusCode, code) => {
    // Act
    const error = await rejection(middleware.before!(request));
    // Assert
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ statusCode, code });
  });

  it('leaves an absent body undefined for the route schema to judge, whatever the content type', async () => {
    // Arrange
    const request = requestWith(null, 'text/plain');
    // Act
    await middleware.before!(request);
    // Assert
    expect(request.event.body).toBeUndefined();
  });

  it('refuses a __proto__ key instead of polluting prototypes', async () => {
    // Act
    const error = await rejection(middleware.before!(requestWith('{"__proto__":{"admin":true}}')));
    // Assert
    expect(error).toMatchObject({ statusCode: 400, code: 'invalid_json' });
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });

  it('validates its options', () => {
    expect(() => jsonBody({ maxBytes: 0 })).toThrow('maxBytes must be a positive integer');
    expect(() => jsonBody({ maxBytes: 1, limit: 2 } as never)).toThrow('unknown option "limit"');
  });
});
