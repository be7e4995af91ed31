import { ApiError, type Caller, type FileItem } from '@pixelvault/core';
import { DEFAULT_UPLOAD_LIMITS } from '../../src/domain/limits';
import {
  checkRegistration,
  multipartPlan,
  MULTIPART_PART_SIZE,
  partLength,
  registerFiles,
  registrantOf,
  registrationExpiry,
  type RegistrationPorts,
} from '../../src/domain/registration';

const MIB = 1024 * 1024;
const registration = {
  name: 'photo.jpg',
  contentType: 'image/jpeg',
  size: 1024,
  sha256: Buffer.alloc(32).toString('base64'),
};

const refusal = (input: unknown, limits = DEFAULT_UPLOAD_LIMITS) => {
  try {
    checkRegistration(input, limits);
  } catch (error) {
    return error instanceof ApiError ? { status: error.statusCode, ...error.toBody().error } : error;
  }
  return undefined;
};

describe('checkRegistration', () => {
  it('passes a registration within the limits, stripping unknown fields', () => {
    expect(checkRegistration({ ...registration, extra: 1 }, DEFAULT_UPLOAD_LIMITS)).toEqual(registration);
  });

  it("refuses a type outside the tenant's list with 400 and a size over its limit with 413, naming the field", () => {
    // Arrange
    const limits = { maxUploadBytes: 2048, contentTypes: ['image/png'] as const };

    // Act + Assert
    expect(refusal(registration, limits)).toMatchObject({
      status: 400,
      code: 'invalid_request',
      details: [{ field: 'contentType', reason: expect.stringContaining('image/png') }],
    });
    expect(refusal({ ...registration, contentType: 'image/png', size: 2049 }, limits)).toMatchObject({
      status: 413,
      code: 'payload_too_large',
      details: [{ field: 'size', reason: 'must be at most 2048 bytes' }],
    });
  });

  it('refuses a malformed registration with 400 naming each field', () => {
    expect(refusal({ ...registration, name: '', sha256: 'x' })).toMatchObject({
      status: 400,
      details: [
        { field: 'name', reason: expect.any(String) },
        { field: 'sha256', reason: expect.any(String) },
      ],
    });
  });
});

describe('multipartPlan', () => {
  it('keeps a single PUT up to the threshold and splits a larger file into 8 MiB parts', () => {
    expect(multipartPlan(64 * MIB, 64 * MIB)).toBeUndefined();
    expect(multipartPlan(70 * MIB, 64 * MIB)).toEqual({ partSize: MULTIPART_PART_SIZE, partCount: 9 });
  });

  it('gives every part partSize bytes and the last one the rest', () => {
    // Arrange
    const size = 70 * MIB + 5;
    const plan = multipartPlan(size, 64 * MIB)!;

    // Act
    const lengths = Array.from({ length: plan.partCount }, (_, index) => partLength(size, plan, index + 1));

    // Assert
    expect(lengths.slice(0, 8)).toEqual(Array(8).fill(8 * MIB));
    expect(lengths[8]).toBe(6 * MIB + 5);
    expect(lengths.reduce((sum, length) => sum + length, 0)).toBe(size);
  });
});

describe('registerFiles', () => {
  const registrant = { tenantId: 'shop-a', owner: 'session#s1' as const, longTerm: false };
  const settings = { limits: DEFAULT_UPLOAD_LIMITS, multipartThresholdBytes: 64 * MIB, now: new Date() };

  /** In-memory ports: the table refuses files named `unwritable`, storage refuses to start a multipart upload. */
  const ports: RegistrationPorts = {
    startMultipart: () => Promise.reject(new Error('S3 unavailable')),
    createFiles: (files) =>
      Promise.resolve(
        files.map((file) =>
          file.name === 'unwritable'
            ? new Error('not written')
            : ({ ...file, state: 'pending', createdAt: 'c', updatedAt: 'u' } as unknown as FileItem),
        ),
      ),
    presignPut: (_file, now) =>
      Promise.resolve({ method: 'PUT', url: 'https://put', headers: {}, expiresAt: now.toISOString() }),
    presignParts: () => Promise.reject(new Error('unused')),
  };

  it('answers every item in input order, a fault failing only its own item with 503 unavailable', async () => {
    // Arrange
    const inputs = [
      registration,
      { ...registration, name: 'unwritable' },
      { ...registration, size: 100 * MIB },
      { ...registration, sha256: 'x' },
    ];

    // Act
    const results = await registerFiles(inputs, registrant, settings, ports);

    // Assert
    const unavailable = {
      error: expect.objectContaining({ statusCode: 503, code: 'unavailable' }),
      cause: expect.any(Error),
    };
    expect(results).toEqual([
      {
        file: expect.objectContaining({ name: 'photo.jpg', state: 'pending' }),
        upload: expect.objectContaining({ method: 'PUT' }),
      },
      unavailable,
      unavailable,
      { error: expect.objectContaining({ statusCode: 400, code: 'invalid_request' }) },
    ]);
  });
});

describe('registrationExpiry', () => {
  const now = new Date('2026-11-25T08:00:00.000Z');
  const caller = (kind: Caller['kind'], exp: Date, longTerm?: boolean): Caller => ({
    sub: kind === 'upload' ? 'session#s1' : kind === 'user' ? 'user#u1' : 'session#s1',
    tenantId: 'shop-a',
    scopes: new Set(),
    kind,
    jti: 'j1',
    exp: exp.getTime() / 1000,
    ...(longTerm === undefined ? {} : { longTerm }),
  });
  const inHours = (hours: number) => new Date(now.getTime() + hours * 3600 * 1000);

  it.each([
    ["a guest's file: when the guest session ends", caller('guest', inHours(5)), 'session#s1', inHours(5)],
    ["a user's file: 24 h for the upload", caller('user', inHours(12)), 'user#u1', inHours(24)],
    [
      "a guest's upload link: at most a session's lifetime after the link",
      caller('upload', inHours(0.5)),
      'session#s1',
      inHours(6.5),
    ],
    [
      'a long-term upload link: 24 h for the upload',
      caller('upload', inHours(0.5), true),
      'session#s1',
      inHours(24),
    ],
  ] as const)('%s', (_case, tokenCaller, owner, expected) => {
    // Act
    const expiresAt = registrationExpiry(registrantOf(tokenCaller, owner), now);
    // Assert
    expect(expiresAt).toBe(expected.toISOString());
  });
});
