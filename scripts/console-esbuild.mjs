// esbuild settings of the admin console, shared by scripts/build-console.mjs and the browser
// test that bundles the forms (test/e2e/console-forms.test.ts).
import { join } from 'node:path';

// zod's classic entry re-exports every locale (about 260 KB minified) through its `z`
// namespace, which no bundler can tree-shake; the console uses English messages only.
const zodEnglishOnly = (root) => ({
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/node_modules/zod/')
        ? { path: 'zod-locales', namespace: 'zod-english-only' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(join(root, 'node_modules/zod/v4/locales/en.js'))};`,
      resolveDir: root,
    }));
  },
});

/** Options every console bundle uses: Preact JSX, react → preact/compat, English-only zod. */
export function consoleEsbuildOptions(root) {
  // @xyflow/react is a React library; Preact's compat layer stands in for react and react-dom.
  const compat = join(root, 'node_modules/preact/compat/dist/compat.mjs');
  return {
    plugins: [zodEnglishOnly(root)],
    bundle: true,
    format: 'esm',
    minifyWhitespace: true,
    minifySyntax: true,
    // bench/profile-editor.mjs builds with readable names, so that a profile names functions.
    minifyIdentifiers: process.env.CONSOLE_READABLE_NAMES !== '1',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    alias: {
      react: compat,
      'react-dom': compat,
      'react/jsx-runtime': join(root, 'node_modules/preact/jsx-runtime/dist/jsxRuntime.mjs'),
    },
    define: { 'process.env.NODE_ENV': '"production"' },
  };
}
