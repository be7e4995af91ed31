import { eventMessage, testEventMessage } from '@pixelvault/local-aws/src/s3-fidelity/notifications';
import { parseUploadNotices, uploadCompletedHint } from '../../src/domain/upload-notice';

const BUCKET = 'pixelvault-test-bucket';

const objectEvent = (
  key: string,
  eventName: 'ObjectCreated:Put' | 'ObjectRemoved:Delete' = 'ObjectCreated:Put',
) =>
  eventMessage(
    {
      eventName,
      region: 'eu-central-1',
      time: new Date('2026-11-25T10:00:00Z'),
      bucket: BUCKET,
      key,
      ...(eventName === 'ObjectCreated:Put' ? { object: { size: 10, eTag: 'e' } } : {}),
      principalId: 'AWS:TEST',
      sourceIp: '127.0.0.1',
      requestId: 'R',
      hostId: 'H',
      sequencer: 'S',
    },
    'post-upload',
  );

describe('parseUploadNotices', () => {
  it('reads the file of an S3 ObjectCreated record, decoding the URL-encoded key', () => {
    // Arrange: an owner with `#` and a key S3 encodes
    const key = 't/shop-a/o/session#abc def/f/AAAAAAAAAAAAAAAAAAAAAA/original';

    // Act
    const notices = parseUploadNotices(objectEvent(key));

    // Assert
    expect(notices).toEqual([
      { bucket: BUCKET, key, tenantId: 'shop-a', owner: 'session#abc def', fileId: 'AAAAAAAAAAAAAAAAAAAAAA' },
    ]);
  });

  it('reads a POST /complete hint the same way', () => {
    const key = 't/shop-a/o/user#u1/f/BBBBBBBBBBBBBBBBBBBBBB/original';

    expect(parseUploadNotices(JSON.stringify(uploadCompletedHint(BUCKET, key)))).toEqual([
      { bucket: BUCKET, key, tenantId: 'shop-a', owner: 'user#u1', fileId: 'BBBBBBBBBBBBBBBBBBBBBB' },
    ]);
  });

  it('finds nothing to do in s3:TestEvent, removals and keys that are not originals', () => {
    expect(parseUploadNotices(testEventMessage(BUCKET, new Date(), 'R'))).toEqual([]);
    expect(
      parseUploadNotices(
        objectEvent('t/a/o/user#u/f/CCCCCCCCCCCCCCCCCCCCCC/original', 'ObjectRemoved:Delete'),
      ),
    ).toEqual([]);
    expect(parseUploadNotices(objectEvent('t/a/o/user#u/f/CCCCCCCCCCCCCCCCCCCCCC/thumbnail'))).toEqual([]);
  });

  it.each([
    ['not JSON', '{"Records": ['],
    ['JSON null', 'null'],
    ['another message type', '{"type":"session-ended","tenantId":"a"}'],
    ['a hint for no file', '{"type":"upload-completed","bucket":"b","key":"../etc/passwd"}'],
    ['records of another source', '{"Records":[{"eventSource":"aws:sns","eventName":"ObjectCreated:Put"}]}'],
  ])('refuses %s as unrecognised', (_case, body) => {
    expect(parseUploadNotices(body)).toBeUndefined();
  });
});
