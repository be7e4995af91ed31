/**
 * `pnpm keys rotate`: adds a signing key to .local/keys (restart `pnpm dev` to sign with it; the old one stays
 * published until you delete its file, after the longest token lifetime, 12 h).
 * `pnpm keys generate`: prints a new private key for an AWS stage's SecureString parameter: put it in
 * /pixelvault/<stage>/signing-keys/current after moving the current value to .../previous.
 */
import path from 'node:path';
import { generateSigningKey, rotateFileSigningKeys } from '@pixelvault/core/src/auth/keys';

const repoRoot = path.resolve(__dirname, '..');

async function main(command: string | undefined): Promise<void> {
  if (command === 'rotate') {
    const { kid } = await rotateFileSigningKeys(path.join(repoRoot, '.local', 'keys'));
    console.log(`New signing key ${kid} in .local/keys; restart pnpm dev to sign with it.`);
    return;
  }
  if (command === 'generate') {
    console.log(JSON.stringify(await generateSigningKey()));
    return;
  }
  throw new Error('Usage: pnpm keys rotate | pnpm keys generate');
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
