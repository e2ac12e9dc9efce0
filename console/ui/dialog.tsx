/**
 * A modal dialog on the native `<dialog>`: the browser traps focus, makes the page behind it
 * inert, closes on Escape and returns focus to the opener — no hand-written focus trap.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export interface DialogProps {
  open: boolean;
  title: string;
  /** Escape, the close button, or the caller's own cancel. */
  onClose: () => void;
  children: ComponentChildren;
  /** Buttons of the dialog's footer. */
  actions?: ComponentChildren;
  /** A form dialog: Enter submits, and `onSubmit` runs instead of a page navigation. */
  onSubmit?: () => void;
  describedBy?: string;
}

export function Dialog({
  open,
  title,
  onClose,
  children,
  actions,
  onSubmit,
  describedBy,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const body = (
    <>
      <header class="dialog-header">
        <h2 id={titleId}>{title}</h2>
      </header>
      <div class="dialog-body">{children}</div>
      {actions && <footer class="dialog-actions">{actions}</footer>}
    </>
  );
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open &&
        (onSubmit ? (
          <form
            method="dialog"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              onSubmit();
            }}
          >
            {body}
          </form>
        ) : (
          body
        ))}
    </dialog>
  );
}
