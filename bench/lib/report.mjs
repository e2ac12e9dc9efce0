// Turns one benchmark run into the printed table, bench/results.json, bench/charts/*.svg and
// BENCHMARKS.md. Every figure with a SPEC 4 bar says whether it holds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/dev-server.mjs';
import { barChart } from './charts.mjs';
import { LATENCY_PLAN, MESSAGES_PER_CONVERSATION } from './hot-path.mjs';

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const fmt = (n, digits = 1) => (n === null || n === undefined ? 'n/a' : Number(n).toFixed(digits));
const int = (n) => (n === null || n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));

/** One row per figure: what, measured, bar, holds (true/false/null when there is no bar). */
export function checks(r) {
  const rows = [];
  const add = (what, measured, bar, holds) => rows.push({ what, measured, bar, holds });
  const missing = (what, bar, section) => add(what, `not measured (${section.error})`, bar, false);
  if (r.weight?.rows) {
    const [loader, messenger] = r.weight.rows;
    add('loader /widget.js, brotli', kb(loader.brotli), '<= 1.5 KB', loader.brotli <= 1536);
    add('whole messenger, brotli', kb(messenger.brotli), '<= 15 KB', messenger.brotli <= 15360);
    for (const peer of r.weight.rows.slice(2)) {
      add(`${peer.name.split(' (')[0]} embed, brotli`, kb(peer.brotli), '(peer)', null);
    }
  } else if (r.weight) missing('widget weight', 'SPEC 4', r.weight);
  if (r.consoleWeight?.firstLoad) {
    const { firstLoad } = r.consoleWeight;
    add(
      'admin console first load, brotli',
      kb(firstLoad.brotli),
      '<= 100 KB',
      firstLoad.brotli <= 102400,
    );
  } else if (r.consoleWeight) missing('admin console first load', 'issue 13', r.consoleWeight);
  if (r.mainThread?.pages) {
    const { edgepilot, empty, typebot } = r.mainThread.pages;
    const excess = Math.max(0, (edgepilot.blockingMs ?? 0) - (empty.blockingMs ?? 0));
    add(
      'script time, messenger page (4x CPU)',
      `${fmt(edgepilot.scriptMs)} ms`,
      '<= 25 ms',
      edgepilot.scriptMs <= 25,
    );
    add('blocking time over empty page (4x CPU)', `${fmt(excess)} ms`, '0 ms', excess === 0);
    add(
      'launcher visible after navigation (4x CPU)',
      `${fmt(edgepilot.launcherMs)} ms`,
      `(Typebot ${fmt(typebot.launcherMs)} ms)`,
      null,
    );
  } else if (r.mainThread) missing('main-thread cost', 'SPEC 4', r.mainThread);
  if (r.consoleEditor?.flows?.[1000]) {
    const { open } = r.consoleEditor.flows[1000];
    add(
      'flow editor: longest task opening 1,000 steps (4x CPU)',
      `${int(open.longestMs)} ms (blocking ${int(open.blockingMs)} ms)`,
      '<= 200 ms',
      open.longestMs <= 200,
    );
  } else if (r.consoleEditor) missing('flow editor at 1,000 steps', 'SPEC 4', r.consoleEditor);
  if (r.hotPath?.latency) {
    const { latency, latencyRatio, throughput } = r.hotPath;
    add(
      'message -> first reply p50 vs echo DO',
      `${latencyRatio.p50}x (${latency.edgepilot.p50} vs ${latency.echo.p50} ms)`,
      '<= 1.5x',
      latencyRatio.p50 <= 1.5,
    );
    add(
      'message -> first reply p99 vs echo DO',
      `${latencyRatio.p99}x (${latency.edgepilot.p99} vs ${latency.echo.p99} ms)`,
      '(reported)',
      null,
    );
    for (const row of throughput) {
      const bar = row.concurrency === 100 ? '>= 0.8x' : '(reported)';
      add(
        `throughput, ${row.concurrency} conversations vs echo DO`,
        `${row.ratio}x (${row.edgepilot.perSecond} vs ${row.echo.perSecond} msg/s)`,
        bar,
        row.concurrency === 100 ? row.ratio >= 0.8 : null,
      );
    }
  } else if (r.hotPath) missing('hot path', 'SPEC 4', r.hotPath);
  if (r.liveLag?.lag) {
    const { lag, barMs } = r.liveLag;
    add(
      'live view lag: visitor message -> live frame p50',
      `${lag.p50} ms (p99 ${lag.p99} ms, ${lag.count} messages)`,
      `<= ${barMs} ms`,
      lag.p50 <= barMs,
    );
  } else if (r.liveLag) missing('live view lag', 'issue 14', r.liveLag);
  if (r.load?.conversations) {
    const l = r.load;
    add(
      `load ${l.conversations} x ${l.messagesPerConversation}: lost/duplicated/out of order`,
      `${l.problems.length} problems, ${l.seconds} s excl. session creation${l.sessionSeconds === undefined ? '' : ` (+${l.sessionSeconds} s)`}, p99 ${l.latency.p99} ms`,
      '0 problems within 60 s',
      l.problems.length === 0 && l.seconds <= 60,
    );
    const e = r.loadEcho;
    if (e?.conversations)
      add(
        `load ${e.conversations} x ${e.messagesPerConversation}: echo DO, same load`,
        `${e.seconds} s, p99 ${e.latency.p99} ms (ours ${ratioOf(l.seconds, e.seconds)}x the time, p99 ${ratioOf(l.latency.p99, e.latency.p99)}x)`,
        'reported',
        true,
      );
    else if (e) missing('load, echo DO', 'reported', e);
  } else if (r.load) missing('load', '0 lost / 0 duplicated', r.load);
  if (r.engine) {
    const e = r.engine;
    const chain = e.sendMessageChain;
    add(
      'engine node steps/s (send_message chain)',
      chain?.ok ? int(chain.stepsPerSecond) : `n/a (${chain?.reason})`,
      '>= 1,000,000/s',
      chain?.ok ? chain.stepsPerSecond >= 1e6 : false,
    );
    add(
      'engine node steps/s (set_variable/condition/send_message)',
      e.mixed?.ok ? int(e.mixed.stepsPerSecond) : `n/a (${e.mixed?.reason})`,
      '>= 1,000,000/s',
      e.mixed?.ok ? e.mixed.stepsPerSecond >= 1e6 : null,
    );
    add(
      'validateFlow, 500-node flow (median)',
      e.validator500?.ok ? `${e.validator500.medianMs} ms` : `n/a (${e.validator500?.reason})`,
      '(reported)',
      null,
    );
  }
  if (r.memory?.edgepilot) {
    add(
      'memory per live conversation (workerd RSS, fresh process each)',
      `${r.memory.edgepilot.perConversationKb} KB (echo DO ${r.memory.echo?.perConversationKb ?? 'n/a'} KB)`,
      '(reported)',
      null,
    );
  } else if (r.memory) missing('memory per conversation', '(reported)', r.memory);
  if (r.erase?.ok) {
    add(
      `erase a person: ${r.erase.conversations} conversations x ${r.erase.messagesPerConversation} messages`,
      `${r.erase.eraseMs} ms (${r.erase.calls} call${r.erase.calls === 1 ? '' : 's'})`,
      '(reported)',
      null,
    );
  } else if (r.erase)
    add(
      'erase a person',
      `n/a (${r.erase.reason ?? r.erase.error ?? 'not complete'})`,
      '(reported)',
      null,
    );
  if (r.publish?.ok) {
    add(
      'publish -> new version serves new conversations',
      `${r.publish.servingMs} ms`,
      '(reported)',
      null,
    );
  } else if (r.publish)
    add('publish -> serving', `n/a (${r.publish.reason ?? r.publish.error})`, '(reported)', null);
  return rows;
}

export function printTable(rows) {
  const holds = (h) => (h === null ? '' : h ? 'holds' : 'MISSES');
  const table = rows.map((r) => [r.what, r.measured, r.bar, holds(r.holds)]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((t) => String(t[i]).length), 6));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(['figure', 'measured', 'bar', 'status']));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const t of table) console.log(line(t));
}

function charts(r) {
  const out = {};
  if (r.weight?.rows) {
    out['widget-weight.svg'] = barChart({
      title: 'What a site loads, brotli (KB) — lower is better',
      rows: r.weight.rows.map((row, i) => ({
        label: row.name.split(' (')[0],
        value: Math.round(row.brotli / 102.4) / 10,
        kind: i < 2 ? 'ours' : 'peer',
      })),
      unit: ' KB',
      limit: { value: 15, label: 'bar 15 KB' },
    });
  }
  if (r.mainThread?.pages) {
    const p = r.mainThread.pages;
    const rows = [];
    for (const [name, label] of [
      ['empty', 'empty page'],
      ['edgepilot', 'edgepilot'],
      ['typebot', 'Typebot'],
    ]) {
      const kind = name === 'edgepilot' ? 'ours' : name === 'empty' ? 'baseline' : 'peer';
      rows.push({ label: `${label}: script`, value: p[name].scriptMs, kind });
      rows.push({ label: `${label}: blocking >50 ms`, value: p[name].blockingMs, kind });
    }
    out['main-thread.svg'] = barChart({
      title: 'Main thread at 4x CPU throttle (ms) — lower is better',
      rows,
      unit: ' ms',
      limit: { value: 25, label: 'script bar 25 ms' },
    });
  }
  if (r.hotPath?.latency) {
    const { latency, throughput } = r.hotPath;
    const rows = [];
    for (const p of ['p50', 'p95', 'p99']) {
      rows.push({ label: `edgepilot ${p}`, value: latency.edgepilot[p], kind: 'ours' });
      rows.push({ label: `echo DO ${p}`, value: latency.echo[p], kind: 'baseline' });
    }
    out['latency.svg'] = barChart({
      title: 'Visitor message -> first reply frame (ms) — lower is better',
      rows,
      unit: ' ms',
      format: (v) => `${v.toFixed(2)} ms`,
    });
    out['throughput.svg'] = barChart({
      title: 'Answered messages per second — higher is better',
      rows: throughput.flatMap((t) => [
        { label: `edgepilot, ${t.concurrency} conv.`, value: t.edgepilot.perSecond, kind: 'ours' },
        { label: `echo DO, ${t.concurrency} conv.`, value: t.echo.perSecond, kind: 'baseline' },
      ]),
      unit: '/s',
    });
  }
  return out;
}

function markdownTable(headers, rows) {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function writeReport(r) {
  const rows = checks(r);
  writeFileSync(
    join(root, 'bench/results.json'),
    `${JSON.stringify({ ...r, checks: rows }, null, 2)}\n`,
  );
  const chartDir = join(root, 'bench/charts');
  mkdirSync(chartDir, { recursive: true });
  const svgs = charts(r);
  for (const [file, svg] of Object.entries(svgs)) writeFileSync(join(chartDir, file), svg);
  writeFileSync(join(root, 'BENCHMARKS.md'), markdown(r, rows, Object.keys(svgs)));
  return rows;
}

export function markdown(r, rows, svgs) {
  const holds = (h) => (h === null ? '—' : h ? '✅ holds' : '❌ misses');
  const parts = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` (bench/run.mjs) on ${r.meta.date} — ${r.meta.cpus} × ${r.meta.cpuModel}, Node ${r.meta.node}, load average at start ${r.meta.loadAverage}. One run, every ratio measured against its baseline in the same run. Raw data: [bench/results.json](bench/results.json). Nothing here is asserted in a timed test.`,
    '',
    '## Figures and bars (SPEC 4)',
    '',
    markdownTable(
      ['figure', 'measured', 'bar', 'status'],
      rows.map((c) => [c.what, c.measured, c.bar, holds(c.holds)]),
    ),
    '',
  ];
  for (const svg of svgs) parts.push(`![${svg.replace('.svg', '')}](bench/charts/${svg})`, '');
  if (r.weight?.rows) {
    parts.push(
      '## Widget weight',
      '',
      "The files a site actually loads: our loader and the whole messenger (loader + every file under `dist/widget/`); each peer's browser embed bundle including its CSS, installed from the npm registry into `bench/.cache` at bench time, one npm prefix per peer (never a product dependency). gzip level 9, brotli quality 11.",
      '',
    );
    parts.push(
      markdownTable(
        ['what', 'files', 'raw', 'gzip', 'brotli'],
        r.weight.rows.map((w) => [
          w.name,
          w.files.map((f) => `\`${f}\``).join('<br>'),
          kb(w.raw),
          kb(w.gzip),
          kb(w.brotli),
        ]),
      ),
      '',
    );
  }
  if (r.consoleWeight?.firstLoad) {
    const c = r.consoleWeight;
    parts.push(
      '## Admin console weight',
      '',
      "What a browser downloads to open `/admin`: `index.html`, the stylesheet, the entry script and its static imports, each compressed on its own as served. The canvas editor page (xyflow) and zod load on demand when a flow is opened or a file imported (listed apart). Typebot's and n8n's editors are megabytes.",
      '',
      markdownTable(
        ['what', 'raw', 'gzip', 'brotli'],
        [
          ['first load (HTML + CSS + JS)', c.firstLoad],
          ['HTML', c.html],
          ['CSS', c.css],
          ['JS (entry + static imports)', c.js],
          ['loaded on demand (editor, zod)', c.lazy],
        ].map(([name, s]) => [name, kb(s.raw), kb(s.gzip), kb(s.brotli)]),
      ),
      '',
    );
  }
  if (r.consoleEditor?.flows) {
    const e = r.consoleEditor;
    parts.push(
      '## Flow editor at scale',
      '',
      `Headless Chromium, CPU throttled ${e.cpuThrottle}x through CDP, signed in to the console: a full load of \`/admin/flows/:id\` for generated flows (bench/lib/flow-gen.mjs; ${e.layout}) until the canvas stops changing, then six drags of the pane. Long tasks from a \`longtask\` PerformanceObserver; blocking = the part of each over 50 ms. The canvas draws only what is in view.`,
      '',
      markdownTable(
        ['steps', 'phase', 'ms', 'steps drawn', 'long tasks', 'longest ms', 'blocking ms'],
        Object.values(e.flows).flatMap((f) =>
          ['open', 'pan'].map((phase) => [
            int(f.steps),
            phase,
            int(f[phase].ms),
            int(f[phase].renderedNodes),
            int(f[phase].longTasks),
            int(f[phase].longestMs),
            int(f[phase].blockingMs),
          ]),
        ),
      ),
      '',
    );
  }
  if (r.mainThread?.pages) {
    parts.push(
      '## Main-thread cost',
      '',
      `Headless Chromium (playwright-core, flags of test/e2e/browser.ts), CPU throttled ${r.mainThread.cpuThrottle}x through CDP, median of ${r.mainThread.pages.empty.samples} fresh loads per page after a discarded warm-up round, pages interleaved. Script time = CDP \`ScriptDuration\` from navigation until ${r.mainThread.settleMs} ms after \`load\`; long tasks and blocking time (the part of each task over 50 ms) from a \`longtask\` PerformanceObserver; launcher time = first frame with a visible launcher button, measured in separate loads (the per-frame probe costs script time of its own).`,
      '',
    );
    parts.push(
      markdownTable(
        ['page', 'script ms', 'all tasks ms', 'long tasks', 'blocking ms', 'launcher visible ms'],
        Object.entries(r.mainThread.pages).map(([n, p]) => [
          n,
          fmt(p.scriptMs),
          fmt(p.taskMs),
          fmt(p.longTasks, 0),
          fmt(p.blockingMs),
          fmt(p.launcherMs),
        ]),
      ),
      '',
    );
  }
  if (r.hotPath?.latency) {
    const h = r.hotPath;
    // The plan the run used (older results predate `latencyPlan`: the code's constants).
    const plan = h.latencyPlan ?? {
      ...LATENCY_PLAN,
      messagesPerConversation: MESSAGES_PER_CONVERSATION,
    };
    const latencyText = `Latency: one message in flight at a time; per side ${plan.warmupConversations * plan.warmupMessages} discarded warm-up messages (${plan.warmupConversations} conversations × ${plan.warmupMessages}), then ${plan.blocks} blocks of ${plan.perBlock} messages (${plan.perBlock / plan.messagesPerConversation} conversations × ${plan.messagesPerConversation}), the two sides alternating block by block: ${plan.blocks * plan.perBlock} samples per side.`;
    parts.push(
      '## Hot path on local workerd',
      '',
      `edgepilot: \`wrangler dev\` on a frozen copy of the tree, the seeded demo pilot, the real widget protocol (POST session, WebSocket, hello, \`message\` frames); the reply is the first pilot frame after the visitor's message (one committed turn: dedupe, the visitor message, a search of the knowledge base, the answer). Baseline: \`bench/echo-worker\`, a bare Durable Object that accepts a WebSocket and does one SQLite INSERT per message, then echoes — same workerd, same run. ${latencyText} Throughput: N concurrent conversations, each visitor waiting for the answer before sending the next message${h.throughputRounds ? `; ${h.throughputRounds} rounds per row, each side's round run back to back with the other's (who goes first alternates), msg/s the median round of each side and the ratio the median of the rounds' ratios` : ''}.`,
      '',
    );
    parts.push(
      markdownTable(
        ['', 'p50 ms', 'p95 ms', 'p99 ms'],
        [
          ['edgepilot', h.latency.edgepilot.p50, h.latency.edgepilot.p95, h.latency.edgepilot.p99],
          ['echo DO', h.latency.echo.p50, h.latency.echo.p95, h.latency.echo.p99],
          ['ratio', `${h.latencyRatio.p50}x`, `${h.latencyRatio.p95}x`, `${h.latencyRatio.p99}x`],
        ],
      ),
      '',
    );
    parts.push(
      markdownTable(
        [
          'conversations',
          'messages',
          'edgepilot msg/s',
          'echo msg/s',
          'ratio',
          'edgepilot p99 ms',
          'echo p99 ms',
          'ratio per round',
        ],
        h.throughput.map((t) => [
          t.concurrency,
          t.edgepilot.messages,
          t.edgepilot.perSecond,
          t.echo.perSecond,
          `${t.ratio}x`,
          t.edgepilot.latency.p99,
          t.echo.latency.p99,
          (t.roundRatios ?? [t.ratio]).join(', '),
        ]),
      ),
      '',
    );
  }
  if (r.liveLag?.lag) {
    const { lag, plan, barMs } = r.liveLag;
    parts.push(
      '## Live view lag',
      '',
      `A pilot of its own; the console side opens \`/v1/admin/live/socket\` with a ticket (\`POST /v1/admin/live/tickets\`), as the browser console does; one visitor sends ${plan.messages} messages one at a time (after ${plan.warmup} warm-up, ${plan.paceMs} ms apart), each timed from the send to the \`changes\` frame whose row shows that turn. p50 ${lag.p50} ms, p95 ${lag.p95} ms, p99 ${lag.p99} ms (bar: p50 <= ${barMs} ms).`,
      '',
    );
  }
  if (r.load?.conversations) {
    const l = r.load;
    parts.push(
      '## Load',
      '',
      `${l.conversations} concurrent conversations × ${l.messagesPerConversation} messages on loopback: ${l.answered} answers in ${l.seconds} s (${l.perSecond} msg/s), latency p50 ${l.latency.p50} / p95 ${l.latency.p95} / p99 ${l.latency.p99} ms. The ${l.conversations} sessions (\`POST /session\`) are created first and are not in that time${l.sessionSeconds === undefined ? '' : ` (they took ${l.sessionSeconds} s more)`}: the clock runs from opening the sockets until the last answer. Every transcript replayed from sequence 0 afterwards: ${l.problems.length} lost, duplicated or out-of-order messages${l.problems.length ? ` (first: ${l.problems.slice(0, 3).join('; ')})` : ''}.`,
      '',
    );
    const e = r.loadEcho;
    if (e?.conversations)
      parts.push(
        `The bare echo Durable Object under the same load (${e.conversations} sockets opened 50 at a time, ${e.messagesPerConversation} messages each, one at a time): ${e.answered} answers in ${e.seconds} s (${e.perSecond} msg/s), p50 ${e.latency.p50} / p95 ${e.latency.p95} / p99 ${e.latency.p99} ms. Ours: ${ratioOf(l.seconds, e.seconds)}x its time, ${ratioOf(l.latency.p99, e.latency.p99)}x its p99.`,
        '',
      );
  }
  if (r.engine) {
    parts.push(
      '## Flow engine and validator',
      '',
      'In-process (Node, shared/engine loaded as TypeScript): best of 5 rounds of 2,000 start events, each running a 200-node chain (the per-event cap).',
      '',
    );
    parts.push('```json', JSON.stringify(r.engine, null, 2), '```', '');
  }
  if (r.memory || r.publish) {
    parts.push(
      '## Memory and publish',
      '',
      `Memory: edgepilot and the echo DO are measured the same way, each on a fresh \`wrangler dev\` of its own that served nothing before, one after the other: 5 warm-up conversations with one turn each, then the resident memory of the workerd processes before and after opening ${r.memory?.count ?? 200} more conversations that each had one turn (objects live, sockets open), divided by ${r.memory?.count ?? 200}. Publish: a flow out-ranking the demo flow is published; new conversations are started until one is greeted by it.`,
      '',
    );
    parts.push(
      '```json',
      JSON.stringify({ memory: r.memory, publish: r.publish }, null, 2),
      '```',
      '',
    );
  }
  if (r.erase) {
    parts.push(
      '## Erasure',
      '',
      'A verified contact (identity HMAC) chats on 10 pilots through the widget protocol, 50 questions and 50 pilot answers each; once the export shows every message held and the index lists every conversation, `POST /v1/admin/contacts/{id}/erase` is timed (called again while it answers 202) until it reports `erased`.',
      '',
      '```json',
      JSON.stringify(r.erase, null, 2),
      '```',
      '',
    );
  }
  parts.push(
    '## Faults and bad input (proved by tests, not measured here)',
    '',
    'The SPEC 4 rows "faults" and "bad input" are behaviour, not speed, so `npm test` proves them on every run (see [test/README.md](test/README.md)): `npm run test:faults` drops sockets every N frames, duplicates and reorders frames, evicts and aborts Durable Objects at every step and mid-turn, restarts `wrangler dev` mid-turn on the same persisted state and points webhooks at targets that hang, return 500 or close the connection — zero lost, zero duplicated messages, no POST sent twice; `npm run test:security` fuzzes every public widget route and socket frames with fast-check (only 4xx JSON, never 5xx, nothing changed by a rejected request), checks origins, identity hashes, token expiry, admin key guessing and SSRF in production mode, and renders the XSS corpus from agents and AI answers inert in Chromium.',
    '',
  );
  return `${parts.join('\n')}\n`;
}

function ratioOf(a, b) {
  return b > 0 ? Math.round((a / b) * 100) / 100 : null;
}
