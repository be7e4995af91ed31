import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './results-file';

export interface EsbuildSettings {
  bundle: boolean;
  minify: boolean;
  target: string;
  platform: 'node';
  format: 'cjs';
  keepNames: boolean;
}

/** The esbuild settings every service's serverless-esbuild uses, read from the shared config. */
export function serviceEsbuildSettings(): EsbuildSettings {
  const common = parse(readFileSync(path.join(repoRoot, 'services', 'serverless.common.yml'), 'utf8')) as {
    custom: { esbuild: EsbuildSettings };
  };
  const { bundle, minify, target, platform, format, keepNames } = common.custom.esbuild;
  return { bundle, minify, target, platform, format, keepNames };
}
