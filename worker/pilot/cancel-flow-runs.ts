/**
 * Unpublishing a flow cancels its running runs (SPEC 3.6 rule 6) without deleting chats.
 * Which conversations run it is known from the live view (PilotObject) and the enrollment log
 * (D1); both are fed by the events queue, so a run started a moment ago may be missing from
 * both — each ConversationObject also cancels an unpublished run itself the next time it reads
 * the pilot's snapshot.
 */
import type { AppEnv } from '../env.ts';

export async function cancelFlowRuns(
  env: AppEnv,
  pilotId: string,
  flowId: string,
  reason = 'unpublished',
): Promise<number> {
  const live = await env.PILOT.get(env.PILOT.idFromName(pilotId)).conversationsRunning(flowId);
  const { results } = await env.DB.prepare(
    "SELECT DISTINCT conversation_id FROM enrollments WHERE flow_id = ? AND status = 'waiting'",
  )
    .bind(flowId)
    .all<{ conversation_id: string }>();
  const ids = new Set([...live, ...results.map((row) => row.conversation_id)]);
  let cancelled = 0;
  for (const id of ids) {
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(id));
    if (await stub.cancelRuns({ flowId }, reason)) cancelled++;
  }
  return cancelled;
}
