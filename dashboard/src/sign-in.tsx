import { useState } from 'preact/hooks';
import type { Messages } from './i18n';
import type { DashboardConfig } from './session';

/** The province's provider when configured; in development also a field for a token (Enter submits). */
export function SignIn(props: { t: Messages; config: DashboardConfig; error: string | null; onProvider: (() => void) | null; onToken: (token: string) => void }) {
  const { t } = props;
  const [token, setToken] = useState('');
  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t.signInTitle}</h1>
      {props.error && <p class="problems" role="alert">{props.error}</p>}
      {props.onProvider && <button type="button" class="primary" onClick={props.onProvider}>{t.signInProvider}</button>}
      {props.config.devSignIn && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (token.trim()) props.onToken(token.trim());
          }}
        >
          <label>
            {t.devToken}
            <input name="token" type="password" autoComplete="off" spellcheck={false} value={token} onInput={(e) => setToken(e.currentTarget.value)} aria-describedby="token-hint" />
          </label>
          <p id="token-hint" class="hint">{t.devTokenHint}</p>
          <button type="submit">{t.signIn}</button>
        </form>
      )}
    </section>
  );
}
