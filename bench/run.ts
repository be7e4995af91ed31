/**
 * `pnpm bench [suite ...]`: runs the benchmarks (all when none is named), writes bench/results/<suite>.json
 * and prints the rows the README's table quotes.
 */
import path from 'node:path';
import { bundles } from './suites/bundles';
import { cleanup } from './suites/cleanup';
import { files } from './suites/files';
import { projects } from './suites/projects';
import { startup } from './suites/startup';
import { verifier } from './suites/verifier';
import { repoRoot, writeResults } from './results-file';

type Suite = () => Promise<{ rows: string[][] }>;
const SUITES: Record<string, Suite> = { startup, bundles, verifier, projects, files, cleanup };

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((arg) => arg !== '--');
  const chosen = names.length > 0 ? names : Object.keys(SUITES);
  const unknown = chosen.filter((name) => !SUITES[name]);
  if (unknown.length > 0)
    throw new Error(`Unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  const rows: string[][] = [];
  for (const name of chosen) {
    console.log(`bench: ${name}…`);
    const figures = await SUITES[name]!();
    console.log(`  -> ${path.relative(repoRoot, writeResults(name, figures))}`);
    rows.push(...figures.rows);
  }
  console.log('\n| benchmark | figure |\n| --- | --- |');
  for (const [what, figure] of rows) console.log(`| ${what} | ${figure} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
