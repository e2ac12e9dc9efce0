// Widget weight: raw / gzip / brotli bytes of what a site actually loads — our loader and whole
// messenger (dist/) next to the peers' browser bundles (incl. CSS), installed from the npm
// registry into bench/.cache at bench time, never as dependencies of the product.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { root } from '../../scripts/dev-server.mjs';

export const cacheDir = join(root, 'bench/.cache');

/** Each peer's embed bundle: the files its docs tell a site to load from a CDN. */
export const PEERS = [
  { name: 'Typebot', pkg: '@typebot.io/js', files: ['dist/web.js'] },
  { name: 'Flowise', pkg: 'flowise-embed', files: ['dist/web.js'] },
  { name: 'Voiceflow', pkg: '@voiceflow/react-chat', files: ['dist/bundle.mjs', 'dist/style.css'] },
  { name: 'n8n', pkg: '@n8n/chat', files: ['dist/chat.bundle.es.js', 'dist/style.css'] },
];

function npm(args, cwd) {
  return spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
}

/**
 * Where one peer lives: its own npm prefix under bench/.cache. One prefix per peer, because
 * `npm install --prefix P --no-save b` into a shared prefix prunes the `a` a previous install
 * put there (it is in no package.json), so a fresh checkout ended with only the last peer.
 */
export function peerPrefix(pkg) {
  return join(cacheDir, pkg.replace(/^@/, '').replace(/\//g, '__'));
}

/** The installed package directory of a peer. */
export function peerDir(pkg) {
  return join(peerPrefix(pkg), 'node_modules', pkg);
}

/**
 * Installs each missing peer into its own prefix with `npm install --prefix` (saved in that
 * prefix's package.json, so a later install there keeps it). A package whose dependency tree
 * cannot be resolved from the registry (n8n pins unpublished versions) is fetched with
 * `npm pack` instead: its published browser bundle is self-contained either way. Throws when a
 * peer is still missing afterwards, naming it, rather than failing later on a missing file.
 */
export function ensurePeers() {
  const method = {};
  for (const peer of PEERS) {
    const dir = peerDir(peer.pkg);
    if (existsSync(join(dir, 'package.json'))) {
      method[peer.pkg] = 'cached';
      continue;
    }
    const prefix = peerPrefix(peer.pkg);
    mkdirSync(prefix, { recursive: true });
    const manifest = join(prefix, 'package.json');
    if (!existsSync(manifest))
      writeFileSync(manifest, '{ "name": "bench-peer", "private": true }\n');
    const common = ['--no-audit', '--no-fund', '--ignore-scripts'];
    const installed = npm(['install', '--prefix', prefix, ...common, peer.pkg], root);
    if (installed.status === 0 && existsSync(join(dir, 'package.json'))) {
      method[peer.pkg] = 'npm install';
      continue;
    }
    const packed = npm(['pack', peer.pkg, '--pack-destination', prefix, '--json'], prefix);
    if (packed.status !== 0) throw new Error(`could not fetch ${peer.pkg}:\n${packed.stderr}`);
    const [{ filename }] = JSON.parse(packed.stdout);
    mkdirSync(dir, { recursive: true });
    const tar = spawnSync('tar', [
      'xzf',
      join(prefix, filename),
      '-C',
      dir,
      '--strip-components=1',
    ]);
    if (tar.status !== 0) throw new Error(`could not unpack ${filename}`);
    method[peer.pkg] = 'npm pack (dependency tree not installable)';
  }
  for (const peer of PEERS)
    if (!existsSync(join(peerDir(peer.pkg), 'package.json')))
      throw new Error(`peer ${peer.pkg} is not in ${peerDir(peer.pkg)} after installing`);
  return method;
}

/** raw / gzip (level 9) / brotli (quality 11) bytes of the concatenated files. */
export function sizes(paths) {
  const buffer = Buffer.concat(paths.map((p) => readFileSync(p)));
  return {
    raw: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: buffer.length,
      },
    }).length,
  };
}

/**
 * Our loader and whole messenger: the loader, the entry and every lazy chunk, as the build's
 * widget manifest lists them (the same files check-size counts). Other bundles under
 * dist/widget/, such as the console's appearance preview, are not shipped to a site.
 */
export function ourFiles() {
  const dist = join(root, 'dist');
  const loader = join(dist, 'widget.js');
  if (!existsSync(loader)) throw new Error('dist/widget.js missing: run `npm run build` first');
  const manifest = JSON.parse(readFileSync(join(dist, 'widget-manifest.json'), 'utf8'));
  const bundle = [manifest.messenger, ...(manifest.chunks ?? [])].map((f) => join(dist, f));
  return { loader: [loader], messenger: [loader, ...bundle] };
}

export function benchWeight() {
  const install = ensurePeers();
  const ours = ourFiles();
  const rows = [
    { name: 'edgepilot loader', files: ['dist/widget.js'], ...sizes(ours.loader) },
    {
      name: 'edgepilot messenger',
      files: ours.messenger.map((f) => f.slice(root.length + 1)),
      ...sizes(ours.messenger),
    },
  ];
  for (const peer of PEERS) {
    const dir = peerDir(peer.pkg);
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const files = peer.files.map((f) => join(dir, f)).filter((f) => existsSync(f));
    rows.push({
      name: `${peer.name} (${peer.pkg}@${version})`,
      files: files.map((f) => f.slice(cacheDir.length + 1)),
      ...sizes(files),
    });
  }
  return { install, rows };
}
