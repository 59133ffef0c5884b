// A typed use of the package, checked by `tsc --noEmit` in strict mode against the BUILT
// declarations (pkg-tests/types.test.mjs; tsconfig*.json map 'unisono' to each entry's .d.ts).
// Compile-time assertions use two tiny helpers instead of a library: `Expect<Equal<A, B>>`
// fails to compile unless A and B are the same type; `// @ts-expect-error` lines must not
// compile. Nothing here runs.
import { Engine, Session, UnisonoError, buildModel, engineVersion, validate, wasmMemoryBytes } from 'unisono/tools';
import type {
  Artifacts,
  BuildParams,
  Catalog,
  Channel,
  ChannelAlias,
  Config,
  Context,
  Decision,
  DocumentKind,
  CustomEventType,
  ErrorCode,
  EventOutput,
  EventType,
  EventTypeAlias,
  Item,
  Model,
  ModelV1Document,
  ModelV2Document,
  NeighbourColumns,
  NotShown,
  OfferReason,
  OfferReasonCode,
  Offers,
  Placement,
  Problem,
  Profile,
  ProfileEvent,
  ProfileEventOutput,
  Reason,
  ReasonCode,
  Recommendation,
  ShownOffer,
  Strategy,
  SuppressionCode,
  Timestamp,
  Tracked,
  ValidationReport,
  Versions,
} from 'unisono/tools';

// ---- helpers
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type IsAny<T> = 0 extends 1 & T ? true : false;
type NotAny<T> = IsAny<T> extends true ? false : true;
// `L` is a literal member of union `U`, so editors complete it (`Extract` keeps only the members
// assignable to `L`: a `string` or template member would not be, and would not complete).
type Completes<U, L extends string> = Equal<Extract<U, L>, L>;

// ---- documents in, decision out
export function kiosk(
  catalog: Catalog,
  model: Model,
  config: Config,
  offers: Offers,
  profile: Profile,
): Decision {
  const engine = new Engine(catalog, model, config, offers);
  const context: Context = {
    channel: 'kiosk',
    placement: 'home',
    store: 'lon-oxford',
    now: '2026-11-23T12:00:00Z',
    limit: 6,
  };
  const decision = engine.decide(profile, context);
  const top: Recommendation | undefined = decision.recommendations[0];
  const why: string[] = top ? top.reasons.map((r: Reason) => r.text) : [];
  const shown: string[] = decision.offers.map((o: ShownOffer) => `${o.content.title} ${o.scoreParts.propensity}`);
  const hidden: NotShown[] = decision.suppressedOffers;
  void [why, shown, hidden, decision.assignments.controlGroup, decision.versions.model];
  return decision;
}

export function strings(catalog: string, model: string, config: string, profile: string): string {
  const engine = new Engine(catalog, model, config); // offers are optional
  return engine.decideJson(profile, JSON.stringify({ channel: 'web', now: '2026-11-23T12:00:00Z' }));
}

// ---- real time: track, reload, sessions, building a model, validating
export function realTime(engine: Engine, profile: Profile, catalog: Catalog): Profile {
  const view: ProfileEvent = { type: 'view', sku: 'HK-COF-0001', channel: 'kiosk', store: 'lon-oxford', ts: '2026-11-23T12:00:00Z' };
  const cdp: ProfileEvent = { type: 'Product Viewed', sku: 'HK-COF-0001', channel: 'POS', ts: '2026-11-23T12:00:00Z' };
  const { profile: updated, event } = engine.track(profile, view);
  const again: Tracked = engine.track(updated, cdp);
  const canonical: Channel = event.channel; // the engine writes canonical names
  const versions: Versions = engine.reload({ catalog });
  engine.reload({ offers: null });
  void [again, canonical, versions.catalog, engine.versions.engine];

  const session = new Session(updated);
  const exported: ProfileEventOutput = session.track(view);
  const d: Decision = engine.decideSession(session, { channel: 'app', now: '2026-11-23T12:00:00Z' });
  const stored: Profile = session.toJSON();
  void [exported, d, session.id];
  session.free();
  return stored;
}

export function tooling(eventsCsv: string, suspect: unknown): string[] {
  const params: BuildParams = { k: 20, similarity: 'cosine' };
  const model: string = buildModel(eventsCsv, 'csv', params, 'm-1');
  buildModel(eventsCsv, 'ndjson');
  const report = validate('profile', suspect);
  const lines = report.valid ? [] : report.problems.map((p: Problem) => `${p.path}: ${p.message} [${p.code}]`);
  const kinds: DocumentKind[] = ['profile', 'catalog', 'config', 'context', 'offers', 'model'];
  void [model, kinds, engineVersion(), wasmMemoryBytes()];
  return lines;
}

export function errors(engine: Engine, profile: Profile): ErrorCode | undefined {
  try {
    engine.decide(profile, { channel: 'web', now: 'yesterday' });
  } catch (e) {
    // A class: `instanceof` narrows, and `code` is the ErrorCode union.
    if (e instanceof UnisonoError && e.code === 'invalid_time') return e.code;
  }
  return undefined;
}

// ---- open vocabularies: custom placements and custom event types compile
export function open(engine: Engine, profile: Profile): Placement[] {
  const search = engine.decide(profile, { channel: 'web', placement: 'search', now: '2026-11-23T12:00:00Z' });
  const confirmation: Context = { channel: 'email', placement: 'order_confirmation', now: '2026-11-23T12:00:00Z' };
  const custom: ProfileEvent[] = [
    { type: 'Checkout Started', channel: 'web', ts: '2026-11-23T12:00:00Z' }, // Segment
    { type: 'session_start', channel: 'app', ts: '2026-11-23T12:00:00Z' }, // GA4
    { type: 'app:wishlist', channel: 'app', ts: '2026-11-23T12:00:00Z' }, // namespaced
    { type: 'Login', channel: 'web', ts: '2026-11-23T12:00:00Z' }, // capitalised
    { type: 'login' as CustomEventType, channel: 'web', ts: '2026-11-23T12:00:00Z' }, // one word: say so
    { type: 'Product Viewed', channel: 'POS', ts: '2026-11-23T12:00:00Z' },
  ];
  void [confirmation, custom];
  return [search.placement];
}

// ---- compile-time assertions: the API names the document types, never `any`
export type Assertions = [
  Expect<Equal<ConstructorParameters<typeof Engine>, [catalog: Catalog | string, model: Model | string, config: Config | string, offers?: Offers | string | null]>>,
  Expect<Equal<Parameters<Engine['decide']>, [profile: Profile | string, context: Context | string]>>,
  Expect<Equal<ReturnType<Engine['decide']>, Decision>>,
  Expect<Equal<ReturnType<Engine['decideJson']>, string>>,
  Expect<Equal<Parameters<Engine['track']>, [profile: Profile | string, event: ProfileEvent | string]>>,
  Expect<Equal<ReturnType<Engine['track']>, Tracked>>,
  Expect<Equal<Tracked, { profile: Profile; event: ProfileEventOutput }>>,
  Expect<Equal<EventOutput, ProfileEventOutput>>, // the deprecated name still compiles
  Expect<Equal<Parameters<Engine['reload']>, [artifacts: Artifacts]>>,
  Expect<Equal<ReturnType<Engine['reload']>, Versions>>,
  Expect<Equal<Engine['versions'], Versions>>,
  Expect<Equal<ReturnType<Engine['decideSession']>, Decision>>,
  Expect<Equal<ConstructorParameters<typeof Session>, [profile: Profile | string]>>,
  Expect<Equal<ReturnType<Session['toJSON']>, Profile>>,
  Expect<Equal<ReturnType<typeof validate>, ValidationReport>>,
  Expect<Equal<Parameters<typeof validate>, [kind: DocumentKind, document: unknown]>>,
  Expect<Equal<Problem, { code: ErrorCode; path: string; message: string }>>,
  Expect<Equal<ReturnType<typeof buildModel>, string>>,
  // The decision: canonical names out; aliases accepted in.
  Expect<Equal<Channel, 'web' | 'app' | 'kiosk' | 'store' | 'email' | 'call_center'>>,
  Expect<Equal<Decision['channel'], Channel>>,
  Expect<Equal<Decision['placement'], Placement>>,
  Expect<Equal<Context['placement'], Placement | undefined>>,
  // Placements are open: the built-in four complete, any name the config defines compiles.
  Expect<Equal<Placement, 'home' | 'product' | 'cart' | 'checkout' | (string & {})>>,
  Expect<Completes<Placement, 'home'>>,
  Expect<Completes<Placement, 'checkout'>>,
  Expect<Equal<Equal<Placement, string>, false>>,
  Expect<Equal<Decision['store'], string | undefined>>,
  Expect<Equal<Decision['impressions'], ProfileEventOutput[]>>,
  Expect<Equal<ProfileEventOutput['channel'], Channel>>,
  Expect<Equal<ProfileEventOutput['type'], EventType | (string & {})>>,
  // Channels: a closed set of names and aliases (no `string` member), every one completes.
  Expect<Equal<ProfileEvent['channel'], Channel | ChannelAlias>>,
  Expect<Equal<Context['channel'], Channel | ChannelAlias>>,
  Expect<Equal<string extends Context['channel'] ? true : false, false>>,
  Expect<Completes<Context['channel'], 'kiosk'>>,
  Expect<Completes<Context['channel'], 'pos'>>,
  Expect<Completes<Context['channel'], 'call_centre'>>,
  Expect<Completes<Context['channel'], 'POS'>>, // as CDPs write it
  // Event types: canonical, the Segment / GA4 aliases, or a custom name of a documented shape.
  Expect<Equal<ProfileEvent['type'], EventType | EventTypeAlias | CustomEventType>>,
  Expect<Equal<EventType, 'view' | 'add_to_cart' | 'remove_from_cart' | 'purchase' | 'search' | 'store_visit' | 'offer_impression' | 'offer_click' | 'offer_redeemed' | 'offer_dismissed'>>,
  Expect<Equal<string extends ProfileEvent['type'] ? true : false, false>>,
  Expect<Completes<ProfileEvent['type'], 'view'>>,
  Expect<Completes<ProfileEvent['type'], 'purchase'>>,
  Expect<Completes<ProfileEvent['type'], 'offer_dismissed'>>,
  Expect<Completes<ProfileEvent['type'], 'view_item'>>,
  Expect<Completes<ProfileEvent['type'], 'order_completed'>>,
  // Every code is a union.
  Expect<Equal<Reason['code'], ReasonCode>>,
  Expect<Equal<ReasonCode, Strategy | 'pinned'>>,
  Expect<Equal<OfferReason['code'], OfferReasonCode>>,
  Expect<Equal<OfferReasonCode, 'eligible' | 'score' | 'fallback'>>,
  Expect<Equal<NotShown['code'], SuppressionCode>>,
  Expect<Completes<SuppressionCode, 'capped'>>,
  Expect<Completes<SuppressionCode, 'channel_not_allowed'>>,
  Expect<Equal<string extends SuppressionCode ? true : false, false>>,
  Expect<Recommendation['strategy'] extends Strategy ? true : false>,
  Expect<Equal<Recommendation['strategy'], Strategy>>,
  Expect<Equal<Recommendation['reasons'], Reason[]>>,
  Expect<Equal<Context['now'], Timestamp>>,
  Expect<Equal<Profile['schema'], 'unisono.profile/1'>>,
  Expect<Equal<Catalog['schema'], 'unisono.catalog/1'>>,
  Expect<Equal<Catalog['items'], Item[]>>,
  // Either format; v2 (what buildModel writes) in flat integer columns.
  Expect<Equal<Model, ModelV2Document | ModelV1Document>>,
  Expect<Equal<ModelV2Document['schema'], 'unisono.model/2'>>,
  Expect<Equal<ModelV2Document['neighbours'], NeighbourColumns>>,
  Expect<Equal<NeighbourColumns['items'], number[]>>,
  Expect<Equal<ModelV1Document['neighbours'][string], [string, number][] | undefined>>,
  Expect<Equal<Offers['offers'][number]['eligibility'], unknown>>,
  // A sample of everything exported: none is `any`.
  Expect<NotAny<Decision>>,
  Expect<NotAny<Profile>>,
  Expect<NotAny<EventType>>,
  Expect<NotAny<ReturnType<Engine['decide']>>>,
  Expect<NotAny<ReturnType<Engine['track']>>>,
  Expect<NotAny<ReturnType<Session['track']>>>,
  Expect<NotAny<Engine['versions']>>,
  Expect<Equal<UnisonoError['code'], ErrorCode>>,
  Expect<Equal<UnisonoError['path'], string>>,
];

// ---- what must not compile
export function refused(engine: Engine, profile: Profile, catalog: Catalog, model: Model, config: Config): void {
  // @ts-expect-error a context needs `now`
  engine.decide(profile, { channel: 'web' });
  // @ts-expect-error a placement is a name, not a number
  engine.decide(profile, { channel: 'web', placement: 7, now: '2026-11-23T12:00:00Z' });
  // @ts-expect-error a typo of a channel (closed: names and aliases only)
  engine.decide(profile, { channel: 'kisok', store: 'lon-oxford', now: '2026-11-23T12:00:00Z' });
  // @ts-expect-error a typo of an event type (one lower-case word must be a known type)
  engine.track(profile, { type: 'veiw', sku: 'HK-COF-0001', channel: 'web', ts: '2026-11-23T12:00:00Z' });
  // @ts-expect-error the same typo where an event type is declared
  const veiw: ProfileEvent['type'] = 'veiw';
  // @ts-expect-error a typo of a reason code
  const capd: SuppressionCode = 'capd';
  void [veiw, capd];
  // @ts-expect-error a decision is not a profile
  engine.decide(engine.decide(profile, { channel: 'web', now: '2026-11-23T12:00:00Z' }), '{}');
  // @ts-expect-error a profile needs its schema tag and id
  engine.decide({ events: [] }, '{}');
  // @ts-expect-error the catalog is required
  new Engine(undefined, model, config);
  // @ts-expect-error a number is neither a document nor JSON text
  new Engine(catalog, model, 42);
  // @ts-expect-error only the engine creates its errors
  new UnisonoError();
  // @ts-expect-error not an output channel
  const tv: Channel = 'tv';
  // @ts-expect-error no such field on a decision
  engine.decide(profile, '{}').bogus;
  // @ts-expect-error not a document kind
  validate('basket', {});
  // @ts-expect-error not an event format
  buildModel('', 'xml');
  // @ts-expect-error reload takes an object
  engine.reload('catalog');
  void tv;
}

// ---- no DOM global is shadowed: the profile's event is `ProfileEvent`, and there is no
// `Event` export (pkg-tests/types.test.mjs checks every export against the DOM's globals).
// @ts-expect-error no `Event` export
export type NoEventExport = import('unisono').Event;
export function domEvent(e: Event): string {
  return e.type; // the DOM's Event, in a file that imports the package's types
}
