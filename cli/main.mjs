// @ts-check
/**
 * The `edgepilot` command line: argument parsing and dispatch. Runs in Node (the `bin`) and,
 * with an injected `fetch`, inside the Workers test runtime against the real Worker.
 */
import mri from 'mri';
import { AdminClient, CliError } from './admin-client.mjs';
import { publish, pull, push, validate } from './flows.mjs';

export const USAGE = `Usage: edgepilot flows <pull|push|validate|publish> [options]

  pull       write every flow draft to <dir>/<name>.json (with its "id")
  push       create flows for files without "id", update drafts that changed
  validate   check every file with the server's validator (errors exit 1)
  publish    push, then publish every draft that differs from its live version

Options:
  --dir <path>     flow files directory (default: flows)
  --url <url>      the Worker's origin (default: $EDGEPILOT_URL or http://localhost:8787)
  --key <key>      admin API key (default: $EDGEPILOT_API_KEY)
  --pilot <id>     pull: only the flows of this pilot
  --note <text>    publish: the version note
  --force          push/publish: overwrite drafts changed on the server since your last pull
  -h, --help       this text
`;

const commands = { pull, push, validate, publish };

/**
 * @param {string[]} argv arguments after the program name
 * @param {{ fetch?: import('./admin-client.mjs').Fetch, env?: Record<string, string | undefined>, stdout?: (line: string) => void, stderr?: (line: string) => void }} [io]
 * @returns {Promise<number>} the exit code: 0 ok, 1 some file failed, 2 usage or connection error
 */
export async function main(argv, io = {}) {
  const env = io.env ?? {};
  const stdout = io.stdout ?? ((line) => console.log(line));
  const stderr = io.stderr ?? ((line) => console.error(line));
  // mri, not node:util parseArgs: the latter is missing from workerd, where the tests run this.
  let unknownFlag = null;
  const values = mri(argv, {
    string: ['dir', 'url', 'key', 'pilot', 'note'],
    boolean: ['force', 'help'],
    // mri's strict mode knows only aliased or defaulted names: list every option here.
    alias: { h: 'help', url: [], key: [], pilot: [], note: [] },
    default: { dir: 'flows', force: false, help: false },
    unknown: (flag) => {
      unknownFlag = flag;
    },
  });
  if (unknownFlag) {
    stderr(`Unknown option ${unknownFlag}\n\n${USAGE}`);
    return 2;
  }
  const positionals = values._.map(String);
  const [group, name] = positionals;
  if (values.help) {
    stdout(USAGE);
    return 0;
  }
  const command =
    group === 'flows' && name && Object.hasOwn(commands, name)
      ? commands[/** @type {keyof commands} */ (name)]
      : null;
  if (!command || positionals.length !== 2) {
    stderr(USAGE);
    return 2;
  }
  const key = values.key ?? env.EDGEPILOT_API_KEY;
  if (!key) {
    stderr('No API key: pass --key or set EDGEPILOT_API_KEY (create one with POST /api-keys)');
    return 2;
  }
  const url = values.url ?? env.EDGEPILOT_URL ?? 'http://localhost:8787';
  const client = new AdminClient(url, key, io.fetch ?? ((input, init) => fetch(input, init)));
  try {
    const failures = await command({
      client,
      dir: values.dir || 'flows',
      log: stdout,
      pilot: values.pilot,
      note: values.note,
      force: values.force,
    });
    return failures > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof CliError) {
      stderr(error.message);
      return 2;
    }
    throw error;
  }
}
