// biome-ignore-all format: the runtime evaluates this file as `(<file>)(…)`, and the formatter would end it with a `;` that breaks that (format it by removing this line, running biome, and deleting the final `;`)
(function tesseraPrelude(host, stdlib, buildApi) {
  // Runs first in every fresh context, before any tenant code. It installs the globals tenants rely on
  // and returns the one entry point the host calls. Every host callback stays inside these closures:
  // tenant code can reach none of them (docs/security.md#6). Intrinsics are captured now because tenant code
  // runs later in this same context and may replace them; the host re-validates everything it receives.

  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const PromiseCtor = Promise;
  const promiseThen = Promise.prototype.then;
  const apply = Reflect.apply;
  const MapCtor = Map;
  const global = globalThis;
  // The stdlib (URL, Buffer, TextEncoder, util.format…) is built on first use only: most actions touch
  // none of it, and building it costs more than the rest of a fresh context (docs/benchmarks.md#latest).
  const std = () => stdlib();

  // ---- asynchronous host operations (timers, fetch): started by an ignored callback, settled by the host
  const pending = new MapCtor();
  let nextOp = 1;
  function startOp(kind, payload) {
    const id = nextOp++;
    return new PromiseCtor((resolve, reject) => {
      pending.set(id, { resolve, reject });
      host.startAsync(kind, id, payload);
    });
  }
  function settle(id, ok, resultJson) {
    const op = pending.get(id);
    if (op === undefined) return;
    pending.delete(id);
    if (ok) op.resolve(resultJson);
    else {
      const failure = parse(resultJson);
      const error =
        failure.name === 'AbortError' ? new Error(failure.message) : new TypeError(failure.message);
      if (failure.name === 'AbortError') error.name = 'AbortError';
      op.reject(error);
    }
  }

  // ---- timers
  const timers = new MapCtor();
  let nextTimer = 1;
  function arm(id, ms) {
    startOp('sleep', String(ms)).then(() => {
      const timer = timers.get(id);
      if (timer === undefined) return;
      if (timer.interval) arm(id, ms);
      else timers.delete(id);
      timer.fn(...timer.args);
    });
  }
  function schedule(fn, ms, args, interval) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
    const delay = Number.isFinite(Number(ms)) ? Math.max(0, Math.floor(Number(ms))) : 0;
    const id = nextTimer++;
    timers.set(id, { fn, args, interval });
    arm(id, interval ? Math.max(1, delay) : delay);
    return id;
  }
  const setTimeout = (fn, ms, ...args) => schedule(fn, ms, args, false);
  const setInterval = (fn, ms, ...args) => schedule(fn, ms, args, true);
  const clearTimeout = (id) => {
    timers.delete(id);
  };
  const setImmediate = (fn, ...args) => schedule(fn, 0, args, false);
  const queueMicrotask = (fn) => {
    PromiseCtor.resolve().then(fn);
  };

  // ---- console: formatted here, bounded by the host (it answers false once the run's log budget is spent)
  let logOpen = true;
  function emit(level, args) {
    if (!logOpen) return;
    let message;
    try {
      message = std().format(...args);
    } catch {
      message = '[unprintable value]';
    }
    logOpen = host.log(level, message);
  }
  const console = {};
  for (const [name, level] of [
    ['log', 'log'],
    ['info', 'info'],
    ['warn', 'warn'],
    ['error', 'error'],
    ['debug', 'debug'],
    ['trace', 'debug'],
    ['dir', 'log'],
  ]) {
    console[name] = (...args) => emit(level, args);
  }
  console.table = (data) => emit('log', [data]);
  // As Node prints it: a string first argument is the format of "Assertion failed: <message>".
  console.assert = (condition, ...args) => {
    if (condition) return;
    if (typeof args[0] === 'string') emit('error', [`Assertion failed: ${args[0]}`, ...args.slice(1)]);
    else emit('error', ['Assertion failed', ...args]);
  };
  console.time = () => {};
  console.timeEnd = () => {};
  console.count = () => {};

  // ---- crypto (the `require('crypto')` subset, plus the web `crypto` global)
  function bytesOf(data, encoding) {
    if (typeof data === 'string') return std().Buffer.from(data, encoding);
    if (data instanceof Uint8Array) return data;
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    throw new TypeError(
      'The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView',
    );
  }
  function copyOut(bytes) {
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  function digester(compute) {
    const chunks = [];
    let done = false;
    const self = {
      update(data, encoding) {
        if (done) throw new Error('Digest already called');
        chunks.push(bytesOf(data, encoding));
        return self;
      },
      digest(encoding) {
        if (done) throw new Error('Digest already called');
        done = true;
        const { Buffer } = std();
        const out = Buffer.from(compute(copyOut(Buffer.concat(chunks))));
        return encoding === undefined || encoding === 'buffer' ? out : out.toString(encoding);
      },
    };
    return self;
  }
  function randomBytes(size, callback) {
    if (!Number.isInteger(size) || size < 0 || size > 65536) {
      throw new RangeError('The value of "size" is out of range. It must be >= 0 && <= 65536.');
    }
    const bytes = std().Buffer.from(host.random(size));
    if (typeof callback === 'function') {
      setTimeout(() => callback(null, bytes), 0);
      return undefined;
    }
    return bytes;
  }
  function randomUUID() {
    const b = new Uint8Array(host.random(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = '';
    for (let i = 0; i < 16; i++) h += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function getRandomValues(array) {
    if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array) {
      throw new TypeError('The data argument must be an integer-type TypedArray');
    }
    if (array.byteLength > 65536) {
      const error = new Error(`The ArrayBufferView's byte length (${array.byteLength}) exceeds 65536`);
      error.name = 'QuotaExceededError';
      throw error;
    }
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(
      new Uint8Array(host.random(array.byteLength)),
    );
    return array;
  }
  const cryptoModule = freeze({
    createHash: (algorithm) => digester((bytes) => host.digest(String(algorithm), bytes)),
    createHmac: (algorithm, key) => {
      const keyBytes = copyOut(bytesOf(key));
      return digester((bytes) => host.hmac(String(algorithm), keyBytes, bytes));
    },
    randomBytes,
    randomUUID,
    timingSafeEqual: (a, b) => std().timingSafeEqual(a, b),
    getRandomValues,
  });
  const webCrypto = freeze({ randomUUID, getRandomValues });

  // ---- require: a fixed set; anything else is refused (and refused earlier, at deploy time)
  const modules = {
    crypto: () => cryptoModule,
    url: () => std().url,
    querystring: () => std().querystring,
    util: () => {
      const { format, inspect, TextEncoder, TextDecoder } = std();
      // util.promisify for (err, value) callbacks, as Node's (without its custom-symbol hook).
      const promisify = (fn) => {
        if (typeof fn !== 'function') throw new TypeError('The "original" argument must be of type function');
        return (...args) => new PromiseCtor((resolve, reject) => fn(...args, (error, value) => (error ? reject(error) : resolve(value))));
      };
      return freeze({ format, inspect, promisify, TextEncoder, TextDecoder });
    },
  };
  const loaded = new MapCtor();
  function require(name) {
    const key = typeof name === 'string' && name.startsWith('node:') ? name.slice(5) : name;
    if (typeof key === 'string' && Object.hasOwn(modules, key)) {
      if (!loaded.has(key)) loaded.set(key, modules[key]());
      return loaded.get(key);
    }
    const error = new Error(
      `Cannot find module '${String(name)}': Tessera actions can require only crypto, url, querystring and util`,
    );
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }

  // ---- fetch: performed by the host under the tenant's egress policy
  class Headers {
    #map = new MapCtor();
    constructor(init) {
      if (init instanceof Headers) for (const [name, value] of init.entries()) this.append(name, value);
      else if (Array.isArray(init)) for (const [name, value] of init) this.append(name, value);
      else if (init !== undefined && init !== null)
        for (const name of Object.keys(init)) this.append(name, init[name]);
    }
    append(name, value) {
      const key = String(name).toLowerCase();
      const prior = this.#map.get(key);
      this.#map.set(key, prior === undefined ? String(value) : `${prior}, ${String(value)}`);
    }
    set(name, value) {
      this.#map.set(String(name).toLowerCase(), String(value));
    }
    get(name) {
      const value = this.#map.get(String(name).toLowerCase());
      return value === undefined ? null : value;
    }
    has(name) {
      return this.#map.has(String(name).toLowerCase());
    }
    delete(name) {
      this.#map.delete(String(name).toLowerCase());
    }
    forEach(callback, thisArg) {
      for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
    }
    *entries() {
      yield* [...this.#map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    }
    *keys() {
      for (const [name] of this.entries()) yield name;
    }
    *values() {
      for (const [, value] of this.entries()) yield value;
    }
    [Symbol.iterator]() {
      return this.entries();
    }
  }
  class Response {
    #body;
    #used = false;
    constructor(body, init = {}) {
      this.#body = body === undefined || body === null ? new Uint8Array(0) : bytesOf(body);
      this.status = init.status ?? 200;
      this.statusText = init.statusText ?? '';
      this.headers = new Headers(init.headers);
      this.ok = this.status >= 200 && this.status < 300;
      this.url = init.url ?? '';
      this.redirected = init.redirected ?? false;
      this.type = 'basic';
    }
    get bodyUsed() {
      return this.#used;
    }
    #consume() {
      if (this.#used)
        return PromiseCtor.reject(new TypeError('Body is unusable: Body has already been read'));
      this.#used = true;
      return PromiseCtor.resolve(this.#body);
    }
    arrayBuffer() {
      return this.#consume().then(copyOut);
    }
    text() {
      return this.#consume().then((bytes) => new (std().TextDecoder)().decode(bytes));
    }
    json() {
      return this.text().then((text) => parse(text));
    }
    clone() {
      if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
      return new Response(this.#body.slice(), this);
    }
  }
  class AbortSignal {
    aborted = false;
    reason = undefined;
    #listeners = [];
    addEventListener(type, listener) {
      if (type === 'abort') this.#listeners.push(listener);
    }
    removeEventListener(_type, listener) {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    }
    throwIfAborted() {
      if (this.aborted) throw this.reason;
    }
    _abort(reason) {
      if (this.aborted) return;
      this.aborted = true;
      this.reason = reason;
      for (const listener of this.#listeners) listener({ type: 'abort' });
    }
    static timeout(ms) {
      const controller = new AbortController();
      setTimeout(() => {
        const error = new Error('The operation was aborted due to timeout');
        error.name = 'TimeoutError';
        controller.abort(error);
      }, ms);
      return controller.signal;
    }
  }
  class AbortController {
    signal = new AbortSignal();
    abort(reason) {
      const error = reason ?? new Error('This operation was aborted');
      if (reason === undefined) error.name = 'AbortError';
      this.signal._abort(error);
    }
  }
  function requestBody(body, headers) {
    if (body === undefined || body === null) return undefined;
    const { Buffer, URLSearchParams } = std();
    if (typeof body === 'string') {
      if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
      return Buffer.from(body).toString('base64');
    }
    if (body instanceof URLSearchParams) {
      if (!headers.has('content-type'))
        headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
      return Buffer.from(body.toString()).toString('base64');
    }
    return Buffer.from(bytesOf(body)).toString('base64');
  }
  async function fetch(input, init = {}) {
    const url =
      input !== null && typeof input === 'object' ? (typeof input.href === 'string' ? input.href : input.url) : input;
    const headers = new Headers(
      init.headers ?? (typeof input === 'object' && input !== null ? input.headers : {}),
    );
    const method = String(init.method ?? 'GET').toUpperCase();
    const body = requestBody(init.body, headers);
    const signal = init.signal;
    if (signal?.aborted) throw signal.reason;
    const request = stringify({
      url: String(url),
      method,
      headers: [...headers.entries()],
      body,
      redirect: init.redirect ?? 'follow',
    });
    const started = startOp('fetch', request);
    const opId = nextOp - 1;
    if (signal !== undefined) {
      signal.addEventListener('abort', () => {
        host.startAsync('abort', opId, '');
        // As Node's fetch: reject with the signal's reason (AbortError, TimeoutError or the caller's own).
        const op = pending.get(opId);
        if (op === undefined) return;
        pending.delete(opId);
        op.reject(signal.reason);
      });
    }
    const response = parse(await started);
    return new Response(std().Buffer.from(response.body, 'base64'), response);
  }

  // ---- the globals tenants see (plain values: no host object, Reference or ExternalCopy among them)
  const globals = {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval: clearTimeout,
    setImmediate,
    clearImmediate: clearTimeout,
    queueMicrotask,
    fetch,
    Headers,
    Response,
    AbortController,
    AbortSignal,
    crypto: webCrypto,
    require,
    global,
  };
  for (const name of Object.keys(globals)) {
    defineProperty(global, name, {
      value: globals[name],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  // Stdlib globals: an accessor that builds the stdlib on first read, then becomes a plain data
  // property (so reading, assigning and deleting behave as for any global).
  for (const name of ['URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'structuredClone', 'Buffer']) {
    const settle = (value) => defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
    defineProperty(global, name, {
      get() {
        const value = std()[name];
        settle(value);
        return value;
      },
      set(value) {
        settle(value);
      },
      configurable: true,
      enumerable: false,
    });
  }

  // ---- the entry point: `run` loads the action's module and calls its handler; `settle` ends host operations
  // The records below have no prototype: tenant code may have defined `Object.prototype.toJSON`, which
  // would otherwise rewrite what the host is told (a thrown error could even read as `{"ok":true}`).
  function describe(error) {
    try {
      if (error instanceof Error || (error !== null && typeof error === 'object' && 'message' in error)) {
        return stringify({
          __proto__: null,
          ok: false,
          name: String(error.name),
          message: String(error.message),
          stack: String(error.stack ?? ''),
        });
      }
      return stringify({ __proto__: null, ok: false, name: 'Error', message: String(error), stack: '' });
    } catch {
      return stringify({
        __proto__: null,
        ok: false,
        name: 'Error',
        message: 'the action threw a value that cannot be printed',
        stack: '',
      });
    }
  }
  function run(moduleFn, handler, eventJson, contextJson) {
    const context = parse(contextJson);
    const module = { exports: {} };
    try {
      moduleFn.call(module.exports, module.exports, require, module, '/action.js', '/');
    } catch (error) {
      return PromiseCtor.resolve(describe(error));
    }
    const exported = module.exports;
    const fn = exported === null || exported === undefined ? undefined : exported[handler];
    if (typeof fn !== 'function') {
      return PromiseCtor.resolve(
        stringify({
          __proto__: null,
          ok: false,
          name: 'MissingHandler',
          message: `the action does not export ${handler}`,
          stack: '',
        }),
      );
    }
    const event = parse(eventJson);
    const api = buildApi(event, context);
    // Chained with the `then` captured above: a handler that replaces Promise.prototype.then must not
    // make its own settlement unobservable (resolving with its promise would call the replacement).
    return new PromiseCtor((resolve) => {
      const ok = () => resolve('{"ok":true}');
      const failed = (error) => resolve(describe(error));
      let value;
      try {
        value = fn(event, api);
      } catch (error) {
        failed(error);
        return;
      }
      apply(promiseThen, value instanceof PromiseCtor ? value : PromiseCtor.resolve(value), [ok, failed]);
    });
  }
  /** Evaluates a module's top level only (deploy-time check): which handlers does it export? */
  function inspectModule(moduleFn) {
    const module = { exports: {} };
    try {
      moduleFn.call(module.exports, module.exports, require, module, '/action.js', '/');
    } catch (error) {
      return describe(error);
    }
    const exported = module.exports ?? {};
    return stringify({
      ok: true,
      onExecutePostLogin: typeof exported.onExecutePostLogin === 'function',
      onContinuePostLogin: typeof exported.onContinuePostLogin === 'function',
    });
  }
  return function entry(op, a, b, c, d) {
    if (op === 'run') return run(a, b, c, d);
    if (op === 'settle') return settle(a, b, c);
    if (op === 'inspect') return inspectModule(a);
    return undefined;
  };
})
