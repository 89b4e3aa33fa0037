/**
 * Invoking a handler in-process as Lambda would: the function's entry module is imported once
 * (under tsx/vitest the .ts file loads directly), called with the event and a Lambda-like
 * context, and cut off at the function's timeout with Lambda's own error message.
 *
 * Environment: each invocation runs inside its function's own environment (`envFor`, through
 * shared/config.ts runWithEnv), so config() in a handler sees its grants and nothing else. The AWS
 * SDK's settings (region, credentials, endpoints) stay process-wide.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type Env, runWithEnv } from '../../shared/config.ts';
import { type FunctionDecl, TIER_DEFAULTS } from '../topology/types.ts';

type Handler = (event: unknown, context: Context) => unknown;

export interface Invoker {
  /** run the function's handler; rejects with the handler's error or a LambdaTimeoutError */
  invoke(fn: FunctionDecl, event: unknown): Promise<unknown>;
  /** invocations running right now */
  inFlight(): number;
  /** import the function's module now (as Lambda's INIT would), so its first invocation does not wait for it */
  preload(fn: FunctionDecl): Promise<void>;
}

class LambdaTimeoutError extends Error {
  override name = 'Sandbox.Timedout';
}

export interface InvokerOptions {
  /** repository root the entries are relative to */
  rootDir: string;
  region: string;
  account: string;
  /** the environment an invocation of this function runs with (default: process.env) */
  envFor?: (fn: FunctionDecl) => Env;
  onLog?: (line: string) => void;
  /** observer of every finished invocation (the cost bench): handler time in ms, whether it succeeded */
  onInvoke?: InvokeObserver;
}

/** one running invocation: a new object each time (concurrent invocations of one function are told apart by it) */
export interface Invocation {
  readonly fn: FunctionDecl;
}

export type InvokeObserver = (i: { fn: FunctionDecl; event: unknown; ms: number; ok: boolean; invocation: Invocation }) => void;

/** the function name the local runtime gives a topology function (its Lambda context's functionName) */
export const localFunctionName = (id: string): string => `evcs-${id}`;

const invocation = new AsyncLocalStorage<Invocation>();
/** the invocation the caller runs in (and everything it awaits or starts); undefined outside any (the cost bench attributes by it) */
export const currentInvocation = (): Invocation | undefined => invocation.getStore();
/** the function whose invocation the caller runs in; undefined outside any */
export const currentFunction = (): FunctionDecl | undefined => invocation.getStore()?.fn;

const timeoutSecondsOf = (fn: FunctionDecl): number => fn.timeoutSeconds ?? TIER_DEFAULTS[fn.tier].timeoutSeconds;

export const createInvoker = (o: InvokerOptions): Invoker => {
  const modules = new Map<string, Promise<Handler>>();
  let running = 0;

  const load = (fn: FunctionDecl): Promise<Handler> => {
    const key = `${fn.entry}#${fn.handler ?? 'handler'}`;
    let p = modules.get(key);
    if (!p) {
      p = (async () => {
        const mod = (await import(pathToFileURL(resolve(o.rootDir, fn.entry)).href)) as Record<string, unknown>;
        const h = mod[fn.handler ?? 'handler'];
        if (typeof h !== 'function')
          throw new Error(`function ${fn.id}: ${fn.entry} does not export a function '${fn.handler ?? 'handler'}'`);
        return h as Handler;
      })();
      modules.set(key, p);
      p.catch(() => modules.delete(key)); // a fixed file can be retried
    }
    return p;
  };

  const context = (fn: FunctionDecl, deadline: number): Context => {
    const name = localFunctionName(fn.id);
    const unsupported = () => {
      throw new Error('callback-style context.done/succeed/fail are not supported: return a promise');
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${o.region}:${o.account}:function:${name}`,
      memoryLimitInMB: String(fn.memoryMb ?? TIER_DEFAULTS[fn.tier].memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  };

  return {
    inFlight: () => running,
    preload: async (fn) => {
      await load(fn);
    },
    async invoke(fn, event) {
      const handler = await load(fn);
      const timeoutMs = timeoutSecondsOf(fn) * 1000;
      const deadline = Date.now() + timeoutMs;
      running++;
      let timer: NodeJS.Timeout | undefined;
      const t0 = performance.now();
      const self: Invocation = { fn };
      let ok = false;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new LambdaTimeoutError(`Task timed out after ${timeoutSecondsOf(fn).toFixed(2)} seconds`)),
            timeoutMs,
          );
        });
        const env = o.envFor?.(fn);
        // the handler starts in a job of its own invocation's context (not in its caller's), so even its
        // first synchronous part is attributed to it (the cost bench's CPU meter, bench/cost/sandbox.ts)
        const run = () => invocation.run(self, () => Promise.resolve().then(() => handler(event, context(fn, deadline))));
        const result = await Promise.race([env ? runWithEnv(env, run) : run(), timeout]);
        ok = true;
        return result;
      } catch (err) {
        o.onLog?.(`[lambda] ${fn.id}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
        throw err;
      } finally {
        if (timer) clearTimeout(timer);
        running--;
        o.onInvoke?.({ fn, event, ms: performance.now() - t0, ok, invocation: self });
      }
    },
  };
};
