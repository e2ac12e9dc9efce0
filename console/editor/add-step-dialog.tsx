/** "+" on a port or a connection, and the palette's keyboard path: choose the type of step. */

import type { NodeType } from '../../shared/flow/schema.ts';
import { Dialog } from '../ui/dialog.tsx';
import { NODE_TYPES } from './model/node-types.ts';

export function AddStepDialog(props: {
  open: boolean;
  title: string;
  onPick: (type: NodeType) => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose}>
      <StepTypeList onPick={props.onPick} />
    </Dialog>
  );
}

/** Every node type, grouped; each is a button named "Add <title>". */
export function StepTypeList({
  onPick,
  prefix = '',
}: {
  onPick: (type: NodeType) => void;
  prefix?: string;
}) {
  const groups = [...new Set(NODE_TYPES.map((t) => t.group))];
  return (
    <div class="palette">
      {groups.map((group) => (
        <fieldset key={group} class="palette-group" aria-label={`${prefix}${group}`}>
          <legend>{group}</legend>
          {NODE_TYPES.filter((t) => t.group === group).map((t) => (
            <button
              key={t.type}
              type="button"
              class="palette-item"
              data-type={t.type}
              onClick={() => onPick(t.type)}
            >
              {t.title}
            </button>
          ))}
        </fieldset>
      ))}
    </div>
  );
}
