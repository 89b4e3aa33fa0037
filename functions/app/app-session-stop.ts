/** App API: DELETE /app/v1/sessions/{id} — stop a session (query_stop_charge on a partner's pile). */
import { appHandler, SessionPath } from '../../shared/middleware/app-http.ts';
import { stopSession } from '../../shared/services/app-sessions.ts';

export const handler = appHandler(
  SessionPath,
  ({ path }) => path,
  async ({ id }, now) => ({ status: 200, body: await stopSession(id, now) }),
);
