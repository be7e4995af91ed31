import { expiryBucket, expiryShard, EXPIRY_SHARDS, statesBefore } from '../../src/entities/file';

describe('file state machine', () => {
  it.each([
    ['processing', ['pending', 'processing']],
    ['ready', ['processing']],
    ['rejected', ['pending', 'processing']],
    ['deleted', ['pending', 'processing', 'ready', 'rejected']],
    ['pending', []],
  ] as const)('lets a file become %s only from %j', (next, from) => {
    expect(statesBefore(next)).toEqual(from);
  });
});

describe('expiry index keys', () => {
  it('buckets by the hour of expiresAt', () => {
    expect(expiryBucket('2026-11-25T09:59:59.999Z')).toBe('2026-11-25T09');
  });

  it('spreads file ids evenly over the shards, always the same shard for one id', () => {
    // Arrange
    const ids = Array.from({ length: 1600 }, (_, index) => `file-id-number-${index}`);
    // Act
    const counts = new Array<number>(EXPIRY_SHARDS).fill(0);
    for (const id of ids) counts[expiryShard(id)]! += 1;
    // Assert
    expect(expiryShard(ids[0]!)).toBe(expiryShard(ids[0]!));
    expect(Math.min(...counts)).toBeGreaterThan(60);
    expect(Math.max(...counts)).toBeLessThan(140);
  });
});
