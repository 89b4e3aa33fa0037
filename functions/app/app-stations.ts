/** App API: GET /app/v1/stations?lng=…&lat=…&radiusKm=… — ours and partners' stations, nearest first. */
import * as z from 'zod/mini';
import { appHandler } from '../../shared/middleware/app-http.ts';
import { nearbyStations } from '../../shared/services/app-stations.ts';

const Query = z.object({
  lng: z.coerce.number().check(z.gte(-180), z.lte(180)),
  lat: z.coerce.number().check(z.gte(-90), z.lte(90)),
  radiusKm: z._default(z.coerce.number().check(z.gt(0), z.lte(100)), 5),
});

export const handler = appHandler(
  Query,
  ({ query }) => query,
  async (q) => ({ status: 200, body: { stations: await nearbyStations(q) } }),
);
