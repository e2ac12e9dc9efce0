/**
 * Live change frames of several pilots at once (the inbox spans pilots): one ticketed socket
 * per pilot, bounded, each reconnecting on its own.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ApiClient } from '../api/client.ts';
import type { LiveFrame } from './live-frames.ts';
import { connectLive } from './live-socket.ts';

/** At most this many pilots are watched at once; the rest refresh when the page is reloaded. */
export const MAX_WATCHED_PILOTS = 10;

export function useLiveSignals(
  api: ApiClient,
  pilotIds: readonly string[],
  onFrame: (frame: LiveFrame) => void,
) {
  const listener = useRef(onFrame);
  listener.current = onFrame;
  const key = pilotIds.slice(0, MAX_WATCHED_PILOTS).join(',');
  useEffect(() => {
    const ids = key ? key.split(',') : [];
    const stops = ids.map((id) =>
      connectLive(api, id, { frame: (f) => listener.current(f), state: () => {} }),
    );
    return () => {
      for (const stop of stops) stop();
    };
  }, [api, key]);
}
