#!/usr/bin/env node
// `npm start`: build the widget and the admin console, migrate local D1, run wrangler dev, seed the demo, print URLs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, startDevServer } from './dev-server.mjs';

for (const script of ['scripts/build-widget.mjs', 'scripts/build-console.mjs']) {
  const build = spawnSync(process.execPath, [join(root, script)], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const port = Number(process.env.PORT ?? 8787);
// The printed URLs use localhost, so the demo articles cite localhost pages too.
const server = await startDevServer({ port, quiet: false, siteHost: 'localhost' });
const local = `http://localhost:${server.port}`;
console.log(`
  edgepilot is running.

  Demo page        ${local}/
  Admin console    ${local}/admin   (sign in with the admin key below)
  Admin API        ${local}/v1/admin   (Authorization: Bearer ${server.adminKey})
  Demo pilot key   ${server.seeded.publicKey}   (flow ${server.seeded.flowId}, version ${server.seeded.version})

  Press Ctrl+C to stop.
`);
const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
