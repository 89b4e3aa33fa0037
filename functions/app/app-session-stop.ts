/** App API: DELETE /app/v1/sessions/{id}?userId=… — stop a session (query_stop_charge on a partner's pile). */
import { appHandler, SessionRequest, sessionInput } from '../../shared/middleware/app-http.ts';
import { stopSession } from '../../shared/services/app-sessions.ts';

export const handler = appHandler(SessionRequest, sessionInput, async ({ id, userId }, now) => ({
  status: 200,
  body: await stopSession(id, userId, now),
}));
