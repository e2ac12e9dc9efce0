// Load: many concurrent conversations x N visitor messages on loopback. Each visitor sends its
// messages one after another (waiting for each answer, as a person would); afterwards a fresh
// tab replays every transcript from sequence 0 and we check that every message was stored
// exactly once, in order, each followed by exactly one pilot answer.
import { randomUUID } from 'node:crypto';
import { openMany, summarize } from './hot-path.mjs';
import { EchoTab, startSession, WidgetTab } from './widget-client.mjs';

/** Sockets opened at once, both sides (a thousand at once overran wrangler's dev proxy). */
export const LOAD_OPEN_PARALLEL = 50;

/** Problems with one transcript (empty when it is exactly once and in order). */
export function transcriptProblems(transcript, sent) {
  const problems = [];
  const seqs = transcript.map((m) => m.seq);
  seqs.forEach((seq, i) => {
    if (seq !== i + 1) problems.push(`sequence gap or repeat at position ${i}: seq ${seq}`);
  });
  const visitor = transcript.filter((m) => m.author === 'visitor').map((m) => m.text);
  if (JSON.stringify(visitor) !== JSON.stringify(sent)) {
    problems.push(`visitor messages ${JSON.stringify(visitor)} != sent ${JSON.stringify(sent)}`);
  }
  transcript.forEach((m, i) => {
    if (m.author !== 'visitor') return;
    const answers = [];
    for (let j = i + 1; j < transcript.length && transcript[j].author !== 'visitor'; j++) {
      answers.push(transcript[j]);
    }
    if (answers.length !== 1) problems.push(`"${m.text}" answered ${answers.length} times`);
  });
  return problems;
}

/** Reads a conversation's whole transcript through a fresh tab (hello with lastSeq 0). */
export async function replayTranscript(base, session) {
  const tab = await WidgetTab.open(base, session);
  const lastSeq = tab.welcome.lastSeq;
  await tab.waitFor(() => tab.transcript().length >= lastSeq, `replay up to seq ${lastSeq}`);
  tab.close();
  return tab.transcript();
}

/**
 * The load itself, the same for both sides: `conversations` sockets opened LOAD_OPEN_PARALLEL at
 * a time, then every visitor sends `messages` one after another, waiting for each answer (at
 * most 60 s: a stalled message fails the run instead of hanging it).
 */
async function drive(conversations, messages, open) {
  const latencies = [];
  const started = performance.now();
  const tabs = await openMany(conversations, open, LOAD_OPEN_PARALLEL);
  const connected = performance.now();
  await Promise.all(
    tabs.map(async (tab, c) => {
      for (let m = 0; m < messages; m++) latencies.push((await tab.ask(`c${c} m${m}`, 60_000)).ms);
      tab.close();
    }),
  );
  return { latencies, started, connected, ended: performance.now() };
}

/**
 * Runs `conversations` x `messages`; resolves with counts, latency percentiles, wall time and
 * the list of problems (empty = zero lost, zero duplicated, all in order).
 */
export async function runLoad(base, { conversations, messages, pilotKey = 'pk_demo' }) {
  const sessionsStarted = performance.now();
  const sessions = await openMany(conversations, () => startSession(base, pilotKey), 25);
  // The clock starts after the sessions exist: `seconds` is sockets + messages only.
  const { latencies, started, connected, ended } = await drive(conversations, messages, (i) =>
    WidgetTab.open(base, sessions[i]),
  );
  const seconds = (ended - started) / 1000;
  const problems = [];
  const transcripts = await openMany(conversations, (i) => replayTranscript(base, sessions[i]), 50);
  transcripts.forEach((transcript, c) => {
    const sent = Array.from({ length: messages }, (_, m) => `c${c} m${m}`);
    for (const problem of transcriptProblems(transcript, sent)) problems.push(`c${c}: ${problem}`);
  });
  return {
    conversations,
    messagesPerConversation: messages,
    answered: latencies.length,
    /** Sockets opened, every message sent and answered; excludes creating the sessions. */
    seconds: Math.round(seconds * 100) / 100,
    /** Creating the sessions (`POST /session`, 25 at a time) before the clock started. */
    sessionSeconds: Math.round((started - sessionsStarted) / 10) / 100,
    connectSeconds: Math.round((connected - started) / 10) / 100,
    perSecond: Math.round((latencies.length / (ended - connected)) * 1000),
    latency: summarize(latencies),
    problems,
  };
}

/**
 * The same load shape against the bare echo Durable Object (bench/echo-worker): `conversations`
 * sockets opened LOAD_OPEN_PARALLEL at a time, then every visitor sends `messages` one after
 * another, waiting for each echo. Clock and percentiles as in `runLoad` (no sessions to create,
 * no transcript to replay: the echo keeps none to read back).
 */
export async function runEchoLoad(base, { conversations, messages }) {
  const { latencies, started, connected, ended } = await drive(conversations, messages, () =>
    EchoTab.open(base, `load_${randomUUID()}`),
  );
  return {
    conversations,
    messagesPerConversation: messages,
    answered: latencies.length,
    seconds: Math.round((ended - started) / 10) / 100,
    connectSeconds: Math.round((connected - started) / 10) / 100,
    perSecond: Math.round((latencies.length / (ended - connected)) * 1000),
    latency: summarize(latencies),
  };
}
