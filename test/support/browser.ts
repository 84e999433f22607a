/**
 * A real headless Chromium for the console's browser tests, driven by playwright-core.
 * The browser comes from the npm registry (@sparticuz/chromium unpacks one into /tmp), so
 * `npm install` is all a fresh machine needs; CHROMIUM_PATH points at another one (e.g.
 * Debian's /usr/bin/chromium). axe-core is injected from node_modules for accessibility checks.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import chromium from '@sparticuz/chromium';
import { chromium as playwright } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/**
 * What the closed network here needs (no background calls home), and no weakening of web
 * security. Not @sparticuz/chromium's own Lambda flags: `--single-process` loses the whole
 * browser when a second context closes, and `--disable-web-security` would hide bugs.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--font-render-hinting=none',
];

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH?.trim() || (await chromium.executablePath());
  return playwright.launch({ executablePath, args: ARGS, headless: true });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; why?: string }[];
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe-core findings on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol, which the page's CSP does not govern (no inline script is added).
  await page.evaluate(axeSource);
  // A string, not a function: this project's Node typings have no DOM.
  const violations: AxeViolation[] = await page.evaluate(`(async () => {
    const result = await window.axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, why: n.failureSummary })) }));
  })()`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Everything script can read that could hold a secret: storages, readable cookies, IndexedDB names. */
export async function browserStorage(page: Page): Promise<string> {
  return page.evaluate(`(async () => {
    const dump = (s) => JSON.stringify(Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)).map((k) => [k, s.getItem(k)])));
    const databases = 'databases' in indexedDB ? (await indexedDB.databases()).map((d) => d.name || '') : [];
    return [dump(localStorage), dump(sessionStorage), document.cookie, JSON.stringify(databases), window.name, location.href].join('\\n');
  })()`);
}
