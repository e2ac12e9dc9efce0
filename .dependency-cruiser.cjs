/**
 * The import rules of the code base, checked by `npm run deps` (part of `npm run check`) and by
 * test/shared/architecture.test.ts. Type-only imports count: an arrow is an arrow.
 *
 * Layers, lowest first (each may import only those before it):
 *   shared/expr (values, templates, conditions, office hours, agents)
 *   <- shared/flow (the flow schema, validation, trigger matching)
 *   <- shared/engine (runs a flow)
 *   <- worker, widget, console (none of which imports another)
 * Inside the worker, store/ (D1 and KV reads and writes) sits at the bottom; routes/ at the top.
 *
 * Known violations (.dependency-cruiser-known-violations.json) are the ones in worker/conversation/
 * that its refactor (issue 15) removes; `--ignore-known` lets only those pass.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other (directly or round a loop) cannot be read alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'expr-is-the-base',
      comment: 'shared/expr is the bottom layer: it imports nothing of ours outside itself.',
      severity: 'error',
      from: { path: '^shared/expr/' },
      to: { path: '^(shared|worker|widget|console)/', pathNot: '^shared/expr/' },
    },
    {
      name: 'flow-below-engine',
      comment: 'The engine runs flows; flows (schema, validation, matching) never reach into it.',
      severity: 'error',
      from: { path: '^shared/flow/' },
      to: { path: '^shared/engine/' },
    },
    {
      name: 'shared-stays-shared',
      comment:
        'shared/ runs in the worker, the widget and the console alike: it imports none of them.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(worker|widget|console)/' },
    },
    {
      name: 'apps-apart',
      comment: 'The worker, the widget and the console share code only through shared/.',
      severity: 'error',
      from: { path: '^(worker|widget|console)/' },
      to: { path: '^(worker|widget|console)/', pathNot: '^$1/' },
    },
    {
      name: 'store-at-the-bottom',
      comment: 'worker/store is data access: it imports only itself, worker/env.ts and shared/.',
      severity: 'error',
      from: { path: '^worker/store/' },
      to: { path: '^worker/', pathNot: '^worker/(store/|env\\.ts$)' },
    },
    {
      name: 'routes-at-the-top',
      comment:
        'Only the Worker entry mounts routes; what routes share lives lower (store/, ai/, http/).',
      severity: 'error',
      from: { path: '^worker/', pathNot: '^worker/(index\\.ts$|routes/)' },
      to: { path: '^worker/routes/' },
    },
    {
      name: 'local-imports-resolve',
      comment: 'A relative import this tool cannot follow would hide its arrows from every rule.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
  },
};
