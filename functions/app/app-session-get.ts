/** App API: GET /app/v1/sessions/{id} — state, energy and running cost of a session. */
import { appHandler, SessionPath } from '../../shared/middleware/app-http.ts';
import { getSession } from '../../shared/services/app-sessions.ts';

export const handler = appHandler(
  SessionPath,
  ({ path }) => path,
  async ({ id }, now) => ({ status: 200, body: await getSession(id, now) }),
);
