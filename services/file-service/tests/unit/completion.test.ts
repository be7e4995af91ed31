import { ApiError } from '@pixelvault/core';
import { requireAllParts } from '../../src/domain/completion';

const multipart = { uploadId: 'u', partSize: 8 * 1024 * 1024, partCount: 3 };
const parts = [1, 2, 3].map((partNumber) => ({ partNumber, etag: `"e${partNumber}"` }));

const fieldOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof ApiError ? [error.statusCode, error.details] : error;
  }
  return undefined;
};

describe('requireAllParts', () => {
  it('takes every part 1..partCount in order', () => {
    expect(requireAllParts({ parts }, multipart)).toEqual(parts);
  });

  it.each([
    ['no body', undefined],
    ['no parts', {}],
    ['a part missing', { parts: parts.slice(0, 2) }],
    ['a part twice', { parts: [parts[0]!, parts[0]!, parts[2]!] }],
    ['parts out of order', { parts: [parts[1]!, parts[0]!, parts[2]!] }],
    ['a part too many', { parts: [...parts, { partNumber: 4, etag: '"e4"' }] }],
  ])('refuses %s with 400 naming parts', (_case, body) => {
    expect(fieldOf(() => requireAllParts(body, multipart))).toEqual([
      400,
      [{ field: 'parts', reason: expect.any(String) }],
    ]);
  });
});
