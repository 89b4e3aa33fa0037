/** App API: GET /app/v1/sessions/{id}?userId=… — state, energy and running cost of a session. */
import { appHandler, SessionRequest, sessionInput } from '../../shared/middleware/app-http.ts';
import { getSession } from '../../shared/services/app-sessions.ts';

export const handler = appHandler(SessionRequest, sessionInput, async ({ id, userId }, now) => ({
  status: 200,
  body: await getSession(id, userId, now),
}));
