import { projectExpiry } from '@pixelvault/core';
import {
  expectedVersion,
  isInlineDocument,
  projectContent,
  referenceChanges,
  saveProjectBody,
} from '../../src/domain/saving';

const id = (n: number) => `file-${String(n).padStart(16, '0')}`;

describe('referenceChanges', () => {
  it('names the files a save starts and stops using', () => {
    expect(referenceChanges([id(1), id(2)], [id(2), id(3)])).toEqual({ added: [id(3)], removed: [id(1)] });
  });

  it('allows 99 changes and refuses 100 with a 400 naming fileIds', () => {
    const many = Array.from({ length: 100 }, (_, n) => id(n));
    expect(referenceChanges([], many.slice(0, 99)).added).toHaveLength(99);
    expect(() => referenceChanges([], many)).toThrow(
      expect.objectContaining({ statusCode: 400, details: [expect.objectContaining({ field: 'fileIds' })] }),
    );
  });
});

describe('expectedVersion', () => {
  it.each([
    ['"3"', 3],
    ['7', 7],
    [' "12" ', 12],
  ])('reads If-Match %s as version %d', (header, version) => {
    expect(expectedVersion(header)).toBe(version);
  });

  it('answers a missing If-Match with 428 and anything else with 400', () => {
    expect(() => expectedVersion(undefined)).toThrow(expect.objectContaining({ statusCode: 428 }));
    for (const header of ['*', 'W/"3"', '"0"', '"abc"', '"3", "4"']) {
      expect(() => expectedVersion(header)).toThrow(expect.objectContaining({ statusCode: 400 }));
    }
  });
});

describe('projectContent', () => {
  it('keeps each file id once, in first-use order, and measures the serialized document', () => {
    const body = saveProjectBody.parse({
      title: ' Book ',
      product: { type: 'photo-book' },
      document: { text: 'ü' },
      fileIds: [id(2), id(1), id(2)],
    });
    expect(projectContent(body)).toEqual({
      title: 'Book',
      product: { type: 'photo-book' },
      documentJson: '{"text":"ü"}',
      documentBytes: 13,
      fileIds: [id(2), id(1)],
    });
  });

  it('keeps documents up to 300 KB inline', () => {
    expect(isInlineDocument({ documentBytes: 300 * 1024 })).toBe(true);
    expect(isInlineDocument({ documentBytes: 300 * 1024 + 1 })).toBe(false);
  });
});

describe('projectExpiry', () => {
  const now = new Date('2026-12-01T10:00:00.000Z');

  it('keeps guest projects 30 days and user projects 365 days by default', () => {
    expect(projectExpiry('session#abc', undefined, now)).toBe('2026-12-31T10:00:00.000Z');
    expect(projectExpiry('user#abc', {}, now)).toBe('2027-12-01T10:00:00.000Z');
  });

  it("takes the tenant's retention for each kind of owner", () => {
    const settings = { guestProjectRetentionDays: 7, userProjectRetentionDays: 90 };
    expect(projectExpiry('session#abc', settings, now)).toBe('2026-12-08T10:00:00.000Z');
    expect(projectExpiry('user#abc', settings, now)).toBe('2027-03-01T10:00:00.000Z');
  });
});
