/** A yes/no question before something that cannot be undone (delete, revoke). */
import { useId } from 'preact/hooks';
import { Button } from './button.tsx';
import { Dialog } from './dialog.tsx';

export function ConfirmDialog({
  open,
  title,
  text,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  /** What will happen, said before it does. */
  text: string;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const textId = useId();
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      describedBy={textId}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <p id={textId}>{text}</p>
    </Dialog>
  );
}
