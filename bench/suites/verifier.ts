import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  createTokenVerifier,
  issueToken,
  ssmSigningKeys,
  generateSigningKey,
} from '../../packages/core/src/auth';
import { serviceEsbuildSettings } from '../esbuild-settings';
import { median, repoRoot } from '../results-file';

const ISSUER = 'https://bench.pixelvault.test/v1/auth';
const AUDIENCE = 'pixelvault';
const TOKENS = 64;
const VERIFICATIONS = 20_000;
const ROUNDS = 10;
const COLD_RUNS = 5;
const METHOD_ARN = 'arn:aws:execute-api:eu-central-1:123456789012:abc123/bench/GET/v1/files';

async function keysAndTokens() {
  const stored = await generateSigningKey();
  const keys = ssmSigningKeys({
    parameterNames: ['bench'],
    fetchParameters: async () => [JSON.stringify(stored)],
  });
  const tokens = await Promise.all(
    Array.from({ length: TOKENS }, async (_, index) => {
      const { token } = await issueToken(keys, {
        issuer: ISSUER,
        audience: AUDIENCE,
        sub: `session#s-${index}`,
        tid: 'bench',
        kind: 'guest',
        scope: 'files:read files:write',
        ttlSeconds: 3600,
      });
      return token;
    }),
  );
  return { jwks: await keys.publicJwks(), tokens };
}

/** Our verifier against bare jose with the same key and options, in alternating rounds so drift hits both. */
async function throughput() {
  const { jwks, tokens } = await keysAndTokens();
  const ours = createTokenVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE });
  const localSet = createLocalJWKSet(jwks);
  const options = {
    algorithms: ['ES256'],
    typ: 'JWT',
    issuer: ISSUER,
    audience: AUDIENCE,
    clockTolerance: 30,
    requiredClaims: ['exp', 'iat', 'nbf', 'jti', 'sub', 'tid'],
  };
  const sides = {
    verifier: (token: string) => ours.verify(token),
    jose: (token: string) => jwtVerify(token, localSet, options),
  };
  const run = async (side: keyof typeof sides, count: number) => {
    const verify = sides[side];
    const began = performance.now();
    for (let index = 0; index < count; index++) await verify(tokens[index % TOKENS]!);
    return performance.now() - began;
  };
  await run('verifier', 1000);
  await run('jose', 1000);
  const elapsed = { verifier: 0, jose: 0 };
  const perRound = VERIFICATIONS / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    const order: Array<keyof typeof sides> = round % 2 ? ['jose', 'verifier'] : ['verifier', 'jose'];
    for (const side of order) elapsed[side] += await run(side, perRound);
  }
  const perSecond = (ms: number) => Math.round((VERIFICATIONS / ms) * 1000);
  return { verifierPerSecond: perSecond(elapsed.verifier), josePerSecond: perSecond(elapsed.jose) };
}

const AUTHORIZER_ENTRY = `
import { createTokenAuthorizer, createTokenVerifier } from './packages/core/src/auth';
const verifier = createTokenVerifier({
  jwks: JSON.parse(process.env.BENCH_JWKS as string),
  issuer: ${JSON.stringify(ISSUER)},
  audience: ${JSON.stringify(AUDIENCE)},
});
export const handler = createTokenAuthorizer({ verifier });
`;

/** One fresh Node process: require the bundle and run its handler once; the child times both. */
function coldStart(file: string, event: unknown, env: NodeJS.ProcessEnv) {
  const script = `
    const began = performance.now();
    const { handler } = require(${JSON.stringify(file)});
    Promise.resolve(handler(${JSON.stringify(event)}, {}, () => {})).then((result) => {
      if (!result) throw new Error('no result');
      process.stdout.write(String(performance.now() - began));
    });`;
  const began = performance.now();
  const child = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const processMs = performance.now() - began;
  if (child.status !== 0) throw new Error(`cold start of ${file} failed: ${child.stderr}`);
  return { initAndFirstCallMs: Number(child.stdout), processMs };
}

async function coldInit() {
  const { jwks, tokens } = await keysAndTokens();
  // The services' own settings, so the cold start measures what Lambda loads.
  const settings = serviceEsbuildSettings();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pixelvault-bench-'));
  try {
    const authorizerFile = path.join(dir, 'authorizer.js');
    const helloFile = path.join(dir, 'hello.js');
    await build({
      ...settings,
      stdin: { contents: AUTHORIZER_ENTRY, resolveDir: repoRoot, loader: 'ts' },
      outfile: authorizerFile,
      logLevel: 'silent',
    });
    await build({
      ...settings,
      entryPoints: [path.join(repoRoot, 'bench', 'fixtures', 'hello.ts')],
      outfile: helloFile,
      logLevel: 'silent',
    });
    const event = { type: 'TOKEN', methodArn: METHOD_ARN, authorizationToken: `Bearer ${tokens[0]}` };
    const env = { BENCH_JWKS: JSON.stringify(jwks), POWERTOOLS_SERVICE_NAME: 'bench' };
    const authorizer: Array<ReturnType<typeof coldStart>> = [];
    const hello: Array<ReturnType<typeof coldStart>> = [];
    for (let run = 0; run < COLD_RUNS; run++) {
      authorizer.push(coldStart(authorizerFile, event, env));
      hello.push(coldStart(helloFile, {}, env));
    }
    const ms = (runs: Array<ReturnType<typeof coldStart>>, key: 'initAndFirstCallMs' | 'processMs') =>
      +median(runs.map((run) => run[key])).toFixed(1);
    return {
      authorizerInitAndFirstCallMs: ms(authorizer, 'initAndFirstCallMs'),
      helloInitAndFirstCallMs: ms(hello, 'initAndFirstCallMs'),
      authorizerProcessMs: ms(authorizer, 'processMs'),
      helloProcessMs: ms(hello, 'processMs'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Token verification throughput (warm, local JWKS) against bare jose.jwtVerify in the same run, and the
 * authorizer's cold init (require of its bundle + first authorize call, fresh process) against hello world.
 */
export async function verifier() {
  const { verifierPerSecond, josePerSecond } = await throughput();
  const cold = await coldInit();
  const ratio = +(verifierPerSecond / josePerSecond).toFixed(3);
  return {
    verifications: VERIFICATIONS,
    rounds: ROUNDS,
    verifierPerSecond,
    josePerSecond,
    verifierOverJoseRatio: ratio,
    coldRuns: COLD_RUNS,
    ...cold,
    rows: [
      [
        `Token verifications/s, warm local JWKS (bare jose.jwtVerify: ratio ${ratio}, target >= 0.90)`,
        `${verifierPerSecond} (jose: ${josePerSecond})`,
      ],
      [
        `Authorizer cold init: require bundle + first authorize, median of ${COLD_RUNS} (whole process)`,
        `${cold.authorizerInitAndFirstCallMs} ms (hello world: ${cold.helloInitAndFirstCallMs} ms; process ${cold.authorizerProcessMs} vs ${cold.helloProcessMs} ms)`,
      ],
    ],
  };
}
