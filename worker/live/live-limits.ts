/**
 * Live view socket rules shared by the admin route and the pilot object. Kept apart from
 * `pilot-object.ts` so the admin routes (also bundled for Node to produce the OpenAPI
 * document) never import `cloudflare:workers`.
 */

/** Live view subscribers per pilot: each change is sent to all of them, so they are few. */
export const MAX_LIVE_SUBSCRIBERS = 20;
/**
 * Live view sockets one API key may hold on a pilot: half the room, so no key (a read-only one
 * included) can lock the others out of the live view; revoking it closes its sockets.
 */
export const MAX_LIVE_SOCKETS_PER_KEY = 10;
/** The header the Worker sets to the id of the admin key that opened a live socket. */
export const LIVE_KEY_HEADER = 'x-admin-key-id';

/**
 * Direct pushes (a conversation's row after its turn) the pilot's object takes per second:
 * a burst of LIVE_PUSH_BURST, then LIVE_PUSHES_PER_SECOND. Many visitors of one pilot chatting
 * at once would otherwise make its object — which also serves frequency claims and round robin —
 * a hotspot, and send every subscriber a frame per turn. Past it a push is refused before it
 * is parsed or stored (the conversation then pauses its pushes, and its isolate's other
 * conversations with it: UNWATCHED_RECHECK_MS); the queue brings the same rows in batches a
 * second or two later, and the subscribers get a `lagging` frame saying so.
 */
export const LIVE_PUSH_BURST = 50;
export const LIVE_PUSHES_PER_SECOND = 50;
/** At most one `lagging` frame per this many milliseconds. */
export const LIVE_LAGGING_EVERY_MS = 1_000;
