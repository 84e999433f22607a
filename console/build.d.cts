import type { Plugin } from 'esbuild';

export interface ConsoleAsset {
  contentType: string;
  /** base64 */
  body: string;
  /** Hashed name: cache for a year. index.html is not. */
  immutable: boolean;
}

export interface ConsoleAssets {
  version: string;
  /** By path under /console/: `index.html`, `assets/app-<hash>.js`, … */
  files: Record<string, ConsoleAsset>;
}

export function buildConsoleAssets(options?: { minify?: boolean }): Promise<ConsoleAssets>;
export function consoleAssetsPlugin(): Plugin;
export const VIRTUAL_ID: string;
export const PUBLIC_PATH: string;
