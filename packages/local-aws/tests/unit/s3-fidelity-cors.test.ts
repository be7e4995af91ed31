import {
  corsConfigurationXml,
  parseCorsConfiguration,
  preflightHeaders,
  responseCorsHeaders,
  type CorsRule,
} from '../../src/s3-fidelity/cors';

const configuration = (rules: string) =>
  `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</CORSConfiguration>`;

const rules: CorsRule[] = [
  {
    allowedOrigins: ['https://*.pixelvault.test'],
    allowedMethods: ['PUT'],
    allowedHeaders: ['content-type', 'x-amz-*'],
    exposeHeaders: ['ETag'],
    maxAgeSeconds: 60,
  },
  { allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] },
];

const preflight = (origin: string, method: string, requestHeaders?: string) =>
  preflightHeaders(rules, {
    origin,
    'access-control-request-method': method,
    'access-control-request-headers': requestHeaders,
  });

describe('parseCorsConfiguration', () => {
  it('reads every rule of a PutBucketCors body', () => {
    // Arrange
    const xml = configuration(
      '<CORSRule><ID>web</ID><AllowedHeader>*</AllowedHeader><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>' +
        '<AllowedOrigin>https://a.test</AllowedOrigin><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>300</MaxAgeSeconds></CORSRule>' +
        '<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>',
    );

    // Act
    const parsed = parseCorsConfiguration(xml);

    // Assert
    expect(parsed).toEqual([
      {
        id: 'web',
        allowedOrigins: ['https://a.test'],
        allowedMethods: ['PUT', 'GET'],
        allowedHeaders: ['*'],
        exposeHeaders: ['ETag'],
        maxAgeSeconds: 300,
      },
      {
        id: undefined,
        allowedOrigins: ['*'],
        allowedMethods: ['GET'],
        allowedHeaders: [],
        exposeHeaders: [],
        maxAgeSeconds: undefined,
      },
    ]);
  });

  it('round-trips through the GetBucketCors document', () => {
    // Act, Assert
    expect(parseCorsConfiguration(corsConfigurationXml(rules))).toEqual(
      rules.map((rule) => ({ id: undefined, maxAgeSeconds: undefined, ...rule })),
    );
  });

  it.each([
    ['not XML', '<CORSConfiguration><CORSRule>', 'MalformedXML'],
    ['no rule', configuration(''), 'MalformedXML'],
    [
      'a rule without origin',
      configuration('<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>'),
      'MalformedXML',
    ],
    [
      'an unsupported method',
      configuration(
        '<CORSRule><AllowedMethod>PATCH</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>',
      ),
      'InvalidRequest',
    ],
    [
      'an origin with two wildcards',
      configuration(
        '<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://*.*.test</AllowedOrigin></CORSRule>',
      ),
      'InvalidRequest',
    ],
  ])('rejects %s with 400 %s', (_case, xml, code) => {
    // Act, Assert
    expect(() => parseCorsConfiguration(xml)).toThrow(expect.objectContaining({ status: 400, code }));
  });
});

describe('preflightHeaders', () => {
  it('allows a wildcard origin match with the requested headers, echoing the origin with credentials', () => {
    // Act
    const headers = preflight('https://shop.pixelvault.test', 'PUT', 'Content-Type, X-Amz-Meta-Tenant');

    // Assert
    expect(headers).toMatchObject({
      'access-control-allow-origin': 'https://shop.pixelvault.test',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type, x-amz-meta-tenant',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'ETag',
      'access-control-max-age': '60',
    });
  });

  it('answers * without credentials for a rule allowing any origin', () => {
    // Act
    const headers = preflight('https://anyone.test', 'GET');

    // Assert
    expect(headers['access-control-allow-origin']).toBe('*');
    expect(headers['access-control-allow-credentials']).toBeUndefined();
  });

  it.each([
    ['an origin outside the wildcard', 'https://pixelvault.test.evil', 'PUT', undefined, 403],
    ['a method of no rule', 'https://shop.pixelvault.test', 'DELETE', undefined, 403],
    ['a header of no rule', 'https://shop.pixelvault.test', 'PUT', 'authorization', 403],
    ['no Origin', '', 'PUT', undefined, 400],
    ['no Access-Control-Request-Method', 'https://shop.pixelvault.test', '', undefined, 400],
  ])('refuses %s', (_case, origin, method, requestHeaders, status) => {
    // Act, Assert
    expect(() => preflight(origin, method, requestHeaders)).toThrow(expect.objectContaining({ status }));
  });

  it('refuses every preflight on a bucket without CORS configuration with 403', () => {
    // Act, Assert
    expect(() =>
      preflightHeaders(undefined, { origin: 'https://a.test', 'access-control-request-method': 'GET' }),
    ).toThrow(expect.objectContaining({ status: 403, code: 'AccessForbidden' }));
  });
});

describe('responseCorsHeaders', () => {
  it('adds headers only for an origin and method a rule allows', () => {
    // Act, Assert
    expect(responseCorsHeaders(rules, 'https://shop.pixelvault.test', 'PUT')).toMatchObject({
      vary: expect.stringContaining('Origin'),
    });
    expect(responseCorsHeaders(rules, 'https://shop.pixelvault.test', 'DELETE')).toEqual({});
    expect(responseCorsHeaders(rules, undefined, 'GET')).toEqual({});
    expect(responseCorsHeaders(undefined, 'https://shop.pixelvault.test', 'PUT')).toEqual({});
  });
});
