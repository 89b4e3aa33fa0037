/**
 * The demo dataset, generated deterministically (seeded PRNG: the same output on every run):
 *   npm run seed:demo   (npx tsx infra/local/seed/generate-demo.ts)   → infra/local/seed/demo-seed.json
 * A unit test regenerates it in memory and fails when the file is stale (test/unit/local-demo-seed.test.ts).
 *
 * 200 stations with ~2,000 connectors in eight Chinese cities, GCJ-02 coordinates (6 dp) around
 * real district centres, Chinese names and addresses, DC and AC equipment, peak/flat/valley
 * time-of-use prices — merged with the partners of demo-partners.json: MA01H3BQ2 is granted every
 * station, MA02XJ7K3 (xiaoju dialect) the first 20 Shanghai stations. The output is validated
 * with the import's own rules before it is written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { validateStations } from '../../../shared/domain/station-records.ts';

const here = (f: string) => fileURLToPath(new URL(`./${f}`, import.meta.url));

/** mulberry32: small, fast, good enough for demo data */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const SEED = 20261123;
let rand = prng(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => {
  const x = xs[Math.floor(rand() * xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
};
const round = (x: number, dp: number) => Math.round(x * 10 ** dp) / 10 ** dp;

interface District {
  name: string;
  area: string;
  lng: number;
  lat: number;
  roads: readonly string[];
}
interface City {
  name: string;
  code: string;
  tel: string;
  /** elec prices: valley, flat, peak (yuan/kWh) */
  elec: readonly [number, number, number];
  districts: readonly District[];
  weight: number;
}

const CITIES: readonly City[] = [
  {
    name: '上海市',
    code: 'SH',
    tel: '021',
    elec: [0.3117, 0.6712, 1.0407],
    weight: 40,
    districts: [
      {
        name: '浦东新区',
        area: '310115',
        lng: 121.544346,
        lat: 31.221461,
        roads: ['世纪大道', '张江路', '锦绣路', '龙阳路', '川沙路', '金科路'],
      },
      { name: '徐汇区', area: '310104', lng: 121.436525, lat: 31.188523, roads: ['漕溪北路', '宜山路', '虹梅路', '龙华中路', '田林路'] },
      { name: '闵行区', area: '310112', lng: 121.381709, lat: 31.112813, roads: ['莘庄路', '七莘路', '申贵路', '虹井路', '都市路'] },
      { name: '静安区', area: '310106', lng: 121.459384, lat: 31.247105, roads: ['共和新路', '南京西路', '延长中路', '万荣路'] },
    ],
  },
  {
    name: '北京市',
    code: 'BJ',
    tel: '010',
    elec: [0.3483, 0.7523, 1.1893],
    weight: 35,
    districts: [
      {
        name: '朝阳区',
        area: '110105',
        lng: 116.443108,
        lat: 39.92147,
        roads: ['望京街', '东三环中路', '酒仙桥路', '朝阳北路', '广顺北大街'],
      },
      {
        name: '海淀区',
        area: '110108',
        lng: 116.298056,
        lat: 39.959912,
        roads: ['中关村大街', '西二旗大街', '上地信息路', '学院路', '北清路'],
      },
      { name: '丰台区', area: '110106', lng: 116.286968, lat: 39.863642, roads: ['南四环西路', '科兴路', '丰台北路', '马家堡东路'] },
    ],
  },
  {
    name: '深圳市',
    code: 'SZ',
    tel: '0755',
    elec: [0.2829, 0.6704, 1.0362],
    weight: 30,
    districts: [
      {
        name: '南山区',
        area: '440305',
        lng: 113.930478,
        lat: 22.533191,
        roads: ['科技南路', '深南大道', '南海大道', '沙河西路', '留仙大道'],
      },
      { name: '福田区', area: '440304', lng: 114.055036, lat: 22.521541, roads: ['福华三路', '益田路', '红荔路', '皇岗路'] },
      { name: '宝安区', area: '440306', lng: 113.883831, lat: 22.553719, roads: ['宝安大道', '新湖路', '航城大道', '福永大道'] },
    ],
  },
  {
    name: '广州市',
    code: 'GZ',
    tel: '020',
    elec: [0.2772, 0.6644, 1.0968],
    weight: 25,
    districts: [
      { name: '天河区', area: '440106', lng: 113.3612, lat: 23.12468, roads: ['天河路', '黄埔大道西', '中山大道西', '珠江东路'] },
      { name: '番禺区', area: '440113', lng: 113.384129, lat: 22.937244, roads: ['迎宾路', '市桥大道', '汉溪大道', '兴南大道'] },
    ],
  },
  {
    name: '杭州市',
    code: 'HZ',
    tel: '0571',
    elec: [0.3019, 0.6638, 1.0325],
    weight: 20,
    districts: [
      { name: '西湖区', area: '330106', lng: 120.130203, lat: 30.259324, roads: ['文二西路', '天目山路', '古墩路', '转塘街道'] },
      { name: '余杭区', area: '330110', lng: 120.299376, lat: 30.419045, roads: ['文一西路', '良渚路', '五常大道', '仓前街道'] },
    ],
  },
  {
    name: '成都市',
    code: 'CD',
    tel: '028',
    elec: [0.2713, 0.6016, 0.9613],
    weight: 20,
    districts: [
      { name: '武侯区', area: '510107', lng: 104.04339, lat: 30.641982, roads: ['天府大道北段', '科华北路', '二环路南四段', '武侯大道'] },
      { name: '锦江区', area: '510104', lng: 104.117022, lat: 30.598158, roads: ['东大街', '三环路东五段', '静安路', '锦华路'] },
    ],
  },
  {
    name: '武汉市',
    code: 'WH',
    tel: '027',
    elec: [0.316, 0.6519, 1.0288],
    weight: 15,
    districts: [
      { name: '洪山区', area: '420111', lng: 114.343796, lat: 30.500247, roads: ['珞喻路', '光谷大道', '雄楚大道', '民族大道'] },
      { name: '江汉区', area: '420103', lng: 114.270764, lat: 30.60143, roads: ['解放大道', '建设大道', '发展大道', '常青路'] },
    ],
  },
  {
    name: '南京市',
    code: 'NJ',
    tel: '025',
    elec: [0.3222, 0.6799, 1.0517],
    weight: 15,
    districts: [
      { name: '江宁区', area: '320115', lng: 118.839685, lat: 31.953702, roads: ['双龙大道', '天元中路', '胜太路', '秣陵街道'] },
      { name: '鼓楼区', area: '320106', lng: 118.770182, lat: 32.066601, roads: ['中山北路', '湖南路', '虎踞路', '热河南路'] },
    ],
  },
];

const PLACES = [
  '万达广场',
  '地铁停车场',
  '科技园',
  '物流园',
  '高铁站P4停车场',
  '购物中心',
  '体育中心',
  '产业园',
  '公交枢纽',
  '社区停车场',
  '商务中心',
  '滨江公园',
  '会展中心',
  '大学城',
  '汽车城',
];
const CONSTRUCTION_FOR: Readonly<Record<string, number>> = {
  万达广场: 9,
  地铁停车场: 6,
  科技园: 5,
  物流园: 5,
  高铁站P4停车场: 6,
  购物中心: 9,
  体育中心: 7,
  产业园: 5,
  公交枢纽: 6,
  社区停车场: 1,
  商务中心: 4,
  滨江公园: 8,
  会展中心: 7,
  大学城: 2,
  汽车城: 3,
};
const MANUFACTURERS = [
  { id: 'MA6DXRP07', name: '星云充电设备' },
  { id: 'MA1K8WQ25', name: '华商三优新能源' },
  { id: 'MA7CLT3P4', name: '万马新能源' },
  { id: 'MA3PZ0R66', name: '盛弘电气' },
];
const TOTAL = 200;
const OPERATOR_ID = 'MA5GS8X01';

const cityFor = (() => {
  const total = CITIES.reduce((a, c) => a + c.weight, 0);
  return (i: number): City => {
    // deterministic split by weight, in order: 40 SH, 35 BJ, 30 SZ, …
    let acc = 0;
    const k = (i / TOTAL) * total;
    for (const c of CITIES) {
      acc += c.weight;
      if (k < acc) return c;
    }
    const last = CITIES.at(-1);
    if (!last) throw new Error('no cities');
    return last;
  };
})();

const policyFor = (c: City) => {
  const service = round(0.4 + int(0, 8) * 0.05, 4);
  const [valley, flat, peak] = c.elec;
  const p = (StartTime: string, e: number) => ({ StartTime, ElecPrice: e, SevicePrice: service });
  return [
    p('000000', valley),
    p('080000', flat),
    p('100000', peak),
    p('150000', flat),
    p('180000', peak),
    p('210000', flat),
    p('230000', valley),
  ];
};

/** the seed file's content: the same text on every call */
export const renderDemoSeed = (): { text: string; stations: number; connectors: number; partners: number } => {
  rand = prng(SEED);
  const stations = Array.from({ length: TOTAL }, (_, i) => {
    const city = cityFor(i);
    const d = pick(city.districts);
    const road = pick(d.roads);
    const place = pick(PLACES);
    const sid = `${city.code}${String(i + 1).padStart(4, '0')}`;
    const lng = round(d.lng + (rand() - 0.5) * 0.08, 6);
    const lat = round(d.lat + (rand() - 0.5) * 0.06, 6);
    const maker = pick(MANUFACTURERS);
    const dcCount = int(2, 6);
    const acCount = int(0, 4);
    const dcPower = pick([60, 120, 160, 240] as const);
    const equipment = [
      ...Array.from({ length: dcCount }, (_, k) => {
        const eid = `${sid}D${String(k + 1).padStart(2, '0')}`;
        const gun = round(dcPower / 2, 1);
        return {
          EquipmentID: eid,
          ManufacturerID: maker.id,
          ManufacturerName: maker.name,
          EquipmentModel: `DC${dcPower}-2`,
          ProductionDate: `202${int(2, 5)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
          EquipmentType: 1,
          ConnectorInfos: [1, 2].map((g) => ({
            ConnectorID: `${eid}${g}`,
            ConnectorName: `${k + 1}号桩${g === 1 ? 'A' : 'B'}枪`,
            ConnectorType: 4,
            VoltageUpperLimits: 750,
            VoltageLowerLimits: 200,
            Current: Math.round((gun * 1000) / 500),
            Power: gun,
            ParkNo: `${String.fromCharCode(65 + (k % 4))}${String(k * 2 + g).padStart(3, '0')}`,
            NationalStandard: 2,
          })),
          EquipmentLng: round(lng + (rand() - 0.5) * 0.0004, 6),
          EquipmentLat: round(lat + (rand() - 0.5) * 0.0004, 6),
          Power: dcPower,
          EquipmentName: `${k + 1}号直流桩`,
        };
      }),
      ...Array.from({ length: acCount }, (_, k) => {
        const eid = `${sid}A${String(k + 1).padStart(2, '0')}`;
        return {
          EquipmentID: eid,
          ManufacturerID: maker.id,
          ManufacturerName: maker.name,
          EquipmentModel: 'AC7-1',
          EquipmentType: 2,
          ConnectorInfos: [
            {
              ConnectorID: `${eid}1`,
              ConnectorName: `${dcCount + k + 1}号交流枪`,
              ConnectorType: 3,
              VoltageUpperLimits: 220,
              VoltageLowerLimits: 220,
              Current: 32,
              Power: 7,
              NationalStandard: 2,
            },
          ],
          Power: 7,
          EquipmentName: `${k + 1}号交流桩`,
        };
      }),
    ];
    const policy = policyFor(city);
    const dcConnectors = dcCount * 2;
    return {
      StationID: sid,
      OperatorID: OPERATOR_ID,
      EquipmentOwnerID: OPERATOR_ID,
      StationName: `星联充电·${d.name.replace(/新区$|区$/, '')}${place}站`,
      CountryCode: 'CN',
      AreaCode: d.area,
      Address: `${city.name}${d.name}${road}${int(1, 2999)}号${place}`,
      StationTel: `${city.tel}-${int(5000, 8999)}${String(int(0, 9999)).padStart(4, '0')}`,
      ServiceTel: '4008202026',
      StationType: place === '公交枢纽' ? 100 : place === '物流园' ? 102 : 1,
      StationStatus: rand() < 0.04 ? 6 : 50,
      ParkNums: dcConnectors + acCount,
      StationLng: lng,
      StationLat: lat,
      SiteGuide: `从${road}入口进入${place}，按"充电"指示牌前往充电区`,
      Construction: CONSTRUCTION_FOR[place] ?? 255,
      MatchCars: '全部国标车型',
      ParkInfo: '充电车位仅供新能源车充电使用',
      BusineHours: rand() < 0.8 ? '00:00-24:00' : '07:00-23:00',
      ElectricityFee: `谷${policy[0]?.ElecPrice.toFixed(4)} 平${policy[1]?.ElecPrice.toFixed(4)} 峰${policy[2]?.ElecPrice.toFixed(4)} 元/度`,
      ServiceFee: `${policy[0]?.SevicePrice.toFixed(4)}元/度`,
      ParkFee: pick(['充电期间免费停车2小时', '停车费按商场标准收取', '免费停车']),
      Payment: '线上',
      // every fifth station takes reservations (extension; no draw from the PRNG, so nothing else moves)
      SupportOrder: i % 5 === 0 ? 1 : 0,
      EquipmentInfos: equipment,
      PolicyInfos: policy,
      ...(i % 5 === 0 ? { ReservationPolicy: { MaxMinutes: 30, Fee: 2, NoShowFee: 5 } } : {}),
      // every tenth station (from the fourth) is in a car park with a barrier and ground locks on its
      // first DC equipment's connectors (extension, DiDi 1.4.0; no draw from the PRNG)
      ...(i % 10 === 3 ? carPark(sid, equipment) : {}),
    };
  });

  const partnersSeed = JSON.parse(readFileSync(here('demo-partners.json'), 'utf8')) as {
    operatorId: string;
    partners: Array<Record<string, unknown>>;
  };
  const partners = partnersSeed.partners.map((p) => {
    if (p.operatorId === 'MA01H3BQ2') return { ...p, stations: '*' };
    if (p.operatorId === 'MA02XJ7K3')
      return {
        ...p,
        stations: stations
          .filter((s) => s.StationID.startsWith('SH'))
          .slice(0, 20)
          .map((s) => s.StationID),
      };
    return p;
  });

  const check = validateStations(stations, { operatorId: partnersSeed.operatorId });
  if (check.problems.length) throw new Error(`the generated stations break the import rules:\n${check.problems.slice(0, 20).join('\n')}`);
  const seed = {
    $comment:
      'GENERATED by infra/local/seed/generate-demo.ts (deterministic; do not edit by hand). LOCAL DEMO ONLY: the partner secrets are public demo values, never real credentials.',
    operatorId: partnersSeed.operatorId,
    partners,
    stations,
  };
  const connectors = stations.reduce((a, s) => a + s.EquipmentInfos.reduce((b, e) => b + e.ConnectorInfos.length, 0), 0);
  return { text: `${JSON.stringify(seed, null, 1)}\n`, stations: stations.length, connectors, partners: partners.length };
};

export const DEMO_SEED_FILE = here('demo-seed.json');

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = renderDemoSeed();
  writeFileSync(DEMO_SEED_FILE, out.text);
  console.log(`demo-seed.json: ${out.stations} stations, ${out.connectors} connectors, ${out.partners} partners`);
}

/** A demo car park: its gateway (the local car park simulator, infra/local/simulator/car-park.ts), two locked spaces, a policy. */
function carPark(stationId: string, equipment: ReadonlyArray<{ ConnectorInfos: ReadonlyArray<{ ConnectorID: string }> }>) {
  const connectors = (equipment[0]?.ConnectorInfos ?? []).slice(0, 2);
  return {
    CarParkGatewayUrl: `http://127.0.0.1:9110/carparks/${stationId}/`,
    ParkingPolicy: { FreeMinutes: 120, PerKwhMinutes: 2, CapMinutes: 240 },
    ParkingSpaces: connectors.map((c, k) => ({
      LockNum: `L${String(k + 1).padStart(2, '0')}`,
      WorkplaceName: `B1-${String(17 + k).padStart(3, '0')}`,
      ConnectorID: c.ConnectorID,
    })),
  };
}
