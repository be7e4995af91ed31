import type { IncomingHttpHeaders } from 'node:http';
import { header } from './request';
import { buildXml, elements, malformedXml, parseXml, S3Error, text, texts } from './xml';

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const CORS_METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

function assertOneWildcard(kind: string, value: string): void {
  if (value.split('*').length > 2) {
    throw new S3Error(400, 'InvalidRequest', `${kind} "${value}" can not have more than one wildcard.`);
  }
}

/** PutBucketCors body -> rules, validated like S3 (methods, one wildcard per origin/header). */
export function parseCorsConfiguration(xml: string): CorsRule[] {
  const rules = elements(parseXml(xml, 'CORSConfiguration'), 'CORSRule').map((rule): CorsRule => {
    const allowedOrigins = texts(rule, 'AllowedOrigin');
    const allowedMethods = texts(rule, 'AllowedMethod');
    const maxAge = text(rule, 'MaxAgeSeconds');
    if (
      allowedOrigins.length === 0 ||
      allowedMethods.length === 0 ||
      (maxAge !== undefined && !/^\d+$/.test(maxAge))
    ) {
      throw malformedXml();
    }
    for (const method of allowedMethods) {
      if (!CORS_METHODS.has(method)) {
        throw new S3Error(
          400,
          'InvalidRequest',
          `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`,
        );
      }
    }
    const allowedHeaders = texts(rule, 'AllowedHeader');
    allowedOrigins.forEach((origin) => assertOneWildcard('AllowedOrigin', origin));
    allowedHeaders.forEach((name) => assertOneWildcard('AllowedHeader', name));
    return {
      id: text(rule, 'ID'),
      allowedOrigins,
      allowedMethods,
      allowedHeaders,
      exposeHeaders: texts(rule, 'ExposeHeader'),
      maxAgeSeconds: maxAge === undefined ? undefined : Number(maxAge),
    };
  });
  if (rules.length === 0) throw malformedXml();
  return rules;
}

export function corsConfigurationXml(rules: CorsRule[]): string {
  return buildXml('CORSConfiguration', {
    CORSRule: rules.map((rule) => ({
      ID: rule.id,
      AllowedHeader: rule.allowedHeaders,
      AllowedMethod: rule.allowedMethods,
      AllowedOrigin: rule.allowedOrigins,
      ExposeHeader: rule.exposeHeaders,
      MaxAgeSeconds: rule.maxAgeSeconds,
    })),
  });
}

function wildcardMatch(pattern: string, value: string, flags = ''): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, flags).test(value);
}

function matchingRule(
  rules: CorsRule[],
  origin: string,
  method: string,
  requestHeaders: string[] = [],
): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((pattern) => wildcardMatch(pattern, origin)) &&
      rule.allowedMethods.includes(method) &&
      requestHeaders.every((name) =>
        rule.allowedHeaders.some((pattern) => wildcardMatch(pattern, name, 'i')),
      ),
  );
}

function ruleHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  return {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(anyOrigin ? {} : { 'access-control-allow-credentials': 'true' }),
    ...(rule.exposeHeaders.length > 0
      ? { 'access-control-expose-headers': rule.exposeHeaders.join(', ') }
      : {}),
    ...(rule.maxAgeSeconds === undefined ? {} : { 'access-control-max-age': String(rule.maxAgeSeconds) }),
    vary: VARY,
  };
}

/** Answers an OPTIONS preflight like S3: 200 with the matching rule's headers, otherwise an S3Error (400/403). */
export function preflightHeaders(
  rules: CorsRule[] | undefined,
  headers: IncomingHttpHeaders,
): Record<string, string> {
  const origin = header(headers, 'origin');
  if (!origin)
    throw new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
  const method = header(headers, 'access-control-request-method');
  if (!method) throw new S3Error(400, 'BadRequest', 'Invalid Access-Control-Request-Method: null');
  if (!rules) throw new S3Error(403, 'AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.');
  const requestHeaders = (header(headers, 'access-control-request-headers') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const rule = matchingRule(rules, origin, method, requestHeaders);
  if (!rule) {
    throw new S3Error(
      403,
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    );
  }
  return {
    ...ruleHeaders(rule, origin),
    ...(requestHeaders.length > 0 ? { 'access-control-allow-headers': requestHeaders.join(', ') } : {}),
  };
}

/** CORS headers S3 adds to an actual (non-preflight) answer; none when no rule allows this origin and method. */
export function responseCorsHeaders(
  rules: CorsRule[] | undefined,
  origin: string | undefined,
  method: string,
): Record<string, string> {
  const rule = rules && origin ? matchingRule(rules, origin, method) : undefined;
  return rule && origin ? ruleHeaders(rule, origin) : {};
}
