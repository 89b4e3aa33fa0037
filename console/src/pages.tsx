/** The console's pages: one per admin API view, each a heading, a live status line and captioned tables. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { getView, replay } from './api.ts';
import { useView, type ViewState } from './hooks.ts';
import { CONNECTOR_STATUS, DISPUTE_REASON, label, money, ORDER_STATUS, time } from './labels.ts';
import type { ChargePoint, Dispute, DlqMessage, PartnersView, Session, Sla, Station } from './types.ts';

const Page = <T,>({ title, state, children }: { title: string; state: ViewState<T>; children: (data: T) => ComponentChildren }) => (
  <section aria-labelledby="page-title">
    <h1 id="page-title">{title}</h1>
    <p role="status" class="status">
      {state.error ? `Could not load: ${state.error}` : state.data === undefined ? 'Loading…' : 'Live: refreshed every 5 seconds.'}
    </p>
    {state.data !== undefined && children(state.data)}
  </section>
);

const Empty = ({ cols, text }: { cols: number; text: string }) => (
  <tr>
    <td colSpan={cols}>{text}</td>
  </tr>
);

/** A plain SVG map: stations by longitude/latitude, coloured by how many connectors are free. */
const StationMap = ({ stations }: { stations: Station[] }) => {
  if (!stations.length) return null;
  const xs = stations.map((s) => s.StationLng);
  const ys = stations.map((s) => s.StationLat);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const w = 600;
  const h = 300;
  const px = (x: number) => 30 + ((x - minX) / (maxX - minX || 1)) * (w - 60);
  const py = (y: number) => h - 30 - ((y - minY) / (maxY - minY || 1)) * (h - 60);
  return (
    <figure>
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-labelledby="map-title map-caption" class="map">
        <title id="map-title">Station map</title>
        <rect width={w} height={h} fill="#f4f6f8" />
        {stations.map((s) => {
          const free = s.connectors.filter((c) => c.status === 1).length;
          return (
            <g key={s.StationID}>
              <circle cx={px(s.StationLng)} cy={py(s.StationLat)} r={9} fill={free ? '#1a7f37' : '#b35900'}>
                <title>{`${s.StationName} (${s.StationID}): ${free} of ${s.connectors.length} connectors idle`}</title>
              </circle>
              <text x={px(s.StationLng) + 12} y={py(s.StationLat) + 4} font-size="12">
                {s.StationID}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id="map-caption">
        Station map by longitude and latitude: green has an idle connector, orange has none. The table below lists the same stations.
      </figcaption>
    </figure>
  );
};

export const StationsPage = () => {
  const state = useView<{ stations: Station[] }>('stations');
  return (
    <Page title="Stations" state={state}>
      {({ stations }) => (
        <>
          <StationMap stations={stations} />
          <table>
            <caption>Stations and their connectors' live status</caption>
            <thead>
              <tr>
                <th scope="col">Station</th>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">Connector</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {stations.length === 0 && <Empty cols={5} text="No stations." />}
              {stations.flatMap((s) =>
                s.connectors.map((c, i) => (
                  <tr key={c.ConnectorID}>
                    {i === 0 && (
                      <th scope="rowgroup" rowSpan={s.connectors.length}>
                        {s.StationID}
                      </th>
                    )}
                    {i === 0 && <td rowSpan={s.connectors.length}>{s.StationName}</td>}
                    {i === 0 && <td rowSpan={s.connectors.length}>{s.Address}</td>}
                    <td>{c.ConnectorID}</td>
                    <td data-status={c.status}>{label(CONNECTOR_STATUS, c.status)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
};

const SessionTable = ({ caption, sessions, finished }: { caption: string; sessions: Session[]; finished: boolean }) => (
  <table>
    <caption>{caption}</caption>
    <thead>
      <tr>
        <th scope="col">StartChargeSeq</th>
        <th scope="col">Partner</th>
        <th scope="col">Connector</th>
        <th scope="col">State</th>
        <th scope="col">{finished ? 'Ended' : 'Started'}</th>
        <th scope="col">Energy (kWh)</th>
        <th scope="col">Bill</th>
      </tr>
    </thead>
    <tbody>
      {sessions.length === 0 && <Empty cols={7} text={finished ? 'No finished sessions in the period.' : 'No session is running.'} />}
      {sessions.map((s) => (
        <tr key={s.StartChargeSeq}>
          <th scope="row">{s.StartChargeSeq}</th>
          <td>{s.OperatorID ?? '—'}</td>
          <td>{s.ConnectorID ?? '—'}</td>
          <td>{finished ? 'finished' : label(ORDER_STATUS, s.status)}</td>
          <td>{time(finished ? s.endedAt : (s.startedAt ?? s.createdAt))}</td>
          <td>{s.bill ? s.bill.TotalPower : s.live ? `${s.live.powerKw} kW now` : '—'}</td>
          <td>
            {s.bill
              ? `${money(s.bill.TotalMoney)} (electricity ${money(s.bill.TotalElecMoney)}, service ${money(s.bill.TotalSeviceMoney)})`
              : '—'}
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** one row per order: a later page may repeat one the refreshed first page now shows */
const unique = (sessions: Session[]): Session[] => [...new Map(sessions.map((x) => [x.StartChargeSeq, x])).values()];

interface SessionsView {
  live?: Session[];
  finished?: Session[];
  next: { live?: string; finished?: string };
}

/** the pages after the first of one list (live or finished), read on request */
const useMore = (list: 'live' | 'finished', first: SessionsView | undefined) => {
  const [more, setMore] = useState<{ sessions: Session[]; next?: string }>();
  const [error, setError] = useState<string>();
  const next = more ? more.next : first?.next[list];
  const load = async () => {
    if (!next) return;
    try {
      const page = await getView<SessionsView>(`sessions?${new URLSearchParams({ [list]: next })}`);
      setMore({ sessions: [...(more?.sessions ?? []), ...(page[list] ?? [])], ...(page.next[list] ? { next: page.next[list] } : {}) });
      setError(undefined);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return { sessions: more?.sessions ?? [], next, load, error };
};

const MoreButton = ({ more, what }: { more: ReturnType<typeof useMore>; what: string }) =>
  more.next ? (
    <p>
      <button type="button" onClick={() => void more.load()}>
        More {what}
      </button>
      {more.error && <span role="alert"> Could not load: {more.error}</span>}
    </p>
  ) : null;

export const SessionsPage = () => {
  const state = useView<SessionsView>('sessions');
  const live = useMore('live', state.data);
  const finished = useMore('finished', state.data);
  return (
    <Page title="Sessions" state={state}>
      {(d) => (
        <>
          <SessionTable caption="Live sessions" sessions={unique([...(d.live ?? []), ...live.sessions])} finished={false} />
          <MoreButton more={live} what="live sessions" />
          <SessionTable
            caption="Finished sessions (last 7 days) with their bills"
            sessions={unique([...(d.finished ?? []), ...finished.sessions])}
            finished
          />
          <MoreButton more={finished} what="finished sessions" />
        </>
      )}
    </Page>
  );
};

const breakerText = (p: PartnersView['partners'][number]): string => {
  const b = p.breaker;
  if (!b) return 'no pushes';
  if (b.state === 'closed') return b.failures ? `closed (${b.failures} failures)` : 'closed';
  if (b.state === 'open') return `open until ${new Date(b.until).toLocaleTimeString()}`;
  return 'half-open (probing)';
};

export const PartnersPage = () => {
  const state = useView<PartnersView>('partners');
  return (
    <Page title="Partners: push health" state={state}>
      {(d) => (
        <>
          <p>
            Push queue {d.queue.name}: {d.queue.visible} waiting, {d.queue.inFlight} in flight, {d.queue.delayed} delayed (retries),{' '}
            {d.queue.dlq} parked.
          </p>
          <table>
            <caption>Push health per partner</caption>
            <thead>
              <tr>
                <th scope="col">OperatorID</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Breaker</th>
                <th scope="col">Parked pushes</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {d.partners.length === 0 && <Empty cols={6} text="No partners." />}
              {d.partners.map((p) => (
                <tr key={p.OperatorID}>
                  <th scope="row">{p.OperatorID}</th>
                  <td>{p.name}</td>
                  <td>{p.status}</td>
                  <td>{breakerText(p)}</td>
                  <td>{p.parked}</td>
                  <td>{p.lastError ? `${p.lastError.iface ?? ''} ${p.lastError.msg ?? ''} (${time(p.lastError.at)})` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
};

const ReplayButton = ({ m, onDone }: { m: DlqMessage; onDone: (text: string) => void }) => {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const r = await replay(m.messageId);
      onDone(r.replayed ? `Push ${m.pushId ?? m.messageId} replayed.` : `Push ${m.pushId ?? m.messageId} was no longer in the DLQ.`);
    } catch (err) {
      onDone(`Replay failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" onClick={() => void run()} disabled={busy} aria-label={`Replay push ${m.pushId ?? m.messageId}`}>
      {busy ? 'Replaying…' : 'Replay'}
    </button>
  );
};

export const DlqPage = () => {
  const state = useView<{ messages: DlqMessage[] }>('dlq');
  const [notice, setNotice] = useState('');
  return (
    <Page title="DLQ: parked pushes" state={state}>
      {(d) => (
        <>
          <p role="alert" aria-live="assertive" class="notice">
            {notice}
          </p>
          <table>
            <caption>Pushes parked after their retry budget, with the reason; Replay sends one back with a fresh budget</caption>
            <thead>
              <tr>
                <th scope="col">Push</th>
                <th scope="col">Partner</th>
                <th scope="col">Interface</th>
                <th scope="col">Attempts</th>
                <th scope="col">Reason</th>
                <th scope="col">Parked at</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {d.messages.length === 0 && <Empty cols={7} text="The DLQ is empty." />}
              {d.messages.map((m) => (
                <tr key={m.messageId}>
                  <th scope="row">{m.pushId ?? m.messageId}</th>
                  <td>{m.partner ?? '—'}</td>
                  <td>{m.iface ?? '—'}</td>
                  <td>{m.attempts ?? m.receiveCount}</td>
                  <td>{m.reason ?? m.body ?? '—'}</td>
                  <td>{time(m.sentAt)}</td>
                  <td>
                    <ReplayButton
                      m={m}
                      onDone={(text) => {
                        setNotice(text);
                        void state.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
};

export const DisputesPage = () => {
  const state = useView<{ reconciled: Dispute[]; confirmations: Session[] }>('disputes');
  return (
    <Page title="Disputes" state={state}>
      {(d) => (
        <>
          <table>
            <caption>Orders disputed by reconciliation (check_charge_orders), last 7 days</caption>
            <thead>
              <tr>
                <th scope="col">StartChargeSeq</th>
                <th scope="col">Partner</th>
                <th scope="col">Day</th>
                <th scope="col">Reason</th>
                <th scope="col">Ours</th>
                <th scope="col">Theirs</th>
              </tr>
            </thead>
            <tbody>
              {d.reconciled.length === 0 && <Empty cols={6} text="No reconciliation disputes." />}
              {d.reconciled.map((x) => (
                <tr key={`${x.OperatorID}${x.StartChargeSeq}`}>
                  <th scope="row">{x.StartChargeSeq}</th>
                  <td>{x.OperatorID}</td>
                  <td>{x.day}</td>
                  <td>{label(DISPUTE_REASON, x.reason)}</td>
                  <td>{x.ours ? `${x.ours.TotalPower} kWh ${money(x.ours.TotalMoney)}` : '—'}</td>
                  <td>{x.theirs ? `${x.theirs.TotalPower} kWh ${money(x.theirs.TotalMoney)}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <SessionTable caption="Orders a partner did not confirm (ConfirmResult ≠ 0)" sessions={d.confirmations} finished />
        </>
      )}
    </Page>
  );
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const SlasPage = () => {
  const state = useView<{ slas: Sla[] }>('slas');
  return (
    <Page title="Supervision SLAs" state={state}>
      {(d) => (
        <table>
          <caption>Timed pushes to supervision platforms against their profile's deadline, last 7 days</caption>
          <thead>
            <tr>
              <th scope="col">Platform</th>
              <th scope="col">Day</th>
              <th scope="col">Interface</th>
              <th scope="col">Deadline</th>
              <th scope="col">Pushes</th>
              <th scope="col">Mean latency</th>
              <th scope="col">Last latency</th>
              <th scope="col">Breached</th>
            </tr>
          </thead>
          <tbody>
            {d.slas.length === 0 && <Empty cols={8} text="No timed supervision push was delivered in these days." />}
            {d.slas.map((s) => (
              <tr key={`${s.day}${s.OperatorID}${s.interface}`} class={s.breached ? 'breached' : undefined}>
                <th scope="row">
                  {s.name} ({s.OperatorID})
                </th>
                <td>{s.day}</td>
                <td>{s.interface}</td>
                <td>{s.deadlineSeconds} s</td>
                <td>{s.pushes}</td>
                <td>{seconds(s.meanLatencyMs)}</td>
                <td>{seconds(s.lastLatencyMs)}</td>
                <td>
                  {s.breached
                    ? `breached: ${s.late} of ${s.pushes} late, last ${time(s.lastLateAt)} by ${seconds(s.lastLateByMs ?? 0)}`
                    : 'no'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
};

export const ChargePointsPage = () => {
  const state = useView<{ chargePoints: ChargePoint[] }>('charge-points');
  return (
    <Page title="Charge points" state={state}>
      {(d) => (
        <table>
          <caption>
            OCPP 1.6J charge points: {d.chargePoints.filter((c) => c.connected).length} of {d.chargePoints.length} connected
          </caption>
          <thead>
            <tr>
              <th scope="col">Charge point</th>
              <th scope="col">Connectors</th>
              <th scope="col">Simulated</th>
              <th scope="col">Connected</th>
              <th scope="col">Last boot</th>
            </tr>
          </thead>
          <tbody>
            {d.chargePoints.length === 0 && <Empty cols={5} text="No charge points registered." />}
            {d.chargePoints.map((c) => (
              <tr key={c.chargePointId}>
                <th scope="row">{c.chargePointId}</th>
                <td>{c.connectors.join(', ')}</td>
                <td>{c.simulated ? 'yes' : 'no'}</td>
                <td>{c.connected ? `since ${time(c.connectedAt)}` : 'no'}</td>
                <td>{time(c.bootedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
};
