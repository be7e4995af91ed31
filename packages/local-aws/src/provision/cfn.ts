import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalAwsError } from '../errors';
import { paramFlags, runSls } from '../system/serverless-cli';

/** What `sls package` writes; the local stack reads the same template that a deployment would send. */
export const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';
const STATE_FILE = 'serverless-state.json';
const SHARED_RESOURCES = 'shared-resources';

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

/** What `Ref` and `Fn::GetAtt` of one provisioned resource return. */
export interface PhysicalResource {
  ref: string;
  attributes: Record<string, string>;
}

export interface ResolveContext {
  /** Keyed by full name, e.g. `AWS::Region`. */
  pseudo: Readonly<Record<string, string>>;
  resources: ReadonlyMap<string, PhysicalResource>;
}

export function pseudoParameters(options: {
  accountId: string;
  region: string;
  stackName: string;
}): Record<string, string> {
  return {
    'AWS::AccountId': options.accountId,
    'AWS::Region': options.region,
    'AWS::StackName': options.stackName,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Intrinsic functions

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A one-key object whose key is `Ref` or `Fn::*` is an intrinsic function call. */
function intrinsicOf(value: unknown): [string, unknown] | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined || (name !== 'Ref' && !name.startsWith('Fn::')))
    return undefined;
  return [name, value[name]];
}

function fail(message: string): never {
  throw new LocalAwsError(`CloudFormation: ${message}`);
}

function asString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(`${where} must resolve to a string, got ${JSON.stringify(value)}`);
}

function getAttArgs(args: unknown): [string, string] {
  const [logicalId, attribute] =
    typeof args === 'string' ? args.split(/\.(.*)/s) : Array.isArray(args) ? args : [];
  if (typeof logicalId !== 'string' || typeof attribute !== 'string')
    fail(`malformed Fn::GetAtt ${JSON.stringify(args)}`);
  return [logicalId, attribute];
}

function subArgs(args: unknown): [string, Record<string, unknown>] {
  if (typeof args === 'string') return [args, {}];
  const [text, variables] = Array.isArray(args) ? args : [];
  if (typeof text !== 'string' || !isRecord(variables)) fail(`malformed Fn::Sub ${JSON.stringify(args)}`);
  return [text, variables];
}

/** `${Name}`, `${Resource.Attribute}`; `${!Literal}` is an escaped `${Literal}`. */
const SUB_PLACEHOLDER = /\$\{([^}]*)\}/g;

function ref(name: string, ctx: ResolveContext): string {
  const pseudo = ctx.pseudo[name];
  if (pseudo !== undefined) return pseudo;
  const resource = ctx.resources.get(name);
  if (!resource) fail(`Ref to ${name}, which is neither a pseudo parameter nor a provisioned resource`);
  return resource.ref;
}

function getAtt(logicalId: string, attribute: string, ctx: ResolveContext): string {
  const resource = ctx.resources.get(logicalId);
  if (!resource) fail(`Fn::GetAtt ${logicalId}.${attribute}: ${logicalId} is not a provisioned resource`);
  const value = resource.attributes[attribute];
  if (value === undefined)
    fail(`Fn::GetAtt ${logicalId}.${attribute}: the local resource has no such attribute`);
  return value;
}

/** Replaces every intrinsic function in `value` by its result; Fn::If and conditions are not used by our stacks. */
export function resolveIntrinsics(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, ctx));
  const call = intrinsicOf(value);
  if (!call) {
    if (!isRecord(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveIntrinsics(item, ctx)]),
    );
  }
  const [name, args] = call;
  switch (name) {
    case 'Ref':
      return ref(asString(args, 'Ref'), ctx);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = getAttArgs(resolveIntrinsics(args, ctx));
      return getAtt(logicalId, attribute, ctx);
    }
    case 'Fn::Sub': {
      const [text, variables] = subArgs(args);
      return text.replace(SUB_PLACEHOLDER, (_match, expression: string) => {
        if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
        if (expression in variables)
          return asString(resolveIntrinsics(variables[expression], ctx), `Fn::Sub \${${expression}}`);
        const dot = expression.indexOf('.');
        return dot < 0
          ? ref(expression, ctx)
          : getAtt(expression.slice(0, dot), expression.slice(dot + 1), ctx);
      });
    }
    case 'Fn::Join': {
      const [separator, items] = resolveIntrinsics(args, ctx) as [unknown, unknown];
      if (typeof separator !== 'string' || !Array.isArray(items))
        fail(`malformed Fn::Join ${JSON.stringify(args)}`);
      return items.map((item) => asString(item, 'Fn::Join item')).join(separator);
    }
    case 'Fn::Select': {
      const [index, items] = resolveIntrinsics(args, ctx) as [unknown, unknown];
      const item = Array.isArray(items) ? items[Number(index)] : undefined;
      if (item === undefined)
        fail(`Fn::Select index ${String(index)} is out of range in ${JSON.stringify(items)}`);
      return item;
    }
    case 'Fn::Split': {
      const [separator, text] = resolveIntrinsics(args, ctx) as [unknown, unknown];
      if (typeof separator !== 'string' || typeof text !== 'string')
        fail(`malformed Fn::Split ${JSON.stringify(args)}`);
      return text.split(separator);
    }
    default:
      return fail(`intrinsic function ${name} is not supported by the local stack`);
  }
}

/** Logical ids of resources that `value` refers to (pseudo parameters and Fn::Sub variables excluded). */
export function referencedResources(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedResources(item, out);
    return out;
  }
  if (!isRecord(value)) return out;
  const call = intrinsicOf(value);
  if (!call) {
    for (const item of Object.values(value)) referencedResources(item, out);
    return out;
  }
  const [name, args] = call;
  if (name === 'Ref' && typeof args === 'string' && !args.startsWith('AWS::')) out.add(args);
  else if (name === 'Fn::GetAtt') out.add(getAttArgs(args)[0]);
  else if (name === 'Fn::Sub') {
    const [text, variables] = subArgs(args);
    for (const [, expression = ''] of text.matchAll(SUB_PLACEHOLDER)) {
      const id = expression.split('.')[0] ?? '';
      if (!expression.startsWith('!') && !id.startsWith('AWS::') && !(expression in variables)) out.add(id);
    }
    referencedResources(variables, out);
  } else referencedResources(args, out);
  return out;
}

/** Logical ids in an order where every resource comes after what it refers to or DependsOn (DLQ before queue). */
export function dependencyOrder(template: CfnTemplate): string[] {
  const resources = template.Resources;
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    const resource = resources[id];
    if (!resource) fail(`${path.at(-1) ?? 'template'} refers to ${id}, which is not in Resources`);
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') fail(`circular dependency ${[...path, id].join(' -> ')}`);
    state.set(id, 'visiting');
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const dependency of [...dependsOn, ...referencedResources(resource.Properties)])
      visit(dependency, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(resources)) visit(id, []);
  return order;
}

/**
 * Values of the template's Outputs. Outputs that refer to a resource in `skipped` (one the local stack does
 * not create) are left out; any other unresolvable output is an error.
 */
export function evaluateOutputs(
  template: CfnTemplate,
  ctx: ResolveContext,
  skipped: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if ([...referencedResources(output.Value)].some((id) => skipped.has(id))) continue;
    outputs[name] = asString(resolveIntrinsics(output.Value, ctx), `Output ${name}`);
  }
  return outputs;
}

// ---------------------------------------------------------------------------------------------------------------
// Packaging

/** Directories a packaging run writes into; never shared between runs. */
const SLS_WORK_DIRS = new Set(['.serverless', '.esbuild']);

/** osls finds its config with lstat, so a symlinked serverless.yml is "not a service directory": copy it. */
const SLS_CONFIG = /^serverless\.(ya?ml|json|[cm]?js|ts)$/;

async function symlinkEntries(from: string, to: string, exclude: (entry: string) => boolean): Promise<void> {
  const entries = (await readdir(from)).filter((entry) => !exclude(entry));
  await Promise.all(
    entries.map((entry) =>
      SLS_CONFIG.test(entry)
        ? copyFile(path.join(from, entry), path.join(to, entry))
        : symlink(path.join(from, entry), path.join(to, entry)),
    ),
  );
}

/**
 * Runs `fn` on a private copy of `services/<service>` made of symlinks (the config copied), inside a mirror of the repo root (so
 * relative paths such as ../../packages keep working). osls always writes to and finally deletes
 * `<serviceDir>/.serverless`, even with `--package <dir>`, so two runs in the real directory destroy each other's
 * output; the mirror gives each run its own `.serverless` and `.esbuild`.
 */
async function withIsolatedServiceDir<T>(
  repoRoot: string,
  service: string,
  fn: (serviceDir: string) => Promise<T>,
): Promise<T> {
  const root = await mkdtemp(path.join(tmpdir(), `pixelvault-sls-${service}-`));
  try {
    await symlinkEntries(repoRoot, root, (entry) => entry === 'services');
    await mkdir(path.join(root, 'services'));
    await symlinkEntries(
      path.join(repoRoot, 'services'),
      path.join(root, 'services'),
      (entry) => entry === service,
    );
    const serviceDir = path.join(root, 'services', service);
    await mkdir(serviceDir);
    await symlinkEntries(path.join(repoRoot, 'services', service), serviceDir, (entry) =>
      SLS_WORK_DIRS.has(entry),
    );
    return await fn(serviceDir);
  } finally {
    // rm removes the symlinks, never what they point to.
    await rm(root, { recursive: true, force: true });
  }
}

export interface PackageServiceOptions {
  repoRoot: string;
  /** Folder name under services/. */
  service: string;
  stage: string;
  /** Passed as `--param key=value`, as serverless-compose would. */
  params?: Record<string, string>;
  region?: string;
  /** Where `sls package --package` puts the template, state and artifacts; must not exist yet or be empty. */
  outDir: string;
}

/** `sls package` of one service, safe to run concurrently with any other packaging; returns the compiled template. */
export async function packageService(options: PackageServiceOptions): Promise<CfnTemplate> {
  const { repoRoot, service, stage, params = {}, region, outDir } = options;
  await withIsolatedServiceDir(repoRoot, service, (serviceDir) =>
    runSls(serviceDir, [
      'package',
      '--stage',
      stage,
      ...(region ? ['--region', region] : []),
      '--package',
      outDir,
      ...paramFlags(params),
    ]),
  );
  return JSON.parse(await readFile(path.join(outDir, TEMPLATE_FILE), 'utf8')) as CfnTemplate;
}

async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The stage the existing `.serverless` output was packaged for, from osls's own state file. */
async function packagedStage(packageDir: string): Promise<string | undefined> {
  try {
    const state = JSON.parse(await readFile(path.join(packageDir, STATE_FILE), 'utf8')) as {
      service?: { provider?: { stage?: string } };
    };
    return state.service?.provider?.stage;
  } catch {
    return undefined;
  }
}

export interface LoadTemplateOptions {
  stage: string;
  repoRoot: string;
  /** Package even when `.serverless` looks current. */
  rebuild?: boolean;
}

/**
 * The shared-resources template as `sls package` compiles it. Reuses `services/shared-resources/.serverless`
 * unless it is missing, older than serverless.yml or packaged for another stage; then packages (~1-3 s) and
 * puts the result there, each file replaced atomically so concurrent readers never see half a file.
 */
export async function loadSharedResourcesTemplate(options: LoadTemplateOptions): Promise<CfnTemplate> {
  const { stage, repoRoot, rebuild = false } = options;
  const serviceDir = path.join(repoRoot, 'services', SHARED_RESOURCES);
  const packageDir = path.join(serviceDir, '.serverless');
  const templatePath = path.join(packageDir, TEMPLATE_FILE);

  const [templateTime, configTime] = await Promise.all([
    mtimeMs(templatePath),
    mtimeMs(path.join(serviceDir, 'serverless.yml')),
  ]);
  if (configTime === undefined) throw new LocalAwsError(`No serverless.yml in ${serviceDir}.`);
  const current =
    !rebuild &&
    templateTime !== undefined &&
    templateTime >= configTime &&
    (await packagedStage(packageDir)) === stage;
  if (current) return JSON.parse(await readFile(templatePath, 'utf8')) as CfnTemplate;

  const outDir = await mkdtemp(path.join(tmpdir(), 'pixelvault-shared-resources-'));
  try {
    const template = await packageService({ repoRoot, service: SHARED_RESOURCES, stage, outDir });
    await mkdir(packageDir, { recursive: true });
    for (const file of [STATE_FILE, TEMPLATE_FILE]) {
      const staging = path.join(packageDir, `.${file}.${process.pid}.tmp`);
      await copyFile(path.join(outDir, file), staging);
      await rename(staging, path.join(packageDir, file));
    }
    return template;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
