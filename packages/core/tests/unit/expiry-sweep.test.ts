import { EXPIRY_SHARDS } from '../../src/entities';
import { sweep, sweepPartitions, type SweepPorts } from '../../src/expiry-sweep';

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

describe('sweep', () => {
  it('hands each page of each partition on as it is read, and counts pages, items and what was handled', async () => {
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
    const handled: string[][] = [];
    const ports: SweepPorts<{ tenantId: string; fileId: string }> = {
      async forEachPage(partition, _now, onPage) {
        for (const page of pagesOf[partition]!) if (page.length > 0) await onPage(page);
        return pagesOf[partition]!.length;
      },
      async handle(_now, items) {
        handled.push(items.map((item) => item.fileId));
        return new Set(items.map((item) => item.tenantId)).size;
      },
      each: (work) => work(),
    };
    // Act
    const report = await sweep(at, ['p1', 'p2'], ports);
    // Assert
    expect(report).toEqual({ at: at.toISOString(), partitions: 2, pages: 3, found: 3, handled: 3 });
    expect(handled).toEqual([['1', '2'], ['3']]);
  });
});
