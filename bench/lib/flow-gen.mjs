// Generated flows for the editor bench: a tree of send_message / condition / ask_question steps
// (types in turn, breadth first), every open port ending on one shared `end` step. No
// positions: the editor lays them out on load (columns by distance from start), the path a
// flow written by hand or by the CLI takes. Pure; bounded by `count` (the schema allows 2,000).

/** A flow with `count` steps in all (the `end` step included) for `pilotId`. */
export function generatedFlow(count, pilotId) {
  if (!Number.isInteger(count) || count < 2 || count > 2000) throw new Error(`bad count ${count}`);
  const nodes = [];
  const open = []; // [node, setter] pairs: ports still to point somewhere, breadth first
  let made = 0;
  const make = () => {
    const i = made++;
    const id = `s${i}`;
    let node;
    if (i % 3 === 0) {
      node = { id, type: 'send_message', text: `Message ${i}` };
      open.push((next) => (node.next = next));
    } else if (i % 3 === 1) {
      node = {
        id,
        type: 'condition',
        branches: [{ when: { field: 'visitor.country', op: 'eq', value: 'FR' } }],
      };
      open.push((next) => (node.branches[0].next = next));
      open.push((next) => (node.else = next));
    } else {
      node = {
        id,
        type: 'ask_question',
        text: `Question ${i}?`,
        input: {
          kind: 'buttons',
          options: [
            { label: 'Yes', value: 'yes' },
            { label: 'No', value: 'no' },
          ],
        },
      };
      open.push((next) => (node.input.options[0].next = next));
      open.push((next) => (node.input.options[1].next = next));
    }
    nodes.push(node);
    return id;
  };
  make();
  // Each step made fills one open port, so this runs count - 2 times.
  for (let k = 0; made < count - 1; k++) open[k](make());
  for (let k = count - 2; k < open.length; k++) open[k]('end');
  nodes.push({ id: 'end', type: 'end' });
  return {
    schemaVersion: 1,
    name: `Bench flow ${count}`,
    pilotId,
    trigger: { type: 'new_conversation' },
    start: 's0',
    nodes,
  };
}
