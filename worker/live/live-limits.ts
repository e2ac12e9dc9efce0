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
