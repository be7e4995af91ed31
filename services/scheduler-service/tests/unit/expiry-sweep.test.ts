import { EXPIRY_SHARDS } from '@pixelvault/core';
import { byTenant, sweep, sweepPartitions, type SweepPorts } from '../../src/domain/expiry-sweep';

const at = new Date('2026-11-25T08:30:00.000Z');

describe('sweepPartitions', () => {
  it('lists every shard of every hour of the window, oldest hour first, ending with the current hour', () => {
    // Act
    const partitions = sweepPartitions(at, 2);
    // Assert
    expect(partitions).toHaveLength(3 * EXPIRY_SHARDS);
    expect(partitions[0]).toBe('2026-11-25T06#0');
    expect(partitions[EXPIRY_SHARDS - 1]).toBe(`2026-11-25T06#${EXPIRY_SHARDS - 1}`);
    expect(partitions.at(-1)).toBe(`2026-11-25T08#${EXPIRY_SHARDS - 1}`);
    expect(new Set(partitions).size).toBe(partitions.length);
  });

  it('crosses midnight into the previous day', () => {
    // Act
    const partitions = sweepPartitions(new Date('2026-11-25T00:10:00.000Z'), 1);
    // Assert
    expect(partitions[0]).toBe('2026-11-24T23#0');
  });
});

describe('byTenant', () => {
  it('groups items by tenant in first-seen order', () => {
    // Act
    const groups = byTenant([
      { tenantId: 'b', fileId: '1' },
      { tenantId: 'a', fileId: '2' },
      { tenantId: 'b', fileId: '3' },
    ]);
    // Assert
    expect([...groups.keys()]).toEqual(['b', 'a']);
    expect(groups.get('b')!.map((item) => item.fileId)).toEqual(['1', '3']);
  });
});

describe('sweep', () => {
  it('sends each page of each partition on, one message per tenant, and counts pages, items and messages', async () => {
    // Arrange
    const pagesOf: Record<string, Array<Array<{ tenantId: string; fileId: string }>>> = {
      p1: [
        [
          { tenantId: 'a', fileId: '1' },
          { tenantId: 'b', fileId: '2' },
        ],
        [{ tenantId: 'a', fileId: '3' }],
      ],
      p2: [[]],
    };
    const sent: Array<Map<string, unknown[]>> = [];
    const ports: SweepPorts<{ tenantId: string; fileId: string }> = {
      async forEachPage(partition, _now, onPage) {
        for (const page of pagesOf[partition]!) if (page.length > 0) await onPage(page);
        return pagesOf[partition]!.length;
      },
      async send(_now, groups) {
        sent.push(groups);
        return groups.size;
      },
      each: (work) => work(),
    };
    // Act
    const report = await sweep(at, ['p1', 'p2'], ports);
    // Assert
    expect(report).toEqual({ at: at.toISOString(), partitions: 2, pages: 3, found: 3, messages: 3 });
    expect(sent.map((groups) => [...groups.keys()])).toEqual([['a', 'b'], ['a']]);
  });
});
