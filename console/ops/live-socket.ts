/**
 * The live view's WebSocket from a browser. A browser cannot put the admin key in a header on a
 * WebSocket, and the key must never go in a URL: so each connection first asks
 * `POST /live/tickets` (key in the header, as for every call) for a single-use ticket valid for
 * 30 s, and opens the socket with it. Reconnects with jittered backoff and a fresh ticket.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.ts';
import { unwrap } from '../api/errors.ts';
import {
  applyLiveFrame,
  type LiveFrame,
  type LiveRow,
  parseLiveFrame,
  reconnectDelay,
} from './live-frames.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'refused';

const PING_MS = 25_000;

/** Opens the socket for `pilotId`; returns a function that closes it for good. */
export function connectLive(
  api: ApiClient,
  pilotId: string,
  on: { frame: (frame: LiveFrame) => void; state: (state: LiveState) => void },
): () => void {
  let stopped = false;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let attempt = 0;

  const retry = () => {
    if (stopped) return;
    on.state('reconnecting');
    timer = setTimeout(open, reconnectDelay(attempt++));
  };

  async function open() {
    const minted = await unwrap(api.POST('/live/tickets', { body: { pilotId } }));
    if (stopped) return;
    if (!minted.ok) {
      // A refused key or a deleted pilot will not get better by retrying.
      if (minted.failure.status === 401 || minted.failure.status === 404) on.state('refused');
      else retry();
      return;
    }
    const origin = location.origin.replace(/^http/, 'ws');
    const url = `${origin}${minted.data.socketPath}&ticket=${encodeURIComponent(minted.data.ticket)}`;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      on.state('live');
      ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('ping'), PING_MS);
    };
    ws.onmessage = (event) => {
      const frame = typeof event.data === 'string' ? parseLiveFrame(event.data) : null;
      if (frame) on.frame(frame);
    };
    ws.onclose = () => {
      clearInterval(ping);
      if (socket === ws) retry();
    };
  }

  on.state('connecting');
  void open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(ping);
    socket?.close(1000, 'done');
    socket = null;
  };
}

/**
 * The live rows of `pilotId` (empty string: none), kept current by the socket; `onFrame` also
 * hears each frame (the inbox refreshes what it shows).
 */
export function useLiveRows(api: ApiClient, pilotId: string, onFrame?: (frame: LiveFrame) => void) {
  // Kept with the pilot they belong to: right after the pilot changes (before the effect has
  // closed the old socket and opened the new one) the previous pilot's "Live" and rows must not
  // be shown as this pilot's — a console that trusted that "Live" missed a visitor who arrived
  // before the new socket was open.
  const [rows, setRows] = useState<{ pilotId: string; rows: LiveRow[] }>({ pilotId, rows: [] });
  const [state, setState] = useState<{ pilotId: string; state: LiveState }>({
    pilotId,
    state: 'connecting',
  });
  // When this pilot's last `lagging` frame came (see isLagging).
  const [lagging, setLagging] = useState<{ pilotId: string; at: number } | null>(null);
  const listener = useRef(onFrame);
  listener.current = onFrame;
  useEffect(() => {
    setRows({ pilotId, rows: [] });
    if (!pilotId) return;
    return connectLive(api, pilotId, {
      frame: (frame) => {
        if (frame.type === 'lagging') setLagging({ pilotId, at: Date.now() });
        setRows((prev) => ({
          pilotId,
          rows: applyLiveFrame(prev.pilotId === pilotId ? prev.rows : [], frame),
        }));
        listener.current?.(frame);
      },
      state: (next) => setState({ pilotId, state: next }),
    });
  }, [api, pilotId]);
  return {
    rows: rows.pilotId === pilotId ? rows.rows : [],
    state: state.pilotId === pilotId ? state.state : ('connecting' as LiveState),
    laggingAt: lagging?.pilotId === pilotId ? lagging.at : null,
  };
}

export const liveStateText: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Connection lost; reconnecting…',
  refused: 'The live view refused this key or pilot',
};

/** Said while the pilot's pushes are past their rate (the rows come by the queue instead). */
export const LAGGING_TEXT = 'Busy: updates arrive a second or two late';
