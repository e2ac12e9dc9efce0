// @ts-check
/**
 * `edgepilot flows pull|push|validate|publish`: flow JSON files in a directory, round-tripped
 * through the admin API, so flows can live in git and be reviewed as diffs.
 * - pull: every draft (of one pilot with `--pilot`) into `<dir>/<name>.json`;
 * - push: create flows for files without `id`, replace drafts that differ (with `If-Match`
 *   from the last pull/push, so edits made elsewhere meanwhile answer 412 instead of being lost);
 * - validate: the server's checks for every file (no writes, a `read` key is enough);
 * - publish: push, then publish every draft that differs from its live version.
 * Each returns the number of files that failed; the caller turns that into the exit code.
 */
import { CliError, describeError } from './admin-client.mjs';
import {
  canonical,
  fileNameFor,
  readFlowFiles,
  readState,
  writeFlowFile,
  writeState,
} from './flow-files.mjs';

/**
 * @typedef {import('./admin-client.mjs').AdminClient} AdminClient
 * @typedef {{ client: AdminClient, dir: string, log: (line: string) => void, pilot?: string, note?: string, force?: boolean }} Context
 */

/** @param {Context} ctx */
export async function pull({ client, dir, log, pilot }) {
  const flows = await client.listAll('/flows', pilot ? { pilotId: pilot } : {});
  const { flows: local } = await readFlowFiles(dir);
  const fileById = new Map(local.filter((f) => f.id).map((f) => [f.id, f.file]));
  const taken = new Set(local.map((f) => f.file));
  const revisions = await readState(dir);
  for (const flow of flows) {
    const file = fileById.get(flow.id) ?? fileNameFor(String(flow.draft.name ?? 'flow'), taken);
    const changed = await writeFlowFile(dir, file, { id: flow.id, ...flow.draft });
    revisions[flow.id] = flow.revision;
    log(`${changed ? 'pulled' : 'unchanged'} ${file} (${flow.id}, revision ${flow.revision})`);
  }
  const remote = new Set(flows.map((f) => f.id));
  for (const f of local) {
    if (f.id && !remote.has(f.id) && !pilot) log(`note: ${f.file} names ${f.id}, which is gone`);
  }
  await writeState(dir, revisions);
  log(`${flows.length} flow(s) in ${dir}`);
  return 0;
}

/**
 * @param {Context} ctx
 * @returns {Promise<{ failures: number, pushed: { file: string, id: string, revision: number }[] }>}
 */
export async function pushFiles({ client, dir, log, force }) {
  const { flows, broken } = await readFlowFiles(dir);
  for (const b of broken) log(`error ${b.file}: ${b.error}`);
  let failures = broken.length;
  const revisions = await readState(dir);
  const pushed = [];
  for (const flow of flows) {
    if (!flow.id) {
      const created = await client.request('POST', '/flows', { body: flow.definition });
      if (created.status !== 201) {
        log(`error ${flow.file}: ${describeError(created)}`);
        failures++;
        continue;
      }
      // Bind the file to its new flow so the next push updates instead of creating again.
      await writeFlowFile(dir, flow.file, { id: created.body.id, ...flow.raw });
      revisions[created.body.id] = created.body.revision;
      pushed.push({ file: flow.file, id: created.body.id, revision: created.body.revision });
      log(`created ${flow.file} (${created.body.id})`);
      continue;
    }
    const current = await client.request('GET', `/flows/${encodeURIComponent(flow.id)}`);
    if (current.status !== 200) {
      log(`error ${flow.file}: ${flow.id}: ${describeError(current)}`);
      failures++;
      continue;
    }
    if (canonical(current.body.draft) === canonical(flow.definition)) {
      revisions[flow.id] = current.body.revision;
      pushed.push({ file: flow.file, id: flow.id, revision: current.body.revision });
      log(`unchanged ${flow.file}`);
      continue;
    }
    const known = revisions[flow.id];
    const saved = await client.request('PUT', `/flows/${encodeURIComponent(flow.id)}`, {
      body: flow.definition,
      ifMatch: !force && known !== undefined ? `"${known}"` : undefined,
    });
    if (saved.status === 412) {
      log(
        `conflict ${flow.file}: ${flow.id} changed on the server since your last pull (revision ${known} -> ${current.body.revision}); pull and merge, or push --force`,
      );
      failures++;
      continue;
    }
    if (saved.status !== 200) {
      log(`error ${flow.file}: ${describeError(saved)}`);
      failures++;
      continue;
    }
    revisions[flow.id] = saved.body.revision;
    pushed.push({ file: flow.file, id: flow.id, revision: saved.body.revision });
    log(`updated ${flow.file} (${flow.id}, revision ${saved.body.revision})`);
  }
  await writeState(dir, revisions);
  return { failures, pushed };
}

/** @param {Context} ctx */
export async function push(ctx) {
  const { failures, pushed } = await pushFiles(ctx);
  ctx.log(`${pushed.length} in sync with the server, ${failures} failed`);
  return failures;
}

/** @param {Context} ctx */
export async function validate({ client, dir, log }) {
  const { flows, broken } = await readFlowFiles(dir);
  for (const b of broken) log(`error ${b.file}: ${b.error}`);
  let failures = broken.length;
  for (const flow of flows) {
    const path = flow.id ? `/flows/${encodeURIComponent(flow.id)}/validate` : '/flows/validate';
    const result = await client.request('POST', path, { body: flow.definition });
    if (result.status !== 200) {
      log(`error ${flow.file}: ${describeError(result)}`);
      failures++;
      continue;
    }
    const { errors, warnings } = result.body;
    for (const issue of errors) log(`error ${flow.file}: ${formatIssue(issue)}`);
    for (const issue of warnings) log(`warning ${flow.file}: ${formatIssue(issue)}`);
    if (errors.length > 0) failures++;
    else log(`ok ${flow.file}${warnings.length ? ` (${warnings.length} warning(s))` : ''}`);
  }
  log(`${flows.length + broken.length - failures} valid, ${failures} invalid`);
  return failures;
}

/** @param {Context} ctx */
export async function publish(ctx) {
  const { client, log } = ctx;
  const note = ctx.note ?? 'Published with edgepilot flows publish';
  const { failures: pushFailures, pushed } = await pushFiles(ctx);
  let failures = pushFailures;
  for (const flow of pushed) {
    const id = encodeURIComponent(flow.id);
    const current = await client.request('GET', `/flows/${id}`);
    if (current.status !== 200) throw new CliError(`GET /flows/${id}: ${describeError(current)}`);
    const live = current.body.publishedVersion;
    if (live !== null) {
      const version = await client.request('GET', `/flows/${id}/versions/${live}`);
      if (
        version.status === 200 &&
        canonical(version.body.definition) === canonical(current.body.draft)
      ) {
        log(`live ${flow.file} (version ${live}, unchanged)`);
        continue;
      }
    }
    const result = await client.request('POST', `/flows/${id}/publish`, {
      body: { note },
      ifMatch: `"${flow.revision}"`,
    });
    if (result.status !== 200) {
      log(`error ${flow.file}: ${describeError(result)}`);
      failures++;
      continue;
    }
    log(`published ${flow.file} (${flow.id}, version ${result.body.version})`);
  }
  log(`${pushed.length - (failures - pushFailures)} live, ${failures} failed`);
  return failures;
}

/** @param {{ path: string, message: string, nodeId?: string }} issue */
function formatIssue(issue) {
  return `${issue.path || '(root)'}: ${issue.message}${issue.nodeId ? ` (node ${issue.nodeId})` : ''}`;
}
