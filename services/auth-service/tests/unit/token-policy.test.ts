import { grantedScopes, TOKEN_POLICY } from '../../src/domain/token-policy';
import { uploadLinkUrl } from '../../src/domain/upload-link';

describe('token policy', () => {
  it('gives upload links the upload scope only, for 30 minutes', () => {
    expect(TOKEN_POLICY.upload).toEqual({ ttlSeconds: 1800, scopes: ['files:upload'] });
  });

  it('grants all client scopes when none are asked for, a subset when asked, nothing beyond them', () => {
    const client = ['sessions:write', 'orders:read'];
    expect(grantedScopes(client, undefined)).toEqual(client);
    expect(grantedScopes(client, 'orders:read orders:read')).toEqual(['orders:read']);
    expect(grantedScopes(client, 'orders:read orders:write')).toBeUndefined();
  });
});

describe('upload link URL', () => {
  it('carries the token in the fragment, never in the query', () => {
    // Act
    const url = new URL(uploadLinkUrl('https://shop.example/upload?lang=de', 'a.b.c'));
    // Assert
    expect(url.searchParams.get('token')).toBeNull();
    expect(url.searchParams.get('lang')).toBe('de');
    expect(url.hash).toBe('#token=a.b.c');
  });
});
