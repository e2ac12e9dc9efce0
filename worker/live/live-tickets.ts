/**
 * Tickets into the live view's WebSocket. A browser cannot set an `Authorization` header on a
 * WebSocket, and an admin key must never travel in a URL (logs, history, Referer). So the
 * console first asks `POST /live/tickets` (with its key, in the header) for a ticket: random,
 * short-lived, single-use, bound to the workspace, the key and the pilot. It then opens
 * `/live/socket?pilotId=…&ticket=…`. A leaked ticket is worth one socket within seconds.
 *
 * Stored in the pilot's Durable Object (the object serializes callers, so "single use" is
 * exact): only the SHA-256 of a ticket is kept, with its expiry.
 */

/** How long a ticket can wait before it is redeemed. */
export const LIVE_TICKET_TTL_MS = 30_000;
/** Unredeemed, unexpired tickets per pilot; beyond this minting is refused (bounded table). */
export const MAX_LIVE_TICKETS = 100;
/**
 * Open tickets one API key may have on a pilot: a console mints one per socket it opens, so 20
 * is plenty, and no key can fill the pilot's table and keep other consoles from their tickets.
 */
export const MAX_LIVE_TICKETS_PER_KEY = 20;

export interface TicketGrant {
  workspaceId: string;
  keyId: string;
}

export type MintResult = 'minted' | 'pilot_full' | 'key_full';

export type Redeemed =
  | { ok: true; grant: TicketGrant }
  | { ok: false; reason: 'unknown' | 'expired' };

export class LiveTickets {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS live_tickets (
      hash TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, key_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL)`);
  }

  /**
   * Records a ticket's hash; or says why not: the pilot (`pilot_full`) or this key
   * (`key_full`) already has too many open tickets.
   */
  mint(hash: string, grant: TicketGrant, now: number): MintResult {
    // Expired tickets are useless: dropping them here keeps the table bounded.
    this.sql.exec('DELETE FROM live_tickets WHERE expires_at <= ?', now);
    const { open, ofKey } = this.sql
      .exec<{ open: number; ofKey: number }>(
        'SELECT COUNT(*) AS open, COALESCE(SUM(key_id = ?), 0) AS ofKey FROM live_tickets',
        grant.keyId,
      )
      .one();
    if (ofKey >= MAX_LIVE_TICKETS_PER_KEY) return 'key_full';
    if (open >= MAX_LIVE_TICKETS) return 'pilot_full';
    this.sql.exec(
      'INSERT INTO live_tickets (hash, workspace_id, key_id, expires_at) VALUES (?, ?, ?, ?)',
      hash,
      grant.workspaceId,
      grant.keyId,
      now + LIVE_TICKET_TTL_MS,
    );
    return 'minted';
  }

  /** Consumes the ticket (deleted whatever the outcome: a second try finds nothing). */
  redeem(hash: string, now: number): Redeemed {
    const row = this.sql
      .exec<{ workspace_id: string; key_id: string; expires_at: number }>(
        'DELETE FROM live_tickets WHERE hash = ? RETURNING workspace_id, key_id, expires_at',
        hash,
      )
      .toArray()[0];
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.expires_at <= now) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { workspaceId: row.workspace_id, keyId: row.key_id } };
  }
}
