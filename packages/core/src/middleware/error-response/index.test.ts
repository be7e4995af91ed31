import { errorResponse } from '.';
import { ApiError } from '../../errors';

type OnError = NonNullable<ReturnType<typeof errorResponse>['onError']>;

function requestWith(error: unknown) {
  return {
    error,
    response: undefined,
    event: {},
    context: {},
    internal: {},
  } as unknown as Parameters<OnError>[0];
}
const silent = { warn: () => undefined, error: () => undefined };

describe('errorResponse middleware', () => {
  it('maps an ApiError to its status and the documented error body', async () => {
    // Arrange
    const request = requestWith(
      new ApiError(400, 'invalid_request', 'name is required', [{ field: 'name' }]),
    );
    // Act
    await errorResponse({ logger: silent }).onError!(request);
    // Assert
    expect(request.response?.statusCode).toBe(400);
    expect(JSON.parse(request.response!.body)).toEqual({
      error: { code: 'invalid_request', message: 'name is required', details: [{ field: 'name' }] },
    });
  });

  it('hides the message and stack of an unexpected error behind a bare 500', async () => {
    // Arrange
    const request = requestWith(new Error('connect ECONNREFUSED 10.0.0.1:8000 at secretFunction'));
    // Act
    await errorResponse({ logger: silent }).onError!(request);
    // Assert
    expect(request.response?.statusCode).toBe(500);
    expect(request.response?.body).not.toContain('ECONNREFUSED');
    expect(JSON.parse(request.response!.body)).toEqual({
      error: { code: 'internal_error', message: 'Internal error' },
    });
  });

  it('keeps the 4xx status of errors raised by other middlewares', async () => {
    // Arrange
    const request = requestWith(
      Object.assign(new Error('Content type defined as JSON but an invalid JSON was provided'), {
        statusCode: 415,
      }),
    );
    // Act
    await errorResponse({ logger: silent }).onError!(request);
    // Assert
    expect(request.response?.statusCode).toBe(415);
    expect(JSON.parse(request.response!.body).error.code).toBe('unsupported_media_type');
  });

  it('tells a throttled client when to retry', async () => {
    // Arrange
    const request = requestWith(new ApiError(429, 'rate_limited', 'slow down', { retryAfterSeconds: 17 }));
    // Act
    await errorResponse({ logger: silent }).onError!(request);
    // Assert
    expect(request.response?.statusCode).toBe(429);
    expect(request.response?.headers).toMatchObject({ 'retry-after': '17' });
  });

  it('rejects unknown options', () => {
    expect(() => errorResponse({ loger: silent } as never)).toThrow('unknown option "loger"');
  });
});
