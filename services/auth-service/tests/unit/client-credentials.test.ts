import { ApiError } from '@pixelvault/core';
import { parseClientCredentials } from '../../src/domain/client-credentials';

const FORM = 'application/x-www-form-urlencoded';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function rejection(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('client credentials request', () => {
  it('reads a form-encoded request with the client in the body', () => {
    // Act
    const request = parseClientCredentials(
      FORM,
      'grant_type=client_credentials&client_id=demo-partner&client_secret=s%26cret&scope=orders%3Aread',
      undefined,
    );
    // Assert
    expect(request).toEqual({ clientId: 'demo-partner', clientSecret: 's&cret', scope: 'orders:read' });
  });

  it('prefers HTTP Basic client authentication and decodes it per RFC 6749', () => {
    // Act
    const request = parseClientCredentials(
      FORM,
      'grant_type=client_credentials',
      basic('demo-partner', 'p:ss wörd'),
    );
    // Assert
    expect(request).toEqual({ clientId: 'demo-partner', clientSecret: 'p:ss wörd', scope: undefined });
  });

  it('reads a JSON request', () => {
    const request = parseClientCredentials(
      'application/json; charset=utf-8',
      '{"grant_type":"client_credentials","client_id":"a1b","client_secret":"x"}',
      undefined,
    );
    expect(request.clientId).toBe('a1b');
  });

  it.each([
    ['another grant type', FORM, 'grant_type=password&client_id=a&client_secret=b', 400, 'grant_type'],
    ['no secret', FORM, 'grant_type=client_credentials&client_id=a', 400, 'client_secret'],
    ['no client at all', FORM, 'grant_type=client_credentials', 400, 'client_id'],
  ])('refuses %s with a 400 naming the field', (_case, type, body, status, field) => {
    // Act
    const error = rejection(() => parseClientCredentials(type, body, undefined));
    // Assert
    expect(error).toMatchObject({ statusCode: status, code: 'invalid_request' });
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('refuses malformed JSON and other content types', () => {
    expect(
      rejection(() => parseClientCredentials('application/json', '{"grant_type":', undefined)),
    ).toMatchObject({ statusCode: 400, code: 'invalid_json' });
    expect(
      rejection(() => parseClientCredentials('text/plain', 'grant_type=client_credentials', undefined)),
    ).toMatchObject({ statusCode: 415 });
  });
});
