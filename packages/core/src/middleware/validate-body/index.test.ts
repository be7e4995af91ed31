import { z } from 'zod';
import { validateBody } from '.';
import { ApiError } from '../../errors';

type Before = NonNullable<ReturnType<typeof validateBody>['before']>;
const requestWith = (body: unknown) => ({ event: { body } }) as unknown as Parameters<Before>[0];

describe('validateBody middleware', () => {
  const schema = z.object({
    tenantId: z.string().min(2),
    items: z.array(z.object({ size: z.number().int().positive() })),
  });

  it('replaces the body with the parsed value, unknown keys stripped', async () => {
    // Arrange
    const request = requestWith({ tenantId: 'demo', items: [{ size: 1 }], admin: true });
    // Act
    await validateBody(schema).before!(request);
    // Assert
    expect(request.event.body).toEqual({ tenantId: 'demo', items: [{ size: 1 }] });
  });

  it('names every offending field and why, as a 400', async () => {
    // Arrange
    const request = requestWith({ tenantId: 'd', items: [{ size: 1 }, { size: -5 }] });
    // Act
    const error = await Promise.resolve(validateBody(schema).before!(request)).catch(
      (e: unknown) => e as ApiError,
    );
    // Assert
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ statusCode: 400, code: 'invalid_request' });
    expect((error as ApiError).details).toEqual([
      { field: 'tenantId', reason: expect.stringContaining('2') },
      { field: 'items.1.size', reason: expect.stringContaining('0') },
    ]);
    expect((error as ApiError).message).toContain('items.1.size');
  });

  it('refuses something that is not a zod schema', () => {
    expect(() => validateBody({} as never)).toThrow('schema must be a zod schema');
  });
});
