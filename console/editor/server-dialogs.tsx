/** The save-conflict, publish and unpublish dialogs of the editor. */
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ConflictDialog } from './conflict-dialog.tsx';
import type { Problem } from './model/problems.ts';
import { PublishDialog } from './publish-dialog.tsx';
import type { EditorApi } from './use-editor.ts';
import type { ServerActions } from './use-server-actions.ts';

export function ServerDialogs(props: {
  server: ServerActions;
  ed: EditorApi;
  errors: readonly Problem[];
  onPickProblem: (p: Problem) => void;
}) {
  const { server, ed } = props;
  return (
    <>
      <ConflictDialog
        open={server.conflict !== null}
        diff={server.conflictDiff}
        showDiff={server.conflict?.showDiff ?? false}
        onReload={server.reloadTheirs}
        onOverwrite={() => void server.overwrite()}
        onCompare={server.compareConflict}
        onClose={server.closeDialogs}
      />
      <PublishDialog
        open={server.publishing !== null}
        liveVersion={ed.server.publishedVersion}
        diff={server.publishing?.diff ?? null}
        errors={props.errors}
        busy={server.busy}
        onPublish={(note) => void server.publish(note)}
        onPickProblem={props.onPickProblem}
        onClose={server.closeDialogs}
      />
      <Dialog
        open={server.unpublishing}
        title="Unpublish this flow?"
        onClose={server.cancelUnpublish}
        actions={
          <>
            <Button onClick={server.cancelUnpublish}>Cancel</Button>
            <Button variant="danger" onClick={() => void server.unpublish()}>
              Unpublish
            </Button>
          </>
        }
      >
        <p>
          The flow stops running for new visitors, and runs in progress are cancelled (their
          conversations stay). Its versions are kept: publish again at any time.
        </p>
      </Dialog>
    </>
  );
}
