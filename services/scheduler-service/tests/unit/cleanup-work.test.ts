import { parseCleanupWork } from '../../src/domain/cleanup-work';

const at = '2026-11-25T08:30:00.000Z';

describe('parseCleanupWork', () => {
  it('reads each kind of message the cleanup queue carries', () => {
    // Arrange
    const bodies = [
      { type: 'files-expired', tenantId: 'shop', fileIds: ['abcdefghijklmnop'], at },
      {
        type: 'file-state-changed',
        tenantId: 'shop',
        fileId: 'abcdefghijklmnop',
        owner: 'session#abcdefghijklmnop',
        from: 'ready',
        to: 'deleted',
        at,
      },
      { type: 'session-ended', tenantId: 'shop', sessionId: 'abcdefghijklmnop', at },
      { type: 'ownership-transfer', tenantId: 'shop', fromOwner: 'session#s', toOwner: 'user#u', at },
    ];
    // Act
    const parsed = bodies.map((body) => parseCleanupWork(JSON.stringify(body)));
    // Assert
    expect(parsed.map((work) => work?.type)).toEqual(bodies.map((body) => body.type));
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown type', JSON.stringify({ type: 'something-else', tenantId: 'shop', at })],
    ['no file ids', JSON.stringify({ type: 'files-expired', tenantId: 'shop', fileIds: [], at })],
    [
      'a key delimiter in an id',
      JSON.stringify({ type: 'files-expired', tenantId: 'shop', fileIds: ['a#bcdefghijklmnopq'], at }),
    ],
    ['an S3 notification', JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put' }] })],
  ])('refuses %s', (_case, body) => {
    // Act / Assert
    expect(parseCleanupWork(body)).toBeUndefined();
  });
});
