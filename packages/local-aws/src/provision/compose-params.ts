import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { LocalAwsError } from '../errors';

interface ComposeFile {
  services?: Record<string, { path?: string; params?: Record<string, unknown> }>;
}

/** `${shared-resources.TableName}`: serverless-compose's reference to another service's stack output. */
const OUTPUT_REFERENCE = /\$\{([\w-]+)\.(\w+)\}/g;
const OUTPUTS_SERVICE = 'shared-resources';
/** Deploy-only stacks: their outputs have no local value, so params made of them are left to their defaults. */
const LOCALLY_ABSENT_SERVICES = new Set(['sharp-layer']);

/**
 * The params serverless-compose.yml gives `serviceName`, with `${shared-resources.X}` replaced by the local
 * stack's output X, so local runs pass exactly what a compose deployment would. Read on every call: the file is
 * small and edited while `pnpm dev` is being restarted.
 */
export function serviceParams(
  serviceName: string,
  outputs: Readonly<Record<string, string>>,
  repoRoot: string,
): Record<string, string> {
  const file = path.join(repoRoot, 'serverless-compose.yml');
  const compose = parse(readFileSync(file, 'utf8')) as ComposeFile | null;
  const service = compose?.services?.[serviceName];
  if (!service) throw new LocalAwsError(`${file} has no service "${serviceName}".`);

  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.params ?? {})) {
    const text = String(value);
    // Outputs of stacks the local system does not run (the sharp layer): the service's own default applies.
    if ([...text.matchAll(OUTPUT_REFERENCE)].some(([, source]) => LOCALLY_ABSENT_SERVICES.has(source!)))
      continue;
    params[key] = text.replace(OUTPUT_REFERENCE, (reference, source: string, output: string) => {
      if (source !== OUTPUTS_SERVICE) {
        throw new LocalAwsError(
          `${serviceName} param ${key}: ${reference} refers to ${source}; locally only ${OUTPUTS_SERVICE} outputs exist.`,
        );
      }
      const resolved = outputs[output];
      if (resolved === undefined) {
        throw new LocalAwsError(
          `${serviceName} param ${key}: ${reference} is not an output of the local ${OUTPUTS_SERVICE} stack.`,
        );
      }
      return resolved;
    });
  }
  return params;
}
