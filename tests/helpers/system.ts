import type { SystemDescriptor } from '@pixelvault/local-aws';

/** The local system the integration run's global setup started. */
export function testSystem(): SystemDescriptor {
  const described = process.env.PIXELVAULT_SYSTEM;
  if (!described)
    throw new Error('PIXELVAULT_SYSTEM is not set: run this test in the jest "integration" project');
  return JSON.parse(described) as SystemDescriptor;
}
