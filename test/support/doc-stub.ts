/**
 * A stub of the document client's `send` (shared/store/doc.ts) for tests and benches without
 * DynamoDB: answers by command class and (partial, deep) input, records every call. The same calls
 * as aws-sdk-client-mock's (`on(..).resolves/rejects/callsFake`, `commandCalls`, `calls`, `reset`,
 * `restore`), which only takes AWS SDK clients. Without a matching answer `send` resolves undefined;
 * of two answers that match, the one given last wins.
 */
import { type DocCommand, DocumentClient } from '../../shared/store/doc.ts';

type AnyCommand = DocCommand<object, object>;
// biome-ignore lint/suspicious/noExplicitAny: a command class of any input
type CommandClass = new (input: any) => AnyCommand;
type InputOf<C extends CommandClass> = InstanceType<C>['input'];
type OutputOf<C extends CommandClass> = Awaited<ReturnType<InstanceType<C>['run']>>;
type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

interface Call<C extends AnyCommand> {
  args: [C];
}

interface Answer {
  command: CommandClass;
  input: unknown;
  answer: (input: unknown) => unknown;
}

export interface DocStub {
  on<C extends CommandClass>(
    command: C,
    input?: DeepPartial<InputOf<C>>,
  ): {
    resolves(output: Partial<OutputOf<C>>): DocStub;
    rejects(err: Error): DocStub;
    callsFake(fn: (input: InputOf<C>) => unknown): DocStub;
  };
  commandCalls<C extends CommandClass>(command: C): Call<InstanceType<C>>[];
  calls(): Call<AnyCommand>[];
  /** forget every answer and call */
  reset(): DocStub;
  /** the real `send` again */
  restore(): void;
  /** this stub's `send` again (after another file's stub restored the real one: the unit lane shares modules) */
  install(): DocStub;
}

/** sinon's `match(object)`: every key of `expected` matches, deeply; arrays element by element */
const matches = (actual: unknown, expected: unknown): boolean => {
  if (expected === null || typeof expected !== 'object') return Object.is(actual, expected);
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected))
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e));
  return Object.entries(expected).every(([k, v]) => matches((actual as Record<string, unknown>)[k], v));
};

const original = DocumentClient.prototype.send;

/** Replace `DocumentClient.prototype.send` (every document client, `dynamo()` included) until `restore()`. */
export const stubDocumentClient = (): DocStub => {
  let answers: Answer[] = [];
  let calls: Call<AnyCommand>[] = [];
  const fake = (async (command: AnyCommand) => {
    calls.push({ args: [command] });
    const a = answers.findLast((x) => command instanceof x.command && (x.input === undefined || matches(command.input, x.input)));
    return a?.answer(command.input);
  }) as typeof original;
  DocumentClient.prototype.send = fake;
  const stub: DocStub = {
    on: (command, input) => {
      const add = (answer: (input: never) => unknown) => {
        answers.push({ command, input, answer: answer as (input: unknown) => unknown });
        return stub;
      };
      return {
        resolves: (output) => add(() => Promise.resolve(output)),
        rejects: (err) => add(() => Promise.reject(err)),
        callsFake: (fn) => add(async (i) => fn(i)),
      };
    },
    commandCalls: <C extends CommandClass>(command: C) => calls.filter((c): c is Call<InstanceType<C>> => c.args[0] instanceof command),
    calls: () => calls,
    reset: () => {
      answers = [];
      calls = [];
      return stub;
    },
    restore: () => {
      DocumentClient.prototype.send = original;
    },
    install: () => {
      DocumentClient.prototype.send = fake;
      return stub;
    },
  };
  return stub;
};
