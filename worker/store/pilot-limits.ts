/**
 * Totals per pilot. A key holder could otherwise create flows, entities and variables without
 * end, and the published snapshot (KV) that every conversation reads and parses — on start and
 * again every couple of seconds while it talks — would grow with them. Each is refused (413
 * `payload_too_large`, naming the field) before anything is stored. README › Limits.
 */

/** Flows (drafts, published or not) per pilot: far more than any site's journeys. */
export const MAX_FLOWS_PER_PILOT = 200;
/**
 * Characters of flow JSON a pilot may have published at once: the snapshot's flows. With the
 * variables' total below and the pilot's settings (bounded by their schema), a snapshot stays
 * under ~2.6 MB: what every conversation of the pilot parses when it reads it.
 */
export const MAX_PUBLISHED_FLOW_CHARS = 2_000_000;
/** Entities per pilot, and the characters of their JSON (each save retrains the pilot's AI). */
export const MAX_ENTITIES_PER_PILOT = 500;
export const MAX_ENTITY_CHARS = 1_000_000;
/** Global pilot variables per pilot, and the characters of their JSON (all in the snapshot). */
export const MAX_VARIABLES_PER_PILOT = 500;
export const MAX_VARIABLE_CHARS = 500_000;
/**
 * Characters a pilot's snapshot may take when written: the totals above (2 MB of flows, 0.5 MB
 * of variables) plus settings bounded by their schema. A last line behind them: writeSnapshot
 * logs and keeps the previous snapshot rather than store a larger one (store/snapshots.ts).
 */
export const MAX_SNAPSHOT_CHARS = 3_000_000;
