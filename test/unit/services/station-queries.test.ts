/**
 * The baseinfo queries (shared/services/station-queries.ts) against a mocked document client
 * (aws-sdk-client-mock): partner scoping, paging across DynamoDB pages, unknown = not granted.
 * The same flows against DynamoDB Local: test/integration/partner-scoping.test.ts, test/conformance/.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetConfig } from '../../../shared/config.ts';
import { queryBusinessPolicy, queryStationStats, queryStationStatus, queryStationsInfo } from '../../../shared/services/station-queries.ts';
import { BatchGetCommand, GetCommand, QueryCommand } from '../../../shared/store/doc.ts';
import { TcecError } from '../../../shared/tcec/ret.ts';
import { stubDocumentClient } from '../../support/doc-stub.ts';

const ddb = stubDocumentClient();
const TABLE = 'stations-test';

const doc = (id: string) => ({
  pk: `STATION#${id}`,
  sk: 'DOC',
  doc: JSON.stringify({ StationID: id, StationName: id, EquipmentInfos: [] }),
});

beforeAll(() => {
  process.env.TABLE_STATIONS = TABLE;
  resetConfig();
});
afterAll(() => {
  ddb.restore();
  delete process.env.TABLE_STATIONS;
  resetConfig();
});
beforeEach(() => ddb.reset());

/** what the byChange index says is its newest change (bumped per test) */
let newest = 100;

const indexReads = () =>
  ddb
    .commandCalls(QueryCommand)
    .map((c) => c.args[0].input)
    .filter((i) => i.Limit !== 1);

describe('query_stations_info', () => {
  beforeEach(() => {
    // the newest change time (one item) moves on per test, so each test starts without a warm index
    newest++;
    // the byChange index answers in two DynamoDB pages: the paginator must read both
    ddb.on(QueryCommand).callsFake((input: { Limit?: number; ExclusiveStartKey?: unknown }) => {
      if (input.Limit === 1) return { Items: [{ effChangedAt: newest }] };
      return input.ExclusiveStartKey
        ? {
            Items: [
              { stationId: 'S2', effChangedAt: 2 },
              { stationId: 'S4', effChangedAt: 4 },
            ],
          }
        : {
            Items: [
              { stationId: 'S3', effChangedAt: 3 },
              { stationId: 'S1', effChangedAt: 1 },
            ],
            LastEvaluatedKey: { pk: 'k' },
          };
    });
    ddb.on(BatchGetCommand).callsFake((input) => ({
      Responses: { [TABLE]: (input.RequestItems?.[TABLE]?.Keys ?? []).map((k) => doc(String(k.pk).slice('STATION#'.length))) },
    }));
  });

  it('lists every station across index pages, sorted by StationID, paged', async () => {
    const r = await queryStationsInfo({ stations: '*' }, { PageNo: 1, PageSize: 3 });
    expect(r).toMatchObject({ PageNo: 1, PageCount: 2, ItemSize: 4 });
    expect(r.StationInfos.map((s) => s.StationID)).toEqual(['S1', 'S2', 'S3']);
    expect(indexReads()[1]?.ExclusiveStartKey).toEqual({ pk: 'k' });
  });

  it('the next page of an unchanged catalog reads one index item, not the index (warm cache)', async () => {
    await queryStationsInfo({ stations: '*' }, { PageNo: 1, PageSize: 3 });
    const reads = indexReads().length;
    const r = await queryStationsInfo({ stations: '*' }, { PageNo: 2, PageSize: 3 });
    expect(r.StationInfos.map((s) => s.StationID)).toEqual(['S4']);
    expect(indexReads().length).toBe(reads);
    // a station changed: the index is read again
    newest++;
    await queryStationsInfo({ stations: '*' }, { PageNo: 2, PageSize: 3 });
    expect(indexReads().length).toBe(reads * 2);
  });

  it('a partner sees and counts only its granted stations', async () => {
    const r = await queryStationsInfo({ stations: ['S4', 'S2', 'X9'] }, { PageNo: 1, PageSize: 10 });
    expect(r).toMatchObject({ PageCount: 1, ItemSize: 2 });
    expect(r.StationInfos.map((s) => s.StationID)).toEqual(['S2', 'S4']);
  });

  it('LastQueryTime asks the index for changes after the whole second', async () => {
    await queryStationsInfo({ stations: '*' }, { LastQueryTime: '2026-11-24 08:00:00', PageNo: 1, PageSize: 10 });
    const input = indexReads()[0];
    expect(input?.KeyConditionExpression).toBe('gsi1pk = :p AND gsi1sk > :t');
    // 08:00:00 China time = 00:00:00 UTC, plus 999 ms: "changed after 08:00:00"
    expect(input?.ExpressionAttributeValues?.[':t']).toBe(Date.UTC(2026, 10, 24, 0, 0, 0) + 999);
  });
});

describe('query_station_status', () => {
  it('connectors sorted by ConnectorID; unknown and foreign stations are left out alike', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { sk: 'CONN#C2', equipmentId: 'E1', status: 3, parkStatus: 50, lockStatus: 10, version: 1 },
        { sk: 'CONN#C1', equipmentId: 'E1' },
      ],
    });
    const r = await queryStationStatus({ stations: ['S1', 'S9'] }, { StationIDs: ['S1', 'S2', 'S1'] });
    expect(r).toEqual({
      Total: 1,
      StationStatusInfos: [
        {
          StationID: 'S1',
          ConnectorStatusInfos: [
            { ConnectorID: 'C1', Status: 0, ParkStatus: 0, LockStatus: 0 },
            { ConnectorID: 'C2', Status: 3, ParkStatus: 50, LockStatus: 10 },
          ],
        },
      ],
    });
    // S2 is not granted: never read
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues?.[':p'])).toEqual(['STATION#S1']);
  });
});

describe('query_equip_business_policy', () => {
  const req = { EquipBizSeq: 'MA01H3BQ2202611231200000001', ConnectorID: 'C1' };
  const none = { ...req, SuccStat: 1, FailReason: 1, SumPeriod: 0, PolicyInfos: [] };

  beforeEach(() => {
    ddb.on(GetCommand).resolves({}); // no such item
    ddb.on(GetCommand, { Key: { pk: 'CONNECTOR#C1', sk: 'REF' } }).resolves({ Item: { stationId: 'S1', equipmentId: 'E1' } });
    ddb.on(GetCommand, { Key: { pk: 'STATION#S1', sk: 'META' } }).resolves({
      Item: { stationId: 'S1', policy: [{ StartTime: '000000', ElecPrice: 0.35, SevicePrice: 0.4 }] },
    });
  });

  it("the station's periods for a granted connector", async () => {
    expect(await queryBusinessPolicy({ stations: ['S1'] }, req)).toEqual({
      ...req,
      SuccStat: 0,
      FailReason: 0,
      SumPeriod: 1,
      PolicyInfos: [{ StartTime: '000000', ElecPrice: 0.35, SevicePrice: 0.4 }],
    });
  });

  it('a foreign connector gets exactly the unknown connector answer', async () => {
    expect(await queryBusinessPolicy({ stations: ['S2'] }, req)).toEqual(none);
    expect(await queryBusinessPolicy({ stations: '*' }, { ...req, ConnectorID: 'NOPE' })).toEqual({ ...none, ConnectorID: 'NOPE' });
  });
});

describe('query_station_stats', () => {
  it('EndTime before StartTime is a 4004', async () => {
    await expect(queryStationStats({ stations: '*' }, { StationID: 'S1', StartTime: '2026-11-24', EndTime: '2026-11-23' })).rejects.toThrow(
      TcecError,
    );
  });

  it('a station the partner is not granted gets the same 4004 as an unknown one, and is not read', async () => {
    const req = { StationID: 'S1', StartTime: '2026-11-23', EndTime: '2026-11-24' };
    await expect(queryStationStats({ stations: ['S2'] }, req)).rejects.toThrow('StationID: no such station S1');
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
  });
});
