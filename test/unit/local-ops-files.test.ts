/** The data dir's log file rotates past its size and `evcs trace` still reads the whole story, oldest first. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { traceCommand } from '../../infra/cli/ops.ts';
import { LOG_FILE, openOpsFiles } from '../../infra/local/ops-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'evcs-opsfiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local ops files', () => {
  it('rotate to .1 past the limit; the trace reads both, in order; bus events carry their keys', async () => {
    const files = openOpsFiles(dir, () => new Date('2026-11-30T10:00:00.500Z'), 400);
    for (let i = 0; i < 6; i++)
      files.record(JSON.stringify({ level: 'INFO', message: `step ${i}`, timestamp: `2026-11-30T10:00:0${i}.000Z`, StartChargeSeq: 'S1' }));
    files.event({
      version: '0',
      id: 'e1',
      'detail-type': 'OrderStarted',
      source: 'evcs.charging',
      account: '0',
      time: '2026-11-30T10:00:00Z',
      region: 'r',
      resources: [],
      detail: { StartChargeSeq: 'S1', ConnectorID: 'C1' },
    });
    await files.close();
    expect(existsSync(join(dir, `${LOG_FILE}.1`))).toBe(true);
    const lines: string[] = [];
    expect(await traceCommand('S1', { dataDir: dir, aws: false, print: (l) => lines.push(l) })).toBe(0);
    const steps = lines.slice(0, -1).map((l) => l.replace(/^\S+ \S+\s+\S+\s+/, ''));
    // .1 holds the oldest lines, rotation drops anything older than that: what is left is in time order
    const kept = steps.filter((s) => s.startsWith('step')).map((s) => Number(s.split(' ')[1]));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept).toEqual([...kept].sort());
    expect(kept.at(-1)).toBe(5);
    expect(lines.some((l) => /event OrderStarted {2}StartChargeSeq=S1 ConnectorID=C1/.test(l))).toBe(true);
  });
});
