import { it } from 'vitest';
import { P1, demo, emitStatus, startPushPlatform, statusChange, statusesAt } from '/work/main/test/support/push.ts';
it('dbg', async () => {
  const platform = await startPushPlatform();
  const d1 = demo(platform, P1);
  d1.set({ fail: 'http500' });
  await emitStatus([statusChange('FX0002E01C1', 5, 255, 0, 0)]);
  await new Promise((r) => setTimeout(r, 4000));
  console.log('depth', platform.cloud.queues.depth('push-deliveries'), platform.cloud.queues.peek('push-deliveries').map(m=>m.body.slice(0,400)));
  console.log('dlq', platform.cloud.queues.peek(platform.cloud.queues.dlqOf('push-deliveries')).length, 'requests', d1.requests());
  d1.set({});
  await platform.cloud.drain({ timeoutMs: 60000 });
  console.log('after', statusesAt(d1, 'FX0002E01C1'), d1.received.length, 'dlq', platform.cloud.queues.peek(platform.cloud.queues.dlqOf('push-deliveries')).map(m=>m.body));
  await platform.stop();
}, 120000);
