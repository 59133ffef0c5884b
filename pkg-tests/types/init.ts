// The default export of the web and Node ESM entries: `await init()` before using the engine
// (a no-op in Node). Not in the CommonJS entry (tsconfig.cjs.json leaves this file out).
import init, { Engine } from 'unisono/tools';

export async function ready(catalog: string, model: string, config: string): Promise<Engine> {
  await init();
  return new Engine(catalog, model, config);
}
