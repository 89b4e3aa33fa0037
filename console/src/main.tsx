/**
 * The operator console: a hash-routed single page over the admin API. Signs staff in with the
 * managed login when deployed with a config.json (AWS), else takes the local admin key.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { adoptKeyFromUrl, getKey, setKey } from './api.ts';
import { whoOf } from './auth.ts';
import { ChargePointsPage, DisputesPage, DlqPage, PartnersPage, SessionsPage, SlasPage, StationsPage } from './pages.tsx';
import { completeRedirect, endSession, keepFresh, loadMode, type Mode, startSignIn, storedTokens } from './session.ts';
import './style.css';

const PAGES = [
  { path: 'stations', name: 'Stations', Page: StationsPage },
  { path: 'sessions', name: 'Sessions', Page: SessionsPage },
  { path: 'partners', name: 'Partners', Page: PartnersPage },
  { path: 'dlq', name: 'DLQ', Page: DlqPage },
  { path: 'disputes', name: 'Disputes', Page: DisputesPage },
  { path: 'slas', name: 'SLAs', Page: SlasPage },
  { path: 'charge-points', name: 'Charge points', Page: ChargePointsPage },
] as const;

const current = () => location.hash.replace(/^#\/?/, '') || 'stations';

const KeyForm = ({ onSaved }: { onSaved: () => void }) => {
  const [value, setValue] = useState(getKey());
  return (
    <form
      class="key"
      onSubmit={(e) => {
        e.preventDefault();
        setKey(value.trim());
        onSaved();
      }}
    >
      <label for="admin-key">Admin API key</label>
      <input id="admin-key" type="password" autoComplete="off" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      <button type="submit">Use key</button>
    </form>
  );
};

type SignInMode = Extract<Mode, { kind: 'signin' }>;

/** the header's sign-in state (AWS): who is signed in and Sign out, or Sign in */
const SignedIn = ({ mode }: { mode: SignInMode }) => {
  const tokens = storedTokens();
  if (!tokens)
    return (
      <button type="button" class="signin" onClick={() => void startSignIn(mode.config)}>
        Sign in
      </button>
    );
  return (
    <p class="who">
      Signed in as {whoOf(tokens.idToken) ?? 'staff'}{' '}
      <button type="button" onClick={() => void endSession(mode.config)}>
        Sign out
      </button>
    </p>
  );
};

const App = ({ mode, signInError }: { mode: Mode; signInError?: string }) => {
  const [route, setRoute] = useState(current());
  const [keyVersion, setKeyVersion] = useState(0);
  useEffect(() => {
    const on = () => setRoute(current());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  // signed in: refresh the tokens before they expire (a refused refresh signs out)
  useEffect(() => (mode.kind === 'signin' ? keepFresh(mode.config, () => setKeyVersion((v) => v + 1)) : undefined), [mode]);
  const page = PAGES.find((p) => p.path === route) ?? PAGES[0];
  const signedOut = mode.kind === 'signin' && !storedTokens();
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <p class="brand">EVCS operator console</p>
        {mode.kind === 'signin' ? <SignedIn mode={mode} /> : <KeyForm onSaved={() => setKeyVersion((v) => v + 1)} />}
      </header>
      <nav aria-label="Console pages">
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <a href={`#/${p.path}`} aria-current={p.path === page.path ? 'page' : undefined}>
                {p.name}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {signedOut ? (
          <section aria-labelledby="page-title">
            <h1 id="page-title">Sign in</h1>
            {signInError && <p role="alert">{signInError}</p>}
            <p>The console shows the platform’s live data to the operator’s staff. Sign in with your staff account (MFA).</p>
          </section>
        ) : (
          <page.Page key={`${page.path}-${keyVersion}`} />
        )}
      </main>
    </>
  );
};

const boot = async (root: HTMLElement) => {
  adoptKeyFromUrl();
  let mode: Mode = { kind: 'key' };
  let signInError: string | undefined;
  try {
    mode = await loadMode();
    if (mode.kind === 'signin') await completeRedirect(mode.config);
  } catch (err) {
    signInError = err instanceof Error ? err.message : String(err);
  }
  render(<App mode={mode} {...(signInError ? { signInError } : {})} />, root);
};

const root = document.getElementById('app');
if (root) void boot(root);
