/** App API: GET /app/v1/stations?lng=…&lat=…&radiusKm=… — ours and partners' stations, nearest first. */
import { z } from 'zod';
import { appHandler } from '../../shared/middleware/app-http.ts';
import { nearbyStations } from '../../shared/services/app-stations.ts';

const Query = z.object({
  lng: z.coerce.number().min(-180).max(180),
  lat: z.coerce.number().min(-90).max(90),
  radiusKm: z.coerce.number().positive().max(100).default(5),
});

export const handler = appHandler(
  Query,
  ({ query }) => query,
  async (q) => ({ status: 200, body: { stations: await nearbyStations(q) } }),
);
