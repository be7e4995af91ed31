import { byTenant } from '../../src/domain/expiry-sweep';

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
