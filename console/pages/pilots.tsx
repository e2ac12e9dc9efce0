/**
 * Pilots and their settings: name, persona, timezone, fallback message, trusted domains,
 * office hours and holidays, appearance with a live preview of the real messenger, identity verification (the secret is
 * write-only: rotating shows it once; enforcing says what happens to unverified visitors), and
 * the embed snippet to copy.
 */
import { useEffect, useState } from 'preact/hooks';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import { MessengerPreview } from '../ops/messenger-preview.tsx';
import {
  embedSnippet,
  fieldError,
  formOf,
  MAX_SLOTS,
  type PilotForm,
  patchOf,
  WEEKDAYS,
  type Weekday,
} from '../ops/pilot-form.ts';
import { usePilots } from '../ops/use-pilots.ts';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { Field, SelectField, TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert, toast } from '../ui/toast.tsx';

type Pilot = components['schemas']['Pilot'];

export function PilotsPage() {
  const api = useApi();
  const { pilots, failure } = usePilots(api);
  const columns: Column<Pilot>[] = [
    {
      header: 'Name',
      rowHeader: true,
      cell: (p) => <a href={`/admin/pilots/${encodeURIComponent(p.id)}`}>{p.name}</a>,
    },
    { header: 'Public key', cell: (p) => <code>{p.publicKey}</code> },
    { header: 'Trusted domains', cell: (p) => p.trustedDomains.join(', ') || 'None' },
    {
      header: 'Identity',
      cell: (p) =>
        p.identityEnforced ? 'Enforced' : p.hasIdentitySecret ? 'Verified when hashed' : 'Off',
    },
  ];
  return (
    <section class="page">
      <h1>Pilots</h1>
      {failure && <Alert>Could not load pilots: {failureText(failure)}</Alert>}
      {!pilots && !failure && <p role="status">Loading pilots…</p>}
      {pilots && (
        <Table
          caption="Pilots"
          captionHidden
          columns={columns}
          rows={pilots}
          rowKey={(p) => p.id}
          empty="No pilot yet."
        />
      )}
    </section>
  );
}

const dayLabel: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export function PilotSettingsPage({ pilotId }: { pilotId: string }) {
  const api = useApi();
  const [pilot, setPilot] = useState<Pilot | null>(null);
  const [form, setForm] = useState<PilotForm | null>(null);
  const [loadFailure, setLoadFailure] = useState<ApiFailure | null>(null);
  const [saveFailure, setSaveFailure] = useState<ApiFailure | null>(null);
  const [saving, setSaving] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirmRotate, setConfirmRotate] = useState(false);

  useEffect(() => {
    void unwrap(api.GET('/pilots/{pilotId}', { params: { path: { pilotId } } })).then((r) => {
      if (!r.ok) return setLoadFailure(r.failure);
      setPilot(r.data);
      setForm(formOf(r.data));
    });
  }, [api, pilotId]);

  if (loadFailure)
    return (
      <section class="page">
        <Alert>Could not load the pilot: {failureText(loadFailure)}</Alert>
      </section>
    );
  if (!pilot || !form)
    return (
      <section class="page">
        <p role="status">Loading the pilot…</p>
      </section>
    );

  const set = <K extends keyof PilotForm>(key: K, value: PilotForm[K]) =>
    setForm({ ...form, [key]: value });
  const err = (path: string) => (saveFailure ? fieldError(saveFailure.fields, path) : undefined);

  const save = async () => {
    setSaving(true);
    const result = await unwrap(
      api.PATCH('/pilots/{pilotId}', {
        params: { path: { pilotId } },
        body: patchOf(form) as never,
      }),
    );
    setSaving(false);
    if (!result.ok) return setSaveFailure(result.failure);
    setSaveFailure(null);
    setPilot(result.data);
    setForm(formOf(result.data));
    toast('Pilot settings saved');
  };

  const rotate = async () => {
    setConfirmRotate(false);
    const result = await unwrap(
      api.POST('/pilots/{pilotId}/identity-secret/rotate', { params: { path: { pilotId } } }),
    );
    if (!result.ok) return toast(failureText(result.failure), 'error');
    setSecret(result.data.identitySecret);
    setPilot({ ...pilot, hasIdentitySecret: true });
  };

  const snippet = embedSnippet(location.origin, pilot.publicKey);
  const copy = async (text: string, what: string) => {
    try {
      await navigator.clipboard.writeText(text);
      toast(`${what} copied`);
    } catch {
      toast(`Could not copy: select the ${what.toLowerCase()} and copy it`, 'error');
    }
  };

  return (
    <section class="page">
      <p>
        <a href="/admin/pilots">← All pilots</a>
      </p>
      <h1>{pilot.name}: settings</h1>
      <nav aria-label="Pilot settings" class="subnav">
        <a href={`/admin/intents/${encodeURIComponent(pilot.id)}`}>Intents</a>
        <a href={`/admin/entities/${encodeURIComponent(pilot.id)}`}>Entities and variables</a>
        <a href={`/admin/knowledge/${encodeURIComponent(pilot.id)}`}>Knowledge</a>
      </nav>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {saveFailure && <Alert>Not saved: {failureText(saveFailure)}</Alert>}
        <fieldset>
          <legend>Pilot</legend>
          <TextField
            label="Name"
            value={form.name}
            onValue={(v) => set('name', v)}
            error={err('name')}
            maxLength={200}
          />
          <Field
            label="Persona"
            hint="How the AI pilot describes itself and speaks"
            error={err('persona')}
          >
            {(c) => (
              <textarea
                {...c}
                rows={3}
                maxLength={2000}
                value={form.persona}
                onInput={(e) => set('persona', e.currentTarget.value)}
              />
            )}
          </Field>
          <TextField
            label="Timezone"
            hint="IANA name, such as Europe/Berlin"
            value={form.timezone}
            onValue={(v) => set('timezone', v)}
            error={err('timezone')}
          />
          <Field
            label="Fallback message"
            hint="Said when no flow and no answer fits"
            error={err('fallbackMessage')}
          >
            {(c) => (
              <textarea
                {...c}
                rows={2}
                maxLength={2000}
                value={form.fallbackMessage}
                onInput={(e) => set('fallbackMessage', e.currentTarget.value)}
              />
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Trusted domains</legend>
          <Field
            label="Domains allowed to embed the messenger"
            hint="One per line: example.com, or *.example.com for its subdomains. Pages on any other site are refused."
            error={err('trustedDomains')}
          >
            {(c) => (
              <textarea
                {...c}
                rows={3}
                value={form.trustedDomains}
                onInput={(e) => set('trustedDomains', e.currentTarget.value)}
              />
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Office hours (in the pilot's timezone)</legend>
          {form.weekly.length === 0 && <p>No office hours: the team counts as always away.</p>}
          {form.weekly.map((slot, i) => (
            <div class="slot" key={i}>
              <SelectField
                label={`Slot ${i + 1} day`}
                value={slot.day}
                onValue={(v) =>
                  set(
                    'weekly',
                    form.weekly.map((s, j) => (j === i ? { ...s, day: v as Weekday } : s)),
                  )
                }
                options={WEEKDAYS.map((d) => ({ value: d, label: dayLabel[d] }))}
              />
              <TextField
                label={`Slot ${i + 1} opens`}
                placeholder="09:00"
                value={slot.from}
                onValue={(v) =>
                  set(
                    'weekly',
                    form.weekly.map((s, j) => (j === i ? { ...s, from: v } : s)),
                  )
                }
                error={err(`officeHours.weekly.${i}.from`)}
              />
              <TextField
                label={`Slot ${i + 1} closes`}
                placeholder="17:00"
                value={slot.to}
                onValue={(v) =>
                  set(
                    'weekly',
                    form.weekly.map((s, j) => (j === i ? { ...s, to: v } : s)),
                  )
                }
                error={err(`officeHours.weekly.${i}.to`)}
              />
              <Button
                variant="ghost"
                onClick={() =>
                  set(
                    'weekly',
                    form.weekly.filter((_, j) => j !== i),
                  )
                }
              >
                Remove slot {i + 1}
              </Button>
            </div>
          ))}
          <Button
            disabled={form.weekly.length >= MAX_SLOTS}
            onClick={() =>
              set('weekly', [...form.weekly, { day: 'mon', from: '09:00', to: '17:00' }])
            }
          >
            Add a slot
          </Button>
          <Field
            label="Holidays"
            hint="One date per line, such as 2026-12-25"
            error={err('officeHours.holidays')}
          >
            {(c) => (
              <textarea
                {...c}
                rows={2}
                value={form.holidays}
                onInput={(e) => set('holidays', e.currentTarget.value)}
              />
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Appearance</legend>
          <TextField
            label="Display name"
            hint="The messenger's title"
            value={form.displayName}
            onValue={(v) => set('displayName', v)}
            error={err('appearance.displayName')}
            maxLength={100}
          />
          <Field label="Accent colour" error={err('appearance.accentColor')}>
            {(c) => (
              <input
                {...c}
                type="color"
                value={form.accentColor}
                onInput={(e) => set('accentColor', e.currentTarget.value)}
              />
            )}
          </Field>
          <SelectField
            label="Launcher position"
            hint="The bottom corner of the page the messenger sits in"
            value={form.position}
            onValue={(v) => set('position', v === 'left' ? 'left' : 'right')}
            options={[
              { value: 'right', label: 'Bottom right' },
              { value: 'left', label: 'Bottom left' },
            ]}
          />
          <MessengerPreview
            displayName={form.displayName.trim() || pilot.name}
            accentColor={form.accentColor}
            position={form.position}
          />
        </fieldset>
        <fieldset>
          <legend>Identity verification</legend>
          <p role="status">
            {pilot.hasIdentitySecret
              ? 'An identity secret is set. It is never shown again; rotate it to get a new one.'
              : 'No identity secret: no visitor can be identified as a contact.'}
          </p>
          <Button onClick={() => setConfirmRotate(true)}>
            {pilot.hasIdentitySecret ? 'Rotate the identity secret…' : 'Create an identity secret…'}
          </Button>
          <div class="check">
            <input
              id="identity-enforced"
              type="checkbox"
              checked={form.identityEnforced}
              disabled={!pilot.hasIdentitySecret}
              aria-describedby="identity-enforced-hint"
              onChange={(e) => set('identityEnforced', e.currentTarget.checked)}
            />
            <label for="identity-enforced">Enforce identity verification</label>
          </div>
          <p id="identity-enforced-hint" class="field-hint">
            A visitor whose identify call has no valid hash stays anonymous: they can chat in their
            own conversation, but cannot open, read or post into the claimed contact's conversation
            or record, and do not count as that contact. Enforcing also keeps the secret from being
            removed by accident.
            {!pilot.hasIdentitySecret && ' Create a secret first.'}
          </p>
          {err('identityEnforced') && (
            <p class="field-error" role="alert">
              {err('identityEnforced')}
            </p>
          )}
        </fieldset>
        <div class="page-actions">
          <Button variant="primary" type="submit" disabled={saving}>
            Save settings
          </Button>
        </div>
      </form>
      <section aria-labelledby="embed-title">
        <h2 id="embed-title">Embed snippet</h2>
        <Field label="Script tag for your site">
          {(c) => <textarea {...c} rows={2} readOnly value={snippet} />}
        </Field>
        <Button onClick={() => void copy(snippet, 'Snippet')}>Copy the snippet</Button>
      </section>
      <Dialog
        open={confirmRotate}
        title="Rotate the identity secret?"
        onClose={() => setConfirmRotate(false)}
        describedBy="rotate-text"
        actions={
          <>
            <Button onClick={() => setConfirmRotate(false)}>Cancel</Button>
            <Button variant="primary" onClick={() => void rotate()}>
              Make a new secret
            </Button>
          </>
        }
      >
        <p id="rotate-text">
          A new secret replaces the old one at once: hashes your server made with the old secret
          stop verifying, so those visitors stay anonymous until your server uses the new one. The
          new secret is shown once.
        </p>
      </Dialog>
      <Dialog
        open={secret !== null}
        title="Your new identity secret"
        onClose={() => setSecret(null)}
        actions={
          <>
            <Button onClick={() => secret && void copy(secret, 'Secret')}>Copy the secret</Button>
            <Button variant="primary" onClick={() => setSecret(null)}>
              Done
            </Button>
          </>
        }
      >
        <p>Store it on your server now: it is not shown again.</p>
        <Field label="Identity secret">
          {(c) => <input {...c} type="text" readOnly value={secret ?? ''} />}
        </Field>
      </Dialog>
    </section>
  );
}
