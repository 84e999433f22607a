/**
 * Builds the web console (SPEC §10) with the project's esbuild: Preact TSX → hashed ES
 * modules (the RE2 engine in its own chunk, loaded by the rule wizard only), CSS (Pico
 * plus ours) → one hashed file, and an index.html that names them. Nothing is written to
 * disk: the console function embeds the result through `virtual:console-assets`, which
 * serverless-esbuild resolves with the plugin below (see esbuild.plugins.cjs), so every
 * deployed stage and `npm start` serve the same files with no CDN.
 *
 * Plain CommonJS on purpose: serverless-esbuild `require`s its plugins file.
 */
'use strict';
const { build } = require('esbuild');
const { compile } = require('sass');
const { createHash } = require('node:crypto');
const path = require('node:path');
const { existsSync, readFileSync } = require('node:fs');
const { URL } = require('node:url');

const ROOT = __dirname;
const PUBLIC_PATH = '/console/assets';
const VIRTUAL_ID = 'virtual:console-assets';

const TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
};

function contentType(file) {
  return TYPES[path.extname(file)] || 'application/octet-stream';
}

const PICO_SCSS = path.join(path.dirname(require.resolve('@picocss/pico/package.json')), 'scss');
/** Pico files we replace with our own (see each file's comment for why). */
const PICO_REPLACED = new Map([['/themes/default/_schemes.scss', path.join(ROOT, 'src', 'pico-light-schemes.scss')]]);

/**
 * Loads Pico's SCSS under a `pico:` URL so that its relative `@use`s come back through
 * here too, which is how one of its files can be swapped for ours without copying the rest.
 */
const picoImporter = {
  canonicalize(url) {
    if (!url.startsWith('pico:')) return null;
    const wanted = new URL(url).pathname;
    const dir = path.posix.dirname(wanted);
    const base = path.posix.basename(wanted);
    const candidates = [`${wanted}.scss`, path.posix.join(dir, `_${base}.scss`), `${wanted}/_index.scss`, `${wanted}/index.scss`, wanted];
    const found = candidates.find((c) => c.endsWith('.scss') && (PICO_REPLACED.has(c) || existsSync(path.join(PICO_SCSS, c))));
    return found ? new URL(`pico:${found}`) : null;
  },
  load(canonicalUrl) {
    const file = PICO_REPLACED.get(canonicalUrl.pathname) ?? path.join(PICO_SCSS, canonicalUrl.pathname);
    return { contents: readFileSync(file, 'utf8'), syntax: 'scss' };
  },
};

/** `@import 'pico'` in styles.css → Pico compiled from its SCSS with only the modules we use. */
const picoPlugin = {
  name: 'pico-subset',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^pico$/ }, () => ({ path: path.join(ROOT, 'src', 'pico-subset.scss'), namespace: 'pico' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'pico' }, (args) => ({
      contents: compile(args.path, {
        importers: [picoImporter],
        style: 'compressed',
        quietDeps: true,
        silenceDeprecations: ['if-function'],
      }).css,
      loader: 'css',
    }));
  },
};

function html(scripts, styles) {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    '<title>Registry event notifications</title>',
    '<link rel="icon" href="data:,">',
    ...styles.map((href) => `<link rel="stylesheet" href="${href}">`),
    ...scripts.map((src) => `<script type="module" src="${src}"></script>`),
    '</head>',
    '<body>',
    '<div id="app"><main class="container"><p>Loading the console… (it needs JavaScript)</p></main></div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * @param {{ minify?: boolean }} [options]
 * @returns {Promise<import('./build.d.cts').ConsoleAssets>}
 */
async function buildConsoleAssets(options = {}) {
  const minify = options.minify !== false;
  const result = await build({
    absWorkingDir: path.join(ROOT, '..'),
    entryPoints: { app: path.join(ROOT, 'src', 'main.tsx'), style: path.join(ROOT, 'src', 'styles.css') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    treeShaking: true,
    sourcemap: false,
    legalComments: 'none',
    // Chinese strings as UTF-8 rather than \uXXXX escapes: a third fewer bytes before gzip.
    charset: 'utf8',
    write: false,
    outdir: path.join(ROOT, 'dist'),
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    publicPath: PUBLIC_PATH,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    plugins: [picoPlugin],
  });
  const files = {};
  const scripts = [];
  const styles = [];
  for (const out of result.outputFiles) {
    const name = path.basename(out.path);
    files[`assets/${name}`] = { contentType: contentType(name), body: Buffer.from(out.contents).toString('base64'), immutable: true };
    // Only the app entry is a page script: esbuild marks lazily imported chunks (RE2, 简体中文) as entry points too.
    if (name.startsWith('app-') && name.endsWith('.js')) scripts.push(`${PUBLIC_PATH}/${name}`);
    if (name.endsWith('.css')) styles.push(`${PUBLIC_PATH}/${name}`);
  }
  const index = html(scripts, styles);
  files['index.html'] = { contentType: contentType('index.html'), body: Buffer.from(index).toString('base64'), immutable: false };
  const version = createHash('sha256').update(Object.keys(files).sort().join('\n')).digest('hex').slice(0, 12);
  return { version, files };
}

/** esbuild plugin: `import assets from 'virtual:console-assets'` → the built console. */
function consoleAssetsPlugin() {
  return {
    name: 'console-assets',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^virtual:console-assets$/ }, () => ({ path: VIRTUAL_ID, namespace: 'console-assets' }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'console-assets' }, async () => {
        const assets = await buildConsoleAssets();
        return {
          contents: `export default ${JSON.stringify(assets)};`,
          loader: 'js',
          watchDirs: [path.join(ROOT, 'src')],
        };
      });
    },
  };
}

module.exports = { buildConsoleAssets, consoleAssetsPlugin, VIRTUAL_ID, PUBLIC_PATH };
