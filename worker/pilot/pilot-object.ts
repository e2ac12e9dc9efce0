/**
 * One Durable Object per pilot: the place for state that spans conversations of a pilot and
 * must be exact (agent presence, `frequency: once` claims, live-view fan-out). Off the
 * message hot path.
 */
import { DurableObject } from 'cloudflare:workers';
import type { AppEnv } from '../env.ts';

export class PilotObject extends DurableObject<AppEnv> {
  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS claims (flow_id TEXT NOT NULL, subject TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (flow_id, subject))',
    );
  }

  /**
   * Claims "flow ran for subject" once. True for the first caller only, even when several
   * conversations ask at the same time (the object serializes them).
   */
  async claimOnce(flowId: string, subject: string, now: number): Promise<boolean> {
    const cursor = this.ctx.storage.sql.exec(
      'INSERT INTO claims (flow_id, subject, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      flowId,
      subject,
      now,
    );
    return cursor.rowsWritten > 0;
  }
}
