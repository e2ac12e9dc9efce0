/**
 * Team members (the human agents a conversation is handed over to) and teams (groups of
 * them, used by flows' availability rules and round-robin assignment): list, add, edit,
 * delete. A member still in a team cannot be deleted (the API answers 409 naming the teams).
 */
import { useApi } from '../api/context.ts';
import { failureText, unwrap } from '../api/errors.ts';
import { fieldError } from '../ops/pilot-form.ts';
import { memberNames } from '../settings/access-model.ts';
import { Check, ItemDialog } from '../settings/item-dialog.tsx';
import { type Team, type User, useTeamData } from '../settings/use-docs.ts';
import { useItemEditor } from '../settings/use-item-editor.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/confirm.tsx';
import { TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert } from '../ui/toast.tsx';

function rowActions(name: string, edit: () => void, remove: () => void) {
  return (
    <div class="row-actions">
      <Button variant="ghost" onClick={edit}>
        Edit {name}
      </Button>
      <Button variant="ghost" class="btn-danger-ghost" onClick={remove}>
        Delete {name}
      </Button>
    </div>
  );
}

export function TeamPage() {
  const api = useApi();
  const data = useTeamData(api);
  const reload = () => void data.reload();
  const people = useItemEditor<User, { name: string; email: string }>({
    empty: { name: '', email: '' },
    formOf: (u) => ({ name: u.name, email: u.email }),
    what: 'Team member',
    save: (id, body) =>
      id
        ? unwrap(api.PATCH('/users/{id}', { params: { path: { id } }, body }))
        : unwrap(api.POST('/users', { body })),
    remove: (id) => unwrap(api.DELETE('/users/{id}', { params: { path: { id } } })),
    changed: reload,
  });
  const groups = useItemEditor<Team, { name: string; members: string[] }>({
    empty: { name: '', members: [] },
    formOf: (t) => ({ name: t.name, members: t.members }),
    what: 'Team',
    save: (id, body) =>
      id
        ? unwrap(api.PATCH('/teams/{id}', { params: { path: { id } }, body }))
        : unwrap(api.POST('/teams', { body })),
    remove: (id) => unwrap(api.DELETE('/teams/{id}', { params: { path: { id } } })),
    changed: reload,
  });
  const users = data.users ?? [];

  const userColumns: Column<User>[] = [
    { header: 'Name', rowHeader: true, cell: (u) => u.name },
    { header: 'Email', cell: (u) => u.email },
    {
      header: 'Teams',
      cell: (u) =>
        (data.teams ?? [])
          .filter((t) => t.members.includes(u.id))
          .map((t) => t.name)
          .join(', ') || '—',
    },
    {
      header: 'Actions',
      cell: (u) =>
        rowActions(
          u.name,
          () => people.openEdit(u),
          () => people.askDelete(u),
        ),
    },
  ];
  const teamColumns: Column<Team>[] = [
    { header: 'Team', rowHeader: true, cell: (t) => t.name },
    { header: 'Members', cell: (t) => memberNames(t.members, users) },
    {
      header: 'Actions',
      cell: (t) =>
        rowActions(
          t.name,
          () => groups.openEdit(t),
          () => groups.askDelete(t),
        ),
    },
  ];
  const person = people.editing?.form;
  const team = groups.editing?.form;
  const personErr = (path: string) =>
    people.failure ? fieldError(people.failure.fields, path) : undefined;
  const teamErr = (path: string) =>
    groups.failure ? fieldError(groups.failure.fields, path) : undefined;

  return (
    <section class="page">
      <header class="page-header">
        <h1>Team</h1>
      </header>
      {data.failure && <Alert>Could not load the team: {failureText(data.failure)}</Alert>}
      <section aria-labelledby="members-title">
        <h2 id="members-title">Team members</h2>
        <div class="page-actions">
          <Button variant="primary" onClick={() => people.openNew()}>
            New team member
          </Button>
        </div>
        {data.users && (
          <Table
            caption="Team members"
            captionHidden
            columns={userColumns}
            rows={data.users}
            rowKey={(u) => u.id}
            empty="Nobody yet: add the people who answer handed-over conversations."
          />
        )}
      </section>
      <section aria-labelledby="teams-title">
        <h2 id="teams-title">Teams</h2>
        <div class="page-actions">
          <Button variant="primary" onClick={() => groups.openNew()}>
            New team
          </Button>
        </div>
        {data.teams && (
          <Table
            caption="Teams"
            captionHidden
            columns={teamColumns}
            rows={data.teams}
            rowKey={(t) => t.id}
            empty="No team yet."
          />
        )}
      </section>
      <ItemDialog
        open={person !== undefined}
        title={people.editing?.id ? 'Edit team member' : 'New team member'}
        saveLabel="Save team member"
        saving={people.saving}
        failure={people.failure}
        onSave={() => void people.save()}
        onClose={people.close}
      >
        {person && (
          <>
            <TextField
              label="Name"
              value={person.name}
              onValue={(name) => people.setForm({ ...person, name })}
              error={personErr('name')}
              maxLength={200}
            />
            <TextField
              label="Email"
              type="email"
              value={person.email}
              onValue={(email) => people.setForm({ ...person, email })}
              error={personErr('email')}
              maxLength={320}
            />
          </>
        )}
      </ItemDialog>
      <ItemDialog
        open={team !== undefined}
        title={groups.editing?.id ? 'Edit team' : 'New team'}
        saveLabel="Save team"
        saving={groups.saving}
        failure={groups.failure}
        onSave={() => void groups.save()}
        onClose={groups.close}
      >
        {team && (
          <>
            <TextField
              label="Team name"
              value={team.name}
              onValue={(name) => groups.setForm({ ...team, name })}
              error={teamErr('name')}
              maxLength={200}
            />
            <fieldset>
              <legend>Members</legend>
              {users.length === 0 && <p>Add team members first.</p>}
              {users.map((u) => (
                <Check
                  key={u.id}
                  id={`team-member-${u.id}`}
                  label={u.name}
                  checked={team.members.includes(u.id)}
                  onChange={(on) =>
                    groups.setForm({
                      ...team,
                      members: on
                        ? [...team.members, u.id]
                        : team.members.filter((id) => id !== u.id),
                    })
                  }
                />
              ))}
            </fieldset>
          </>
        )}
      </ItemDialog>
      <ConfirmDialog
        open={people.deleting !== null}
        title="Delete this team member?"
        text={`${people.deleting?.name ?? 'They'} will no longer be offered handed-over conversations. Remove them from their teams first.`}
        confirmLabel="Delete team member"
        onConfirm={() => void people.confirmDelete()}
        onClose={people.cancelDelete}
      />
      <ConfirmDialog
        open={groups.deleting !== null}
        title="Delete this team?"
        text="Flows whose availability names this team stop finding anyone in it."
        confirmLabel="Delete team"
        onConfirm={() => void groups.confirmDelete()}
        onClose={groups.cancelDelete}
      />
    </section>
  );
}
