/** The operator console: a hash-routed single page over the admin API. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { adoptKeyFromUrl, getKey, setKey } from './api.ts';
import { ChargePointsPage, DisputesPage, DlqPage, PartnersPage, SessionsPage, SlasPage, StationsPage } from './pages.tsx';
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

const App = () => {
  const [route, setRoute] = useState(current());
  const [keyVersion, setKeyVersion] = useState(0);
  useEffect(() => {
    const on = () => setRoute(current());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const page = PAGES.find((p) => p.path === route) ?? PAGES[0];
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <p class="brand">EVCS operator console</p>
        <KeyForm onSaved={() => setKeyVersion((v) => v + 1)} />
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
        <page.Page key={`${page.path}-${keyVersion}`} />
      </main>
    </>
  );
};

adoptKeyFromUrl();
const root = document.getElementById('app');
if (root) render(<App />, root);
