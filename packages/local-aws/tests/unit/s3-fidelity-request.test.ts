import { carriesObjectBody, eventOperation, parseTarget } from '../../src/s3-fidelity/request';

describe('parseTarget', () => {
  it('keeps the raw path and decodes bucket, key and query without treating + as space', () => {
    // Act
    const target = parseTarget('/photos/a%20b/c+d.jpg?uploads&x-amz-meta-x=1%2B1+2&a=1&a=2');

    // Assert
    expect(target).toEqual({
      path: '/photos/a%20b/c+d.jpg',
      bucket: 'photos',
      key: 'a b/c+d.jpg',
      query: expect.objectContaining({ uploads: '', 'x-amz-meta-x': '1+1+2', a: ['1', '2'] }),
    });
  });

  it.each([
    ['/', undefined, undefined],
    ['/photos', 'photos', undefined],
    ['/photos/', 'photos', undefined],
  ])('reads %s as bucket %s and key %s', (url, bucket, key) => {
    // Act
    const target = parseTarget(url);

    // Assert
    expect([target.bucket, target.key]).toEqual([bucket, key]);
  });

  it('rejects a malformed percent-encoding with 400 InvalidURI', () => {
    // Act, Assert
    expect(() => parseTarget('/photos/%E0%A4%A')).toThrow(
      expect.objectContaining({ status: 400, code: 'InvalidURI' }),
    );
  });
});

describe('eventOperation', () => {
  it.each([
    ['PUT', '/b/k', {}, 'ObjectCreated:Put'],
    ['PUT', '/b/k', { 'x-amz-copy-source': '/b/src' }, 'ObjectCreated:Copy'],
    ['POST', '/b/k?uploadId=u', {}, 'ObjectCreated:CompleteMultipartUpload'],
    ['DELETE', '/b/k', {}, 'ObjectRemoved:Delete'],
    ['POST', '/b?delete', {}, 'DeleteObjects'],
    ['PUT', '/b/k?uploadId=u&partNumber=1', {}, undefined],
    ['PUT', '/b/k?tagging', {}, undefined],
    ['DELETE', '/b/k?uploadId=u', {}, undefined],
    ['GET', '/b/k', {}, undefined],
    ['PUT', '/b', {}, undefined],
  ])('%s %s %j -> %s', (method, url, headers, expected) => {
    // Act, Assert
    expect(eventOperation(method, parseTarget(url), headers)).toBe(expected);
  });
});

describe('carriesObjectBody', () => {
  it.each([
    ['PUT', '/b/k', {}, true],
    ['PUT', '/b/k?uploadId=u&partNumber=2', {}, true],
    ['PUT', '/b/k', { 'x-amz-copy-source': '/b/src' }, false],
    ['PUT', '/b/k?tagging', {}, false],
    ['PUT', '/b?cors', {}, false],
    ['POST', '/b/k?uploadId=u', {}, false],
  ])('%s %s %j -> %s', (method, url, headers, expected) => {
    // Act, Assert
    expect(carriesObjectBody(method, parseTarget(url), headers)).toBe(expected);
  });
});
