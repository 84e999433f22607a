/**
 * Figure 4 alone (`npx tsx test/bench/coldStartOnly.ts [--quick]`): it needs no backends,
 * so it runs in seconds and does not write results.json (the full run owns that file).
 */
import { benchColdStart } from './coldStartBench';

await benchColdStart(process.argv.includes('--quick'));
