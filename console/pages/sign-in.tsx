/** Sign-in: paste an admin API key; it is checked with one read before the console opens. */
import { useState } from 'preact/hooks';
import { failureText } from '../api/errors.ts';
import { signIn, signOutReason } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { TextField } from '../ui/field.tsx';
import { Alert } from '../ui/toast.tsx';

export function SignInPage() {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!key.trim()) {
      setError('Paste an admin API key');
      return;
    }
    setBusy(true);
    const failure = await signIn(key);
    setBusy(false);
    if (failure) {
      setError(
        failure.status === 401
          ? 'That key was refused: check it and try again'
          : failureText(failure),
      );
    }
  };
  return (
    <main id="main" class="sign-in">
      <form
        class="sign-in-card"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h1>edgepilot admin</h1>
        {signOutReason.value && <Alert>{signOutReason.value}</Alert>}
        <p>
          Paste an admin API key. Locally, <code>npm start</code> prints the development key.
        </p>
        <TextField
          label="Admin API key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={key}
          onValue={setKey}
          error={error}
        />
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
        <p class="field-hint">
          The key stays in this tab only (memory and session storage) and is forgotten when you sign
          out or close the tab.
        </p>
      </form>
    </main>
  );
}
