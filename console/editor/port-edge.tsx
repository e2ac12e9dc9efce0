/**
 * A connection: a bezier from a port to a step, labelled with the port, with a "+" to insert.
 *
 * The "+" sits at the bezier's middle and is drawn only while that point is in view (like the
 * steps, which `onlyRenderVisibleElements` draws only in view) and the zoom leaves it big
 * enough to click: a long connection crossing the view keeps its line but not a button far
 * outside it. On a generated 1,000-step flow, 658
 * connections cross the opening view and almost none of their middles are in it; a button
 * (and a portal) for each made most of the first render's layout. A "+" in view stays in the
 * tab order as before. With insights the line is as wide as its traffic and labelled with
 * its run count.
 */
import {
  BaseEdge,
  EdgeLabelRenderer,
  type EdgeProps,
  getBezierPath,
  useStore,
} from '@xyflow/react';
import { createPortal } from 'preact/compat';
import { runsText } from '../ops/edge-traffic.ts';
import type { PortEdge } from './canvas-types.ts';

/** How far outside the view (screen px) a "+" is still drawn, so it is there as it pans in. */
const MARGIN = 40;
/**
 * Below this zoom a connection's "+" (1.4rem) would be under 8 px: too small to click, so it is
 * not drawn (a zoomed-out 200-step flow drew 223 of them). Each step's own "+" per port inserts
 * at the same place, by mouse or keyboard, at any zoom.
 */
export const PLUS_MIN_ZOOM = 0.35;

/**
 * xyflow's label layer, looked up once per canvas: its own EdgeLabelRenderer runs
 * `querySelector` for every edge on every store update (hundreds of ms per update at 1,000 steps).
 */
const layers = new WeakMap<HTMLElement, Element | null>();
function labelLayer(dom: HTMLElement | null): Element | null {
  if (!dom) return null;
  let layer = layers.get(dom);
  if (layer === undefined) {
    layer = dom.querySelector('.react-flow__edgelabel-renderer');
    if (layer) layers.set(dom, layer);
  }
  return layer;
}

export function PortEdgeView(props: EdgeProps<PortEdge>) {
  const [path, labelX, labelY] = getBezierPath(props);
  const data = props.data;
  // One store subscription per connection (every one runs on every pan frame).
  const layer = useStore((s) => {
    const [tx, ty, zoom] = s.transform;
    const x = labelX * zoom + tx;
    const y = labelY * zoom + ty;
    const inView =
      zoom >= PLUS_MIN_ZOOM &&
      x >= -MARGIN &&
      y >= -MARGIN &&
      x <= s.width + MARGIN &&
      y <= s.height + MARGIN;
    return inView ? labelLayer(s.domNode) : null;
  });
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
        // Insights (a read-only canvas): the count on the line (its accessible name says it too).
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
      {data &&
        !data.readOnly &&
        layer &&
        createPortal(
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
          </div>,
          layer,
        )}
    </>
  );
}
