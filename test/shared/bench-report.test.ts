/**
 * The benchmark report describes what the code ran (issue 12, item 13), and the peers live in
 * prefixes that cannot prune each other. Pure: no servers, no registry.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { LATENCY_PLAN, MESSAGES_PER_CONVERSATION } from '../../bench/lib/hot-path.mjs';
// @ts-expect-error plain ESM script without types
import { checks, markdown } from '../../bench/lib/report.mjs';
// @ts-expect-error plain ESM script without types
import { PEERS, peerDir, peerPrefix } from '../../bench/lib/weight.mjs';

const summary = { count: 1, p50: 1, p95: 2, p99: 3 };
const results = (latencyPlan: Record<string, number>) => ({
  meta: { date: 'd', cpus: 2, cpuModel: 'cpu', node: 'v22', loadAverage: '0' },
  hotPath: {
    latencyPlan,
    latency: { edgepilot: summary, echo: summary },
    latencyRatio: { p50: 1, p95: 1, p99: 1 },
    throughput: [],
  },
  load: {
    conversations: 1000,
    messagesPerConversation: 10,
    answered: 10000,
    seconds: 37.5,
    sessionSeconds: 4.2,
    perSecond: 300,
    latency: summary,
    problems: [],
  },
  memory: {
    count: 200,
    edgepilot: { perConversationKb: 1 },
    echo: { perConversationKb: 1 },
  },
});
const report = (plan: Record<string, number>) => {
  const r = results(plan);
  return markdown(r, checks(r), []) as string;
};

describe('bench report', () => {
  it("states the latency plan the code runs, from the run's own plan", () => {
    const shipped = { ...LATENCY_PLAN, messagesPerConversation: MESSAGES_PER_CONVERSATION };
    expect(report(shipped)).toContain(
      'per side 10 discarded warm-up messages (2 conversations × 5), then 4 blocks of 105 messages (7 conversations × 15)',
    );
    // Another plan, another text: it is derived, not written down.
    const other = {
      blocks: 3,
      perBlock: 45,
      warmupConversations: 1,
      warmupMessages: 4,
      messagesPerConversation: 15,
    };
    expect(report(other)).toContain(
      'per side 4 discarded warm-up messages (1 conversations × 4), then 3 blocks of 45 messages (3 conversations × 15)',
    );
  });

  it('says the 1,000 x 10 time excludes session creation and how long that took', () => {
    const text = report(LATENCY_PLAN);
    expect(text).toContain(
      'The 1000 sessions (`POST /session`) are created first and are not in that time (they took 4.2 s more)',
    );
    expect(text).toContain('37.5 s excl. session creation (+4.2 s)');
  });

  it('reports the 1,000 x 10 load against the echo DO under the same load, time and p99', () => {
    const r = {
      ...results(LATENCY_PLAN),
      loadEcho: {
        conversations: 1000,
        messagesPerConversation: 10,
        answered: 10000,
        seconds: 12.5,
        connectSeconds: 2,
        perSecond: 900,
        latency: { count: 10000, p50: 1, p95: 1, p99: 1.5 },
      },
    };
    const rows = checks(r) as { what: string; measured: string }[];
    expect(rows.find((row) => row.what.includes('echo DO, same load'))?.measured).toBe(
      '12.5 s, p99 1.5 ms (ours 3x the time, p99 2x)',
    );
    expect(markdown(r, rows, [])).toContain('Ours: 3x its time, 2x its p99.');
    // A failed echo run is reported as not measured, never silently left out.
    const failed = checks({ ...results(LATENCY_PLAN), loadEcho: { error: 'socket closed' } });
    expect(failed.find((row: { what: string }) => row.what === 'load, echo DO')?.measured).toBe(
      'not measured (socket closed)',
    );
  });

  it('describes memory as measured the same way on both sides', () => {
    expect(report(LATENCY_PLAN)).toContain(
      'edgepilot and the echo DO are measured the same way, each on a fresh `wrangler dev`',
    );
  });

  it('installs every peer into a prefix of its own, so one install cannot prune another', () => {
    const prefixes = PEERS.map((peer: { pkg: string }) => peerPrefix(peer.pkg));
    expect(new Set(prefixes).size).toBe(PEERS.length);
    for (const peer of PEERS as { pkg: string }[])
      expect(peerDir(peer.pkg)).toBe(`${peerPrefix(peer.pkg)}/node_modules/${peer.pkg}`);
  });
});
