/**
 * Figure 8 alone (`npx tsx test/bench/consoleOnly.ts [--quick]`): the console's bytes, first
 * load and 100-event history page on its own local stack; it does not write results.json
 * (the full run owns that file).
 */
import { benchConsole } from './consoleBench';

await benchConsole(process.argv.includes('--quick'));
process.exit(0);
