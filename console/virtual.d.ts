/** Resolved at bundle time by console/build.cjs's esbuild plugin (the same shape as its ConsoleAssets). */
declare module 'virtual:console-assets' {
  const assets: {
    version: string;
    files: Record<string, { contentType: string; body: string; immutable: boolean }>;
  };
  export default assets;
}
