import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// Deep import, as local-aws's seed does: core's index also loads Middy, which only ships ESM entries.
import { createDb } from '@pixelvault/core/src/entities';
import { seedTenant, startSystem, type LocalSystem } from '@pixelvault/local-aws';
import { median, repoRoot } from '../results-file';
import { percentile } from '../files/pool';

const PAGES = 200;
const FILES = 400;
const SAVES = 100;
const LOADS = 100;

/** A 200-page photo book of about 1 MB: two photo slots per page, layout, text. */
function photoBook(fileIds: readonly string[], edit: number) {
  return {
    format: { width: 297, height: 210, unit: 'mm' },
    edit,
    pages: Array.from({ length: PAGES }, (_, page) => ({
      number: page + 1,
      background: { color: '#f4efe6', texture: 'linen' },
      slots: [0, 1].map((slot) => ({
        fileId: fileIds[(page * 2 + slot) % fileIds.length],
        frame: { x: 12 + slot * 140, y: 18, width: 130, height: 170, rotation: 0 },
        crop: { x: 0.05, y: 0.1, width: 0.9, height: 0.8 },
        filters: { brightness: 1.02, contrast: 1, saturation: 0.97 },
      })),
      text: {
        body: `Seite ${page + 1}: ${randomBytes(3900).toString('base64')}`,
        font: 'Lora',
        size: 11,
      },
    })),
  };
}

async function call(
  system: LocalSystem,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  ifMatch?: number,
) {
  const response = await fetch(`${system.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as { id: string; version: number };
}

/**
 * Save and load of a 200-page photo book (~1 MB JSON, 400 file references) through the local origin, and the
 * DynamoDB capacity units one save consumes (the same adapters, in this process, with ReturnConsumedCapacity).
 */
export async function projects() {
  const saveCapacity: Array<{ read: number; write: number; requests: number }> = [];
  const system = await startSystem({
    repoRoot,
    stage: 'bench',
    buildDir: '.esbuild-bench',
    params: { signingKeysDir: mkdtempSync(path.join(tmpdir(), 'pixelvault-bench-keys-')) },
    onOutput: (service, line) => {
      if (service !== 'project-service' || !line.includes('"consumedCapacity"')) return;
      try {
        const entry = JSON.parse(line.slice(line.indexOf('{'))) as {
          consumedCapacity?: (typeof saveCapacity)[number];
        };
        if (entry.consumedCapacity) saveCapacity.push(entry.consumedCapacity);
      } catch {
        // a log line split across output chunks: the other saves still count
      }
    },
  });
  try {
    const table = system.outputs.TableName!;
    const tenantId = `bench-${randomBytes(3).toString('hex')}`;
    await seedTenant(system.aws.clients.dynamodb, table, {
      tenantId,
      name: 'Bench shop',
      clientId: `bench-${randomBytes(3).toString('hex')}`,
      clientSecret: randomBytes(12).toString('hex'),
      scopes: [],
    });
    const sessionResponse = await fetch(`${system.url}/v1/auth/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId }),
    });
    if (sessionResponse.status !== 201)
      throw new Error(`session: ${sessionResponse.status} ${await sessionResponse.text()}`);
    const session = (await sessionResponse.json()) as { sessionId: string; accessToken: string };
    const owner = `session#${session.sessionId}`;

    const db = createDb({ client: system.aws.clients.dynamodb, table });

    // 400 ready photos and one spare, written straight into the table (processing is not what is measured).
    const fileIds = Array.from({ length: FILES + 1 }, () => randomBytes(16).toString('base64url'));
    await db.entities.file
      .put(
        fileIds.map((fileId) => ({
          tenantId,
          owner,
          fileId,
          name: 'photo.jpg',
          contentType: 'image/jpeg',
          size: 4_000_000,
          sha256: randomBytes(32).toString('base64'),
          state: 'ready' as const,
        })),
      )
      .go();
    const photos = fileIds.slice(0, FILES);
    const swapped = [...photos.slice(0, FILES - 1), fileIds[FILES]!];
    const body = (ids: readonly string[], edit: number) => ({
      title: 'Our year',
      product: { type: 'photo-book' },
      document: photoBook(ids, edit),
      fileIds: ids,
    });
    const documentBytes = Buffer.byteLength(JSON.stringify(body(photos, 0).document));

    // Built up 99 references per save, as the editor adds photos.
    let project = await call(
      system,
      'POST',
      '/v1/projects',
      session.accessToken,
      body(photos.slice(0, 99), 0),
    );
    for (let count = 198; count < FILES + 99; count += 99) {
      const ids = photos.slice(0, Math.min(count, FILES));
      project = await call(
        system,
        'PUT',
        `/v1/projects/${project.id}`,
        session.accessToken,
        body(ids, 0),
        project.version,
      );
    }

    // Each save changes the text and swaps one photo (two reference changes), as an editing session does.
    const saveMs: number[] = [];
    for (let edit = 1; edit <= SAVES; edit++) {
      const began = performance.now();
      project = await call(
        system,
        'PUT',
        `/v1/projects/${project.id}`,
        session.accessToken,
        body(edit % 2 ? swapped : photos, edit),
        project.version,
      );
      saveMs.push(performance.now() - began);
    }
    const loadMs: number[] = [];
    for (let load = 0; load < LOADS; load++) {
      const began = performance.now();
      await call(system, 'GET', `/v1/projects/${project.id}`, session.accessToken);
      loadMs.push(performance.now() - began);
    }

    // The service logs the DynamoDB capacity each save consumed (ConsumedCapacity, summed over its requests).
    const measured = saveCapacity.slice(-SAVES);
    if (measured.length === 0) throw new Error('no "project saved" log lines with consumedCapacity');
    const consumed = {
      read: median(measured.map((capacity) => capacity.read)),
      write: median(measured.map((capacity) => capacity.write)),
      requests: median(measured.map((capacity) => capacity.requests)),
    };

    const round = (value: number) => Math.round(value * 10) / 10;
    return {
      pages: PAGES,
      fileReferences: FILES,
      documentBytes,
      saves: SAVES,
      loads: LOADS,
      saveP50Ms: round(percentile(saveMs, 50)),
      saveP99Ms: round(percentile(saveMs, 99)),
      loadP50Ms: round(percentile(loadMs, 50)),
      loadP99Ms: round(percentile(loadMs, 99)),
      capacityUnitsPerSave: { read: round(consumed.read), write: round(consumed.write) },
      dynamoDbRequestsPerSave: consumed.requests,
      savesWithCapacityLogged: measured.length,
      rows: [
        [
          `Project save, ${PAGES}-page book (${Math.round(documentBytes / 1024)} KB JSON in S3, ${FILES} file refs, 2 changed), p50 / p99 of ${SAVES}`,
          `${round(percentile(saveMs, 50))} / ${round(percentile(saveMs, 99))} ms`,
        ],
        [
          `Project load, same book, p50 / p99 of ${LOADS}`,
          `${round(percentile(loadMs, 50))} / ${round(percentile(loadMs, 99))} ms`,
        ],
        [
          'DynamoDB capacity units per save, median (ConsumedCapacity: reads incl. the 400-file check / writes)',
          `${round(consumed.read)} RCU / ${round(consumed.write)} WCU in ${consumed.requests} requests`,
        ],
      ],
    };
  } finally {
    await system.stop();
  }
}
