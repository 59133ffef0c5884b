// The device entry ('unisono'): engines from compiled images only. Its types must steer a
// front-end developer there: no JSON constructor, no authoring functions, `Engine.load` async.
// Checked by tsc like usage.ts (pkg-tests/types.test.mjs); nothing here runs.
import { Engine, Session, UnisonoError } from 'unisono';
import * as device from 'unisono';
import type { Decision, ImageScope, ImageSource, Revealed } from 'unisono';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export async function onDevice(bytes: Uint8Array, response: Response): Promise<Decision> {
  const engine = await Engine.load('/images/web.img');
  await Engine.load(new URL('https://shop.example/web.img'));
  await Engine.load(response);
  await Engine.load(fetch('/images/web.img'));
  await Engine.load(bytes);
  const sync: Engine = Engine.fromImage(bytes);
  const scope: ImageScope = sync.scope;
  type _audience = Expect<Equal<ImageScope['audience'], 'full' | 'public'>>;
  const revealed: Revealed = engine.reveal('{}', '{}', 'd-1', 'OFFER');
  const code: string | null | undefined = revealed.code;
  void scope;
  void code;
  const session = new Session('{"schema":"unisono.profile/1","id":"x"}');
  try {
    return engine.decideSession(session, { channel: 'web', placement: 'home', now: '2026-11-23T12:00:00Z' });
  } catch (e) {
    if (e instanceof UnisonoError) throw e;
    throw e;
  }
}

export function noAuthoringOnDevices(catalog: string, model: string, config: string): void {
  // @ts-expect-error: the device runtime builds no engine from JSON documents ('unisono/tools' does)
  new Engine(catalog, model, config);
  // @ts-expect-error: authoring functions are in 'unisono/tools'
  device.buildModel('', 'csv');
  // @ts-expect-error: authoring functions are in 'unisono/tools'
  device.compile(catalog, model, config);
  // @ts-expect-error: authoring functions are in 'unisono/tools'
  device.validate('profile', '{}');
}

export type _source = Expect<Equal<Extract<ImageSource, Response>, Response>>;
