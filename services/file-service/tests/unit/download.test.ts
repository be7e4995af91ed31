import type { FileItem } from '@pixelvault/core';
import { contentDisposition, downloadTarget, parseVariant, safeFileName } from '../../src/domain/download';

const readyFile = (name: string) =>
  ({
    name,
    state: 'ready',
    objectKey: 't/acme/o/session#s1/f/F1/original',
    variants: {
      thumbnail: {
        key: 't/acme/o/session#s1/f/F1/thumbnail',
        contentType: 'image/webp',
        width: 256,
        height: 128,
        size: 900,
      },
      preview: {
        key: 't/acme/o/session#s1/f/F1/preview',
        contentType: 'image/webp',
        width: 1600,
        height: 800,
        size: 9000,
      },
    },
  }) as unknown as FileItem;

describe('safeFileName', () => {
  it.each([
    ['holiday 2024.jpg', 'holiday 2024.jpg'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['say "cheese".jpg', 'say cheese.jpg'],
    ['evil\r\nSet-Cookie: a=b.jpg', 'evilSet-Cookie_ a=b.jpg'],
    ['tab\there.png', 'tabhere.png'],
    ['line\u2028break.jpg', 'linebreak.jpg'],
    ['photo\u202Egpj.exe', 'photogpj.exe'],
    ['...hidden.jpg', 'hidden.jpg'],
    ['trailing. . ', 'trailing'],
    ['what?*<>|.jpg', 'what_____.jpg'],
    ['Grüße aus Köln 日本.jpg', 'Grüße aus Köln 日本.jpg'],
    ['', 'download'],
    ['../', 'download'],
    ['\u0000\u0007"', 'download'],
  ])('turns %j into %j', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });

  it('composes decomposed accents (NFC)', () => {
    expect(safeFileName('Cafe\u0301.jpg')).toBe('Café.jpg');
  });

  it('cuts a long name to 150 characters, keeping the extension', () => {
    const safe = safeFileName(`${'ü'.repeat(300)}.jpeg`);
    expect([...safe]).toHaveLength(150);
    expect(safe.endsWith('ü.jpeg')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name (RFC 6266)', () => {
    expect(contentDisposition('attachment', 'Grüße 100% (1).jpg')).toBe(
      `attachment; filename="Gru_e 100_ (1).jpg"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20100%25%20%281%29.jpg`,
    );
  });

  it('keeps the fallback printable ASCII for a name without any', () => {
    expect(contentDisposition('inline', '日本.webp')).toBe(
      `inline; filename="__.webp"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.webp`,
    );
  });
});

describe('parseVariant', () => {
  it.each([
    [null, 'original'],
    [{}, 'original'],
    [{ variant: 'thumbnail' }, 'thumbnail'],
    [{ variant: 'preview' }, 'preview'],
  ])('reads %j as %s', (query, variant) => {
    expect(parseVariant(query)).toBe(variant);
  });

  it.each(['', 'Thumbnail', 'large', 'original/../x'])('refuses %j with 400 naming variant', (variant) => {
    expect(() => parseVariant({ variant })).toThrow(
      expect.objectContaining({
        statusCode: 400,
        details: [{ field: 'variant', reason: 'must be one of original, thumbnail, preview' }],
      }),
    );
  });
});

describe('downloadTarget', () => {
  it('serves the original as an attachment with the stored Content-Type', () => {
    expect(downloadTarget(readyFile('a/b"c.jpg'), 'original')).toEqual({
      key: 't/acme/o/session#s1/f/F1/original',
      contentDisposition: `attachment; filename="bc.jpg"; filename*=UTF-8''bc.jpg`,
    });
  });

  it('serves a variant inline as <name>-<variant>.webp with its Content-Type', () => {
    expect(downloadTarget(readyFile('holiday.jpg'), 'thumbnail')).toEqual({
      key: 't/acme/o/session#s1/f/F1/thumbnail',
      contentDisposition: `inline; filename="holiday-thumbnail.webp"; filename*=UTF-8''holiday-thumbnail.webp`,
      contentType: 'image/webp',
    });
  });

  it.each(['pending', 'processing', 'rejected'])(
    'refuses a %s file with 409 not_ready naming it',
    (state) => {
      const file = { ...readyFile('a.jpg'), state } as FileItem;
      expect(() => downloadTarget(file, 'original')).toThrow(
        expect.objectContaining({ statusCode: 409, code: 'not_ready', details: { state } }),
      );
    },
  );
});
