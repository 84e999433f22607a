/**
 * `npm run bench` (add `-- --quick` for a < 2 minute run). Prints one line per figure,
 * each a ratio measured side by side in this run, and writes test/bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { figures, startBackends } from './harness';
import { benchIngest } from './ingestBench';
import { benchChatLimiters, benchLimiter, benchThroughput } from './deliveryBench';
import { benchColdStart } from './coldStartBench';
import { benchEndToEnd } from './endToEndBench';
import { benchConsole } from './consoleBench';

const quick = process.argv.includes('--quick');
const started = Date.now();
const backends = await startBackends();
try {
  console.log(`bench (${quick ? 'quick' : 'full'}) on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  await benchIngest(backends, quick);
  await benchLimiter(backends, quick);
  await benchChatLimiters(backends, quick);
  await benchThroughput(backends, quick);
  await benchColdStart(quick);
  await benchEndToEnd();
  await benchConsole(quick);
} finally {
  await backends.stop();
}
const results = {
  at: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  seconds: Math.round((Date.now() - started) / 1000),
  figures,
};
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`done in ${results.seconds} s → test/bench/results.json`);
process.exit(0);
