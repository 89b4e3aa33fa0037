/** The event catalog: every EventBridge event of the platform, declared once. */

export * from './baseinfo.ts';
export * from './define.ts';
export * from './orders.ts';
export * from './piles.ts';
export * from './push.ts';
