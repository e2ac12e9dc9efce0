/**
 * A flow of `count` steps without positions (laid out on load): messages, conditions and
 * button questions in turn, each leading to the next, every other port to one shared `end`.
 * Used where the editor's large-flow path is tested (the sliced parse and check, and the
 * 1,000-step flow in Chromium). `messageText` lets a test plant a problem in one message.
 */
export function largeFlow(
  count: number,
  {
    pilotId,
    name,
    messageText = (i: number) => `Message ${i}`,
  }: {
    pilotId: string;
    name: string;
    messageText?: (i: number) => string;
  },
) {
  const id = (i: number) => (i < count - 1 ? `s${i}` : 'end');
  const nodes: Record<string, unknown>[] = Array.from({ length: count - 1 }, (_, i) =>
    i % 3 === 0
      ? { id: id(i), type: 'send_message', text: messageText(i), next: id(i + 1) }
      : i % 3 === 1
        ? {
            id: id(i),
            type: 'condition',
            branches: [{ when: { field: 'visitor.country', op: 'eq', value: 'FR' }, next: 'end' }],
            else: id(i + 1),
          }
        : {
            id: id(i),
            type: 'ask_question',
            text: `Question ${i}?`,
            input: {
              kind: 'buttons',
              options: [
                { label: 'Yes', value: 'yes', next: id(i + 1) },
                { label: 'No', value: 'no', next: 'end' },
              ],
            },
          },
  );
  nodes.push({ id: 'end', type: 'end' });
  return {
    schemaVersion: 1,
    name,
    pilotId,
    trigger: { type: 'new_conversation' },
    start: 's0',
    nodes,
  };
}
