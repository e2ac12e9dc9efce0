/**
 * A connection: a bezier from a port to a step, labelled with the port, with a "+" to insert;
 * with insights, as wide as its traffic and labelled with its run count.
 */
import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from '@xyflow/react';
import { runsText } from '../ops/edge-traffic.ts';
import type { PortEdge } from './canvas-types.ts';

export function PortEdgeView(props: EdgeProps<PortEdge>) {
  const [path, labelX, labelY] = getBezierPath(props);
  const data = props.data;
  const label = data?.label ?? '';
  return (
    <>
      <BaseEdge
        id={props.id}
        path={path}
        markerEnd={props.markerEnd}
        {...(data?.width ? { style: { strokeWidth: data.width } } : {})}
      />
      {data?.runs !== undefined && (
        // Insights: the count on the line (its accessible name says it too).
        <EdgeLabelRenderer>
          <span
            class="edge-runs"
            aria-hidden="true"
            title={runsText(data.runs)}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {data.runs}
          </span>
        </EdgeLabelRenderer>
      )}
      {data && !data.readOnly && (
        <EdgeLabelRenderer>
          <div
            class="edge-tools nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            <button
              type="button"
              class="step-plus"
              aria-label={`Insert a step on ${props.source} ${label} to ${props.target}`}
              title="Insert a step here"
              onClick={(event) =>
                data.onPlus(props.source, props.sourceHandleId ?? 'next', event.currentTarget)
              }
            >
              +
            </button>
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}
