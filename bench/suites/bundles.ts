import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { serviceEsbuildSettings, type EsbuildSettings } from '../esbuild-settings';
import { repoRoot } from '../results-file';

const SERVICES = ['auth-service', 'file-service', 'project-service', 'scheduler-service'];

async function bundleSize(entry: string, settings: EsbuildSettings) {
  const result = await build({ ...settings, entryPoints: [entry], write: false, logLevel: 'silent' });
  const code = result.outputFiles[0]!.contents;
  return { bytes: code.length, gzipBytes: gzipSync(code).length };
}

/** Minified bundle size of every function, against a hello-world handler bundled the same way. */
export async function bundles() {
  const settings = serviceEsbuildSettings();
  const hello = await bundleSize(path.join(repoRoot, 'bench', 'fixtures', 'hello.ts'), settings);
  const functions: Array<{
    service: string;
    function: string;
    bytes: number;
    gzipBytes: number;
    overHelloBytes: number;
  }> = [];
  for (const service of SERVICES) {
    const dir = path.join(repoRoot, 'services', service);
    const config = parse(readFileSync(path.join(dir, 'serverless.yml'), 'utf8')) as {
      functions: Record<string, { handler: string }>;
    };
    for (const [name, fn] of Object.entries(config.functions)) {
      const entry = path.join(dir, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.ts`);
      const size = await bundleSize(entry, settings);
      functions.push({ service, function: name, ...size, overHelloBytes: size.bytes - hello.bytes });
    }
  }
  return {
    settings,
    helloWorld: hello,
    functions,
    rows: functions.map((f) => [
      `Bundle ${f.service}/${f.function} (minified; gzip)`,
      `${(f.bytes / 1024).toFixed(1)} KiB; ${(f.gzipBytes / 1024).toFixed(1)} KiB (hello world: ${hello.bytes} B)`,
    ]),
  };
}
