/**
 * The appearance preview: the real messenger (the built widget element, dist/widget/preview-*)
 * in a sandboxed frame of this origin (/preview/messenger, which has no network at all: it never
 * opens a conversation). The frame says when it is ready; from then on every change of the
 * display name, accent colour or launcher corner is posted to it, to this origin only.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export const PREVIEW_PATH = '/preview/messenger';

export function MessengerPreview(props: {
  displayName: string;
  accentColor: string;
  position: 'right' | 'left';
}) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (
        event.origin === location.origin &&
        event.source === frame.current?.contentWindow &&
        (event.data as { type?: unknown } | null)?.type === 'edgepilot:preview-ready'
      )
        setReady(true);
    };
    addEventListener('message', onMessage);
    return () => removeEventListener('message', onMessage);
  }, []);
  useEffect(() => {
    if (!ready) return;
    frame.current?.contentWindow?.postMessage(
      {
        type: 'edgepilot:preview-appearance',
        displayName: props.displayName,
        accentColor: props.accentColor,
        position: props.position,
      },
      location.origin,
    );
  }, [ready, props.displayName, props.accentColor, props.position]);
  return (
    <figure class="preview">
      <figcaption id="messenger-preview-caption">
        Live preview: the messenger as visitors see it (not connected; nothing you type is sent)
      </figcaption>
      {/* Scripts run (it is the real messenger) in this origin, so its messages can be checked
          by origin; the page's own CSP forbids any network request. */}
      <iframe
        ref={frame}
        class="preview-frame"
        src={PREVIEW_PATH}
        title="Messenger preview"
        sandbox="allow-scripts allow-same-origin"
        referrerpolicy="no-referrer"
        aria-describedby="messenger-preview-caption"
      />
    </figure>
  );
}
