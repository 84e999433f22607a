/**
 * Figure 4: each function's bundle (esbuild with serverless.yml's options), its deflated
 * size (what the zip holds) and its import time in a fresh `node` process, against a
 * bundle holding only @aws-sdk/client-dynamodb, measured alternately in this run.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { percentile, report } from './harness';

const ROOT = join(import.meta.dirname, '..', '..');
const FUNCTIONS = ['meta', 'apiKeys', 'rules', 'ingest', 'events', 'deliver', 'reconciler', 'sources', 'sourceEvents'];

async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    treeShaking: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return deflateRawSync(readFileSync(outfile), { level: 9 }).length;
}

function importMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return Number(out.stdout);
}

export async function benchColdStart(quick: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'coldstart-'));
  try {
    const baselineEntry = join(dir, 'baseline.ts');
    writeFileSync(baselineEntry, "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const client = DynamoDBClient;\n");
    const baselineFile = join(dir, 'baseline.mjs');
    // Resolve @aws-sdk from the project, not from the temp folder.
    writeFileSync(baselineEntry, `export { DynamoDBClient as client } from ${JSON.stringify(join(ROOT, 'node_modules/@aws-sdk/client-dynamodb/dist-es/index.js'))};\n`);
    await bundle(baselineEntry, baselineFile);
    const rounds = quick ? 5 : 11;
    for (const fn of FUNCTIONS) {
      const file = join(dir, `${fn}.mjs`);
      const zipped = await bundle(join(ROOT, 'functions', `${fn}.ts`), file);
      const ours: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < rounds; i += 1) {
        ours.push(importMs(file));
        base.push(importMs(baselineFile));
      }
      ours.sort((a, b) => a - b);
      base.sort((a, b) => a - b);
      const ratio = percentile(ours, 50) / percentile(base, 50);
      const kb = zipped / 1024;
      report({
        id: `coldstart.${fn}`,
        label: `${fn}: import time ÷ client-dynamodb-only bundle; deflated size`,
        value: ratio,
        unit: '×',
        goal: '≤ 1.5 and ≤ 400 KB',
        ok: ratio <= 1.5 && kb <= 400,
        detail: { zippedKB: Math.round(kb), importMs: percentile(ours, 50), baselineMs: percentile(base, 50) },
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
