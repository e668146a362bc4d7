// biome-ignore-all format: the runtime evaluates this file as `(<file>)(host)`, and the formatter would end it with a `;` that breaks that (format it by removing this line, running biome, and deleting the final `;`)
// biome-ignore-all lint/complexity/noArguments: Web and Node APIs tell a missing argument from an undefined one (WebIDL arity, Buffer#toString()); only arguments.length can
(function tesseraStdlib(host) {
  // biome-ignore lint/suspicious/noRedundantUseStrict: this runs as a classic script in the isolate, not as a module
  'use strict';

  // The Web and Node globals that Auth0 Actions code expects, for a bare V8 isolate that has none of them.
  // Why one long file: it is evaluated as a single function expression in every fresh sandbox context
  // (there is no module loader in there), so the whole compatibility layer shares this one scope.
  // Sections in order: intrinsics · errors · byte codecs · TextEncoder/TextDecoder · atob/btoa · Buffer ·
  // URLSearchParams/URL · structuredClone · inspect/format · querystring · url · timingSafeEqual.
  // Behaviour is ported from Node.js 24 (lib/buffer.js, lib/internal/util/inspect.js, lib/querystring.js,
  // lib/url.js, lib/internal/url.js; MIT licence) and the WHATWG URL, Encoding and HTML standards; the tests
  // (packages/actions/test/stdlib) compare every function with Node's own result.
  //
  // host.urlParse(input, base) is the only way out: a synchronous callback running Node's WHATWG URL parser
  // (src/sandbox/host-url.ts). Only strings cross the boundary and the host object itself is not kept.

  // ── Intrinsics ──────────────────────────────────────────────────────────────────────────────────────────
  // Captured before any tenant code runs in this context. Tenant code may later replace prototype methods
  // (Array.prototype.push, String.prototype.slice, Map.prototype.set, …); the library keeps working, and its
  // brand checks call captured getters, so a forged Symbol.toStringTag cannot fool them.
  const call = Function.prototype.call;
  // uncurry(fn)(self, ...args) is fn.call(self, ...args), immune to later changes of Function.prototype.call.
  const uncurry = call.bind.bind(call);
  const {
    create: objectCreate,
    defineProperty,
    freeze,
    getOwnPropertyDescriptor,
    getOwnPropertyNames,
    getOwnPropertySymbols,
    getPrototypeOf,
    setPrototypeOf,
    keys: objectKeys,
    is: objectIs,
  } = Object;
  const getterOf = (proto, key) => uncurry(getOwnPropertyDescriptor(proto, key).get);
  const { apply: reflectApply, ownKeys } = Reflect;
  const hasOwn = uncurry(Object.prototype.hasOwnProperty);
  const isEnumerable = uncurry(Object.prototype.propertyIsEnumerable);
  const objectToString = uncurry(Object.prototype.toString);
  const functionToString = uncurry(Function.prototype.toString);
  const functionHasInstance = uncurry(Function.prototype[Symbol.hasInstance]);

  const StringCtor = String;
  const NumberCtor = Number;
  const { fromCharCode } = String;
  const charCodeAt = uncurry(String.prototype.charCodeAt);
  const strSlice = uncurry(String.prototype.slice);
  const strIndexOf = uncurry(String.prototype.indexOf);
  const strIncludes = uncurry(String.prototype.includes);
  const startsWith = uncurry(String.prototype.startsWith);
  const endsWith = uncurry(String.prototype.endsWith);
  const toLowerCase = uncurry(String.prototype.toLowerCase);
  const padStart = uncurry(String.prototype.padStart);
  const padEnd = uncurry(String.prototype.padEnd);
  const strRepeat = uncurry(String.prototype.repeat);
  const strTrim = uncurry(String.prototype.trim);
  const toWellFormed = uncurry(String.prototype.toWellFormed);
  const numberToString = uncurry(Number.prototype.toString);

  const arrayPush = uncurry(Array.prototype.push);
  const arrayJoin = uncurry(Array.prototype.join);
  const arraySplice = uncurry(Array.prototype.splice);
  const arrayIndexOf = uncurry(Array.prototype.indexOf);
  const arraySort = uncurry(Array.prototype.sort);
  const { isArray } = Array;
  const regexpExec = uncurry(RegExp.prototype.exec);
  const { floor, trunc, min, max, abs, sqrt, round } = Math;
  const {
    isNaN: numberIsNaN,
    isFinite: numberIsFinite,
    isInteger,
    parseInt: numberParseInt,
    parseFloat: numberParseFloat,
  } = Number;
  const jsonStringify = JSON.stringify;
  const jsonParse = JSON.parse;
  const decodeURIComponentFn = decodeURIComponent;

  const SymbolIterator = Symbol.iterator;
  const SymbolToStringTag = Symbol.toStringTag;
  const SymbolToPrimitive = Symbol.toPrimitive;
  const symbolToString = uncurry(Symbol.prototype.toString);
  const symbolValueOf = uncurry(Symbol.prototype.valueOf);
  // Node's util.inspect.custom: objects (Buffer, URL, tenant classes) may format themselves.
  const customInspectSymbol = Symbol.for('nodejs.util.inspect.custom');

  const U8 = Uint8Array;
  const U16 = Uint16Array;
  const TypedArrayPrototype = getPrototypeOf(U8.prototype);
  const typedArrayTag = getterOf(TypedArrayPrototype, SymbolToStringTag);
  const taLength = getterOf(TypedArrayPrototype, 'length');
  const taByteLength = getterOf(TypedArrayPrototype, 'byteLength');
  const taByteOffset = getterOf(TypedArrayPrototype, 'byteOffset');
  const taBuffer = getterOf(TypedArrayPrototype, 'buffer');
  const taSet = uncurry(TypedArrayPrototype.set);
  const taFill = uncurry(TypedArrayPrototype.fill);
  const taSubarray = uncurry(TypedArrayPrototype.subarray);
  const ArrayBufferCtor = ArrayBuffer;
  const abByteLength = getterOf(ArrayBuffer.prototype, 'byteLength');
  const abMaxByteLength = getterOf(ArrayBuffer.prototype, 'maxByteLength');
  const abResizable = getterOf(ArrayBuffer.prototype, 'resizable');
  const abDetached = getterOf(ArrayBuffer.prototype, 'detached');
  const abSlice = uncurry(ArrayBuffer.prototype.slice);
  const abTransfer = uncurry(ArrayBuffer.prototype.transfer);
  const sabByteLength =
    typeof SharedArrayBuffer === 'function' ? getterOf(SharedArrayBuffer.prototype, 'byteLength') : undefined;
  const DataViewCtor = DataView;
  const dvByteLength = getterOf(DataView.prototype, 'byteLength');
  const dvByteOffset = getterOf(DataView.prototype, 'byteOffset');
  const dvBuffer = getterOf(DataView.prototype, 'buffer');
  const typedArrayConstructors = objectCreate(null);
  for (const Ctor of [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
    typeof Float16Array === 'function' ? Float16Array : Float32Array,
  ]) {
    typedArrayConstructors[Ctor.name] = Ctor;
  }

  const MapCtor = Map;
  const mapGet = uncurry(Map.prototype.get);
  const mapSet = uncurry(Map.prototype.set);
  const mapSize = getterOf(Map.prototype, 'size');
  const mapEntries = uncurry(Map.prototype.entries);
  const mapIteratorNext = uncurry(getPrototypeOf(new Map().entries()).next);
  const SetCtor = Set;
  const setAdd = uncurry(Set.prototype.add);
  const setHas = uncurry(Set.prototype.has);
  const setSize = getterOf(Set.prototype, 'size');
  const setValues = uncurry(Set.prototype.values);
  const setIteratorNext = uncurry(getPrototypeOf(new Set().values()).next);
  const weakMapHas = uncurry(WeakMap.prototype.has);
  const weakSetHas = uncurry(WeakSet.prototype.has);
  const weakRefDeref = typeof WeakRef === 'function' ? uncurry(WeakRef.prototype.deref) : undefined;
  const DateCtor = Date;
  const dateGetTime = uncurry(Date.prototype.getTime);
  const dateToISOString = uncurry(Date.prototype.toISOString);
  const dateToString = uncurry(Date.prototype.toString);
  const RegExpCtor = RegExp;
  const regexpSource = getterOf(RegExp.prototype, 'source');
  const regexpFlags = getterOf(RegExp.prototype, 'flags');
  const regexpToString = uncurry(RegExp.prototype.toString);
  const numberValueOf = uncurry(Number.prototype.valueOf);
  const stringValueOf = uncurry(String.prototype.valueOf);
  const booleanValueOf = uncurry(Boolean.prototype.valueOf);
  const bigintValueOf = uncurry(BigInt.prototype.valueOf);
  const ObjectCtor = Object;
  const PromiseCtor = Promise;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const errorIsError = typeof Error.isError === 'function' ? Error.isError : undefined;
  const captureStackTrace =
    typeof Error.captureStackTrace === 'function' ? Error.captureStackTrace : undefined;
  const errorToString = uncurry(Error.prototype.toString);
  const errorConstructors = objectCreate(null);
  for (const Ctor of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
    errorConstructors[Ctor.name] = Ctor;
  }
  const IteratorPrototype = getPrototypeOf(getPrototypeOf([][SymbolIterator]()));
  const MapIteratorPrototype = getPrototypeOf(new Map().entries());
  const SetIteratorPrototype = getPrototypeOf(new Set().values());
  const AsyncFunctionPrototype = getPrototypeOf(async () => {});
  const GeneratorFunctionPrototype = getPrototypeOf(function* () {});
  const AsyncGeneratorFunctionPrototype = getPrototypeOf(async function* () {});

  // Brand checks: a captured getter or method throws for objects without the internal slot.
  function hasBrand(probe, value) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
    try {
      probe(value);
      return true;
    } catch {
      return false;
    }
  }
  const isMap = (v) => hasBrand(mapSize, v);
  const isSet = (v) => hasBrand(setSize, v);
  const isDate = (v) => hasBrand(dateGetTime, v);
  const isRegExp = (v) => v !== RegExp.prototype && hasBrand(regexpSource, v);
  const isArrayBuffer = (v) => hasBrand(abByteLength, v);
  const isSharedArrayBuffer = (v) => sabByteLength !== undefined && hasBrand(sabByteLength, v);
  const isAnyArrayBuffer = (v) => isArrayBuffer(v) || isSharedArrayBuffer(v);
  const isDataView = (v) => hasBrand(dvByteLength, v);
  const isTypedArray = (v) => typedArrayTag(v) !== undefined;
  const isUint8Array = (v) => typedArrayTag(v) === 'Uint8Array';
  const isArrayBufferView = (v) => isTypedArray(v) || isDataView(v);
  const isWeakMap = (v) => hasBrand((x) => weakMapHas(x, ObjectCtor), v);
  const isWeakSet = (v) => hasBrand((x) => weakSetHas(x, ObjectCtor), v);
  const isWeakRef = (v) => weakRefDeref !== undefined && hasBrand(weakRefDeref, v);
  const isNumberObject = (v) => hasBrand(numberValueOf, v);
  const isStringObject = (v) => hasBrand(stringValueOf, v);
  const isBooleanObject = (v) => hasBrand(booleanValueOf, v);
  const isBigIntObject = (v) => hasBrand(bigintValueOf, v);
  const isSymbolObject = (v) => hasBrand(symbolValueOf, v);
  const isBoxedPrimitive = (v) =>
    isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isBigIntObject(v) || isSymbolObject(v);
  const isInstanceof = (value, Ctor) => {
    try {
      return value instanceof Ctor;
    } catch {
      return false;
    }
  };
  const isError = (v) => errorIsError?.(v) || isInstanceof(v, ErrorCtor);
  const isPromise = (v) => isInstanceof(v, PromiseCtor);

  // Bytes viewed by any ArrayBuffer, SharedArrayBuffer, typed array or DataView, without copying.
  function bytesOf(value) {
    if (isTypedArray(value)) return new U8(taBuffer(value), taByteOffset(value), taByteLength(value));
    if (isDataView(value)) return new U8(dvBuffer(value), dvByteOffset(value), dvByteLength(value));
    return new U8(value);
  }

  // WebIDL USVString conversion: ToString, then lone surrogates become U+FFFD.
  const toUSVString = (value) => toWellFormed(`${value}`);

  // ── Errors ──────────────────────────────────────────────────────────────────────────────────────────────
  // Node's errors: the built-in class, Node's message, and `code` as an own enumerable property, so tenant
  // code that checks `err.code === 'ERR_INVALID_ARG_TYPE'` behaves as it does on Node.
  function nodeError(Ctor, code, message) {
    const err = new Ctor(message);
    err.code = code;
    return err;
  }

  // internal/errors.js determineSpecificType: the "Received …" tail of Node's argument errors.
  function describeReceived(value) {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    switch (typeof value) {
      case 'bigint':
        return `type bigint (${value}n)`;
      case 'number':
        if (value === 0) return 1 / value === -Infinity ? 'type number (-0)' : 'type number (0)';
        return `type number (${value})`;
      case 'boolean':
        return `type boolean (${value})`;
      case 'symbol':
        return `type symbol (${symbolToString(value)})`;
      case 'function':
        return `function ${value.name}`;
      case 'object':
        try {
          if (value.constructor && 'name' in value.constructor)
            return `an instance of ${value.constructor.name}`;
        } catch {}
        return inspect(value, { depth: -1 });
      default: {
        let s = value;
        if (s.length > 28) s = `${strSlice(s, 0, 25)}...`;
        return strIndexOf(s, "'") === -1 ? `type string ('${s}')` : `type string (${jsonStringify(s)})`;
      }
    }
  }

  const invalidArgType = (name, expected, value) =>
    nodeError(
      TypeErrorCtor,
      'ERR_INVALID_ARG_TYPE',
      `The ${endsWith(name, ' argument') ? name : `"${name}" argument`} must be ${expected}. Received ${describeReceived(value)}`,
    );

  const missingArgs = (...names) =>
    nodeError(
      TypeErrorCtor,
      'ERR_MISSING_ARGS',
      names.length === 1
        ? `The "${names[0]}" argument must be specified`
        : `The "${names[0]}" and "${names[1]}" arguments must be specified`,
    );

  function addNumericalSeparator(digits) {
    let result = '';
    let i = digits.length;
    const start = digits[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) result = `_${strSlice(digits, i - 3, i)}${result}`;
    return `${strSlice(digits, 0, i)}${result}`;
  }

  function outOfRange(name, range, value) {
    let received;
    if (isInteger(value) && abs(value) > 2 ** 32) received = addNumericalSeparator(StringCtor(value));
    else if (typeof value === 'bigint') {
      received = StringCtor(value);
      if (value > 2n ** 32n || value < -(2n ** 32n)) received = addNumericalSeparator(received);
      received += 'n';
    } else received = inspect(value);
    return nodeError(
      RangeErrorCtor,
      'ERR_OUT_OF_RANGE',
      `The value of "${name}" is out of range. It must be ${range}. Received ${received}`,
    );
  }

  const unknownEncoding = (encoding) =>
    nodeError(TypeErrorCtor, 'ERR_UNKNOWN_ENCODING', `Unknown encoding: ${encoding}`);

  const bufferOutOfBounds = (name) =>
    nodeError(
      RangeErrorCtor,
      'ERR_BUFFER_OUT_OF_BOUNDS',
      name ? `"${name}" is outside of buffer bounds` : 'Attempt to access memory outside buffer bounds',
    );

  function validateNumber(value, name, lower, upper) {
    if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
    if (
      (lower !== undefined && value < lower) ||
      (upper !== undefined && value > upper) ||
      ((lower !== undefined || upper !== undefined) && numberIsNaN(value))
    ) {
      const range =
        lower !== undefined && upper !== undefined
          ? `>= ${lower} && <= ${upper}`
          : lower !== undefined
            ? `>= ${lower}`
            : `<= ${upper}`;
      throw outOfRange(name, range, value);
    }
  }

  // validators.js validateInteger (Buffer's validateOffset).
  function validateInteger(value, name, lower = -(2 ** 53 - 1), upper = 2 ** 53 - 1) {
    if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
    if (!isInteger(value)) throw outOfRange(name, 'an integer', value);
    if (value < lower || value > upper) throw outOfRange(name, `>= ${lower} && <= ${upper}`, value);
  }

  // The DOMException the Web APIs throw (atob, btoa, structuredClone). An Error subclass, as in Node, so
  // `err instanceof Error` holds and `err.name` is the WebIDL exception name.
  const DOM_EXCEPTION_CODES = { __proto__: null, InvalidCharacterError: 5, DataCloneError: 25 };
  class DOMException extends ErrorCtor {
    constructor(message = '', name = 'Error') {
      super(message);
      defineProperty(this, 'name', { value: `${name}`, writable: true, configurable: true });
      defineProperty(this, 'code', {
        value: DOM_EXCEPTION_CODES[name] ?? 0,
        writable: true,
        configurable: true,
      });
      // Re-capture so the stack's first line carries the exception name, not "Error".
      if (captureStackTrace !== undefined) captureStackTrace(this, new.target);
    }
  }

  // ── Byte codecs ─────────────────────────────────────────────────────────────────────────────────────────
  const CHUNK = 0x2000; // code units per String.fromCharCode call: apply() with more would risk the stack

  // String from code units held in a Uint8Array or Uint16Array.
  function unitsToString(units, start, end) {
    let s = '';
    for (let i = start; i < end; i += CHUNK) {
      s += reflectApply(fromCharCode, null, taSubarray(units, i, min(i + CHUNK, end)));
    }
    return s;
  }

  // Bytes a UTF-8 encoding of s takes; a lone surrogate counts as U+FFFD (3 bytes).
  function utf8Length(s) {
    const len = s.length;
    let n = 0;
    for (let i = 0; i < len; i++) {
      const c = charCodeAt(s, i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len && (charCodeAt(s, i + 1) & 0xfc00) === 0xdc00) {
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  }

  let utf8Read = 0; // code units consumed by the last utf8Write (TextEncoder#encodeInto's `read`)
  // Writes whole characters of s into bytes[at, limit) and returns the end offset. Lone surrogates become
  // U+FFFD, as with TextEncoder and Buffer.from; a character that does not fit is not started.
  function utf8Write(s, bytes, at, limit) {
    const len = s.length;
    let p = at;
    let i = 0;
    for (; i < len; i++) {
      let c = charCodeAt(s, i);
      if (c < 0x80) {
        if (p >= limit) break;
        bytes[p++] = c;
        continue;
      }
      if (c < 0x800) {
        if (p + 2 > limit) break;
        bytes[p++] = 0xc0 | (c >> 6);
        bytes[p++] = 0x80 | (c & 0x3f);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < len ? charCodeAt(s, i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          if (p + 4 > limit) break;
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          bytes[p++] = 0xf0 | (cp >> 18);
          bytes[p++] = 0x80 | ((cp >> 12) & 0x3f);
          bytes[p++] = 0x80 | ((cp >> 6) & 0x3f);
          bytes[p++] = 0x80 | (cp & 0x3f);
          i++;
          continue;
        }
        c = 0xfffd;
      }
      if (p + 3 > limit) break;
      bytes[p++] = 0xe0 | (c >> 12);
      bytes[p++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[p++] = 0x80 | (c & 0x3f);
    }
    utf8Read = i;
    return p;
  }

  function utf8Encode(s) {
    const bytes = new U8(utf8Length(s));
    utf8Write(s, bytes, 0, bytes.length);
    return bytes;
  }

  let utf8Tail = 0; // bytes of an unfinished sequence left at the end by the last streaming utf8Decode
  // WHATWG Encoding §8.1.1 UTF-8 decoder. Invalid input becomes U+FFFD per maximal subpart, exactly as V8
  // (hence Buffer#toString) and TextDecoder do. With `fatal`, returns null at the first error. With
  // `stream`, an unfinished sequence at the end is not decoded; utf8Tail says how many bytes it has.
  function utf8Decode(bytes, start, end, fatal, stream) {
    const units = new U16(end - start);
    let n = 0;
    let cp = 0;
    let needed = 0;
    let seen = 0;
    let lower = 0x80;
    let upper = 0xbf;
    let sequenceStart = start;
    utf8Tail = 0;
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (needed === 0) {
        if (b < 0x80) {
          units[n++] = b;
          continue;
        }
        sequenceStart = i;
        if (b >= 0xc2 && b <= 0xdf) {
          needed = 1;
          cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0;
          else if (b === 0xed) upper = 0x9f;
          needed = 2;
          cp = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90;
          else if (b === 0xf4) upper = 0x8f;
          needed = 3;
          cp = b & 0x7;
        } else {
          if (fatal) return null;
          units[n++] = 0xfffd;
        }
        continue;
      }
      if (b < lower || b > upper) {
        cp = needed = seen = 0;
        lower = 0x80;
        upper = 0xbf;
        if (fatal) return null;
        units[n++] = 0xfffd;
        i--; // the byte starts the next sequence
        continue;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen === needed) {
        if (cp > 0xffff) {
          cp -= 0x10000;
          units[n++] = 0xd800 | (cp >> 10);
          units[n++] = 0xdc00 | (cp & 0x3ff);
        } else units[n++] = cp;
        cp = needed = seen = 0;
      }
    }
    if (needed !== 0) {
      if (stream) utf8Tail = end - sequenceStart;
      else {
        if (fatal) return null;
        units[n++] = 0xfffd;
      }
    }
    return unitsToString(units, 0, n);
  }

  function latin1Slice(bytes, start, end) {
    return unitsToString(bytes, start, end);
  }

  function asciiSlice(bytes, start, end) {
    const units = new U8(end - start);
    for (let i = start; i < end; i++) units[i - start] = bytes[i] & 0x7f;
    return unitsToString(units, 0, units.length);
  }

  // UTF-16LE code units; a trailing odd byte is ignored (Node's ucs2Slice).
  function ucs2Slice(bytes, start, end) {
    const count = (end - start) >>> 1;
    const units = new U16(count);
    for (let i = 0; i < count; i++) units[i] = bytes[start + 2 * i] | (bytes[start + 2 * i + 1] << 8);
    return unitsToString(units, 0, count);
  }

  const HEX_DIGITS = '0123456789abcdef';
  const HEX_VALUE = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) {
    HEX_VALUE[charCodeAt(HEX_DIGITS, i)] = i;
    HEX_VALUE[charCodeAt('0123456789ABCDEF', i)] = i;
  }

  function hexSlice(bytes, start, end) {
    const units = new U8((end - start) * 2);
    for (let i = start, p = 0; i < end; i++) {
      units[p++] = charCodeAt(HEX_DIGITS, bytes[i] >> 4);
      units[p++] = charCodeAt(HEX_DIGITS, bytes[i] & 15);
    }
    return unitsToString(units, 0, units.length);
  }

  // Node's hex decoder: pairs of digits until the first invalid pair; a code unit above 0xFF counts as its
  // low byte (src/string_bytes.cc casts to uint8_t), so the output matches Node byte for byte.
  function hexWrite(bytes, s, at, limit) {
    let i = 0;
    for (; at + i < limit && i * 2 + 1 < s.length; i++) {
      const hi = HEX_VALUE[charCodeAt(s, i * 2) & 0xff];
      const lo = HEX_VALUE[charCodeAt(s, i * 2 + 1) & 0xff];
      if (hi < 0 || lo < 0) break;
      bytes[at + i] = hi * 16 + lo;
    }
    return i;
  }

  const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const BASE64_VALUE = new Int8Array(256).fill(-1);
  for (let i = 0; i < 64; i++) {
    BASE64_VALUE[charCodeAt(BASE64_ALPHABET, i)] = i;
    BASE64_VALUE[charCodeAt(BASE64URL_ALPHABET, i)] = i;
  }
  const BASE64_CODES = new U8(64);
  const BASE64URL_CODES = new U8(64);
  for (let i = 0; i < 64; i++) {
    BASE64_CODES[i] = charCodeAt(BASE64_ALPHABET, i);
    BASE64URL_CODES[i] = charCodeAt(BASE64URL_ALPHABET, i);
  }

  function base64Slice(bytes, start, end, url) {
    const codes = url ? BASE64URL_CODES : BASE64_CODES;
    const length = end - start;
    const units = new U8(url ? ((length * 4 + 2) / 3) | 0 : (((length + 2) / 3) | 0) * 4);
    let p = 0;
    let i = start;
    for (; i + 2 < end; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      units[p++] = codes[v >> 18];
      units[p++] = codes[(v >> 12) & 63];
      units[p++] = codes[(v >> 6) & 63];
      units[p++] = codes[v & 63];
    }
    if (i < end) {
      const v = (bytes[i] << 16) | (i + 1 < end ? bytes[i + 1] << 8 : 0);
      units[p++] = codes[v >> 18];
      units[p++] = codes[(v >> 12) & 63];
      if (i + 1 < end) units[p++] = codes[(v >> 6) & 63];
      else if (!url) units[p++] = 0x3d;
      if (!url) units[p++] = 0x3d;
    }
    return unitsToString(units, 0, p);
  }

  // lib/buffer.js base64ByteLength: the size Node allocates before decoding.
  function base64ByteLength(s, length) {
    let n = length;
    if (charCodeAt(s, n - 1) === 0x3d) n--;
    if (n > 1 && charCodeAt(s, n - 1) === 0x3d) n--;
    return (n * 3) >>> 2;
  }

  // Node's lenient base64 decoder (src/base64-inl.h), used by Buffer for 'base64' and 'base64url' alike:
  // both alphabets are accepted, other characters are skipped, the first '=' ends the input, and code units
  // above 0xFF count as their low byte. Writes into bytes[at, limit) and returns the count written.
  function base64Write(bytes, s, at, limit) {
    let p = at;
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < s.length && p < limit; i++) {
      const c = charCodeAt(s, i) & 0xff;
      const v = BASE64_VALUE[c];
      if (v < 0) {
        if (c === 0x3d) break;
        continue;
      }
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes[p++] = (acc >> bits) & 0xff;
      }
    }
    return p - at;
  }

  function latin1Write(bytes, s, at, limit) {
    const n = min(s.length, limit - at);
    for (let i = 0; i < n; i++) bytes[at + i] = charCodeAt(s, i);
    return n;
  }

  function ucs2Write(bytes, s, at, limit) {
    const n = min(s.length, (limit - at) >>> 1);
    for (let i = 0; i < n; i++) {
      const c = charCodeAt(s, i);
      bytes[at + 2 * i] = c & 0xff;
      bytes[at + 2 * i + 1] = c >> 8;
    }
    return n * 2;
  }

  // WebIDL: interface objects report their name through Symbol.toStringTag on the prototype.
  function setToStringTag(Class, tag) {
    defineProperty(Class.prototype, SymbolToStringTag, { value: tag, configurable: true });
  }

  // ── TextEncoder / TextDecoder (WHATWG Encoding) ─────────────────────────────────────────────────────────
  class TextEncoder {
    get encoding() {
      return 'utf-8';
    }

    encode(input = '') {
      return utf8Encode(`${input}`);
    }

    encodeInto(src, dest) {
      if (typeof src !== 'string') throw invalidArgType('src', 'of type string', src);
      if (!isUint8Array(dest)) throw invalidArgType('dest', 'an instance of Uint8Array', dest);
      const written = utf8Write(src, dest, 0, taLength(dest));
      return { read: utf8Read, written };
    }
  }
  setToStringTag(TextEncoder, 'TextEncoder');

  // Labels per the Encoding standard's table; as in Node, "latin1" and "ascii" name windows-1252.
  const ENCODING_LABELS = objectCreate(null);
  for (const label of [
    'unicode-1-1-utf-8',
    'unicode11utf8',
    'unicode20utf8',
    'utf-8',
    'utf8',
    'x-unicode20utf8',
  ]) {
    ENCODING_LABELS[label] = 'utf-8';
  }
  for (const label of [
    'csunicode',
    'iso-10646-ucs-2',
    'ucs-2',
    'unicode',
    'unicodefeff',
    'utf-16',
    'utf-16le',
  ]) {
    ENCODING_LABELS[label] = 'utf-16le';
  }
  for (const label of [
    'ansi_x3.4-1968',
    'ascii',
    'cp1252',
    'cp819',
    'csisolatin1',
    'ibm819',
    'iso-8859-1',
    'iso-ir-100',
    'iso8859-1',
    'iso88591',
    'iso_8859-1',
    'iso_8859-1:1987',
    'l1',
    'latin1',
    'us-ascii',
    'windows-1252',
    'x-cp1252',
  ]) {
    ENCODING_LABELS[label] = 'windows-1252';
  }
  // windows-1252 bytes 0x80–0x9F (the rest of the code page is Latin-1).
  const WINDOWS_1252_HIGH = [
    0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
    0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
    0x153, 0x9d, 0x17e, 0x178,
  ];

  function isAsciiWhitespace(c) {
    return c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;
  }

  function trimAsciiWhitespace(s) {
    let start = 0;
    let end = s.length;
    while (start < end && isAsciiWhitespace(charCodeAt(s, start))) start++;
    while (end > start && isAsciiWhitespace(charCodeAt(s, end - 1))) end--;
    return strSlice(s, start, end);
  }

  const invalidEncodedData = (encoding) =>
    nodeError(
      TypeErrorCtor,
      'ERR_ENCODING_INVALID_ENCODED_DATA',
      `The encoded data was not valid for encoding ${encoding}`,
    );

  function concatBytes(a, b) {
    const out = new U8(a.length + b.length);
    taSet(out, a, 0);
    taSet(out, b, a.length);
    return out;
  }

  class TextDecoder {
    #encoding;
    #fatal;
    #ignoreBOM;
    #pending = null; // bytes of an unfinished character carried between streaming calls
    #bomSeen = false;
    #streaming = false;

    constructor(label = 'utf-8', options = undefined) {
      const name = `${label}`;
      const encoding = ENCODING_LABELS[toLowerCase(trimAsciiWhitespace(name))];
      if (encoding === undefined) {
        throw nodeError(
          RangeErrorCtor,
          'ERR_ENCODING_NOT_SUPPORTED',
          `The "${name}" encoding is not supported`,
        );
      }
      this.#encoding = encoding;
      this.#fatal = Boolean(options?.fatal);
      this.#ignoreBOM = Boolean(options?.ignoreBOM);
    }

    get encoding() {
      return this.#encoding;
    }

    get fatal() {
      return this.#fatal;
    }

    get ignoreBOM() {
      return this.#ignoreBOM;
    }

    decode(input = undefined, options = undefined) {
      let bytes;
      if (input === undefined) bytes = new U8(0);
      else if (isAnyArrayBuffer(input) || isArrayBufferView(input)) bytes = bytesOf(input);
      else {
        throw nodeError(
          TypeErrorCtor,
          'ERR_INVALID_ARG_TYPE',
          'The "list" argument must be an instance of SharedArrayBuffer, ArrayBuffer or ArrayBufferView.',
        );
      }
      const stream = Boolean(options?.stream);
      if (this.#encoding === 'windows-1252') return decodeWindows1252(bytes);
      // Encoding §7.2 decode(): a call after a non-streaming one starts a fresh decoder.
      if (!this.#streaming) {
        this.#pending = null;
        this.#bomSeen = false;
      }
      this.#streaming = stream;
      if (this.#pending !== null) {
        bytes = concatBytes(this.#pending, bytes);
        this.#pending = null;
      }
      let text;
      let tail = 0;
      if (this.#encoding === 'utf-8') {
        text = utf8Decode(bytes, 0, bytes.length, this.#fatal, stream);
        tail = utf8Tail;
      } else {
        tail = stream ? utf16Tail(bytes) : 0;
        text = utf16Decode(bytes, bytes.length - tail, this.#fatal);
      }
      if (text === null) {
        this.#streaming = false;
        throw invalidEncodedData(this.#encoding);
      }
      if (tail > 0) this.#pending = new U8(taSubarray(bytes, bytes.length - tail, bytes.length));
      if (!this.#bomSeen && text.length > 0) {
        this.#bomSeen = true;
        if (!this.#ignoreBOM && charCodeAt(text, 0) === 0xfeff) text = strSlice(text, 1);
      }
      return text;
    }
  }
  setToStringTag(TextDecoder, 'TextDecoder');

  function decodeWindows1252(bytes) {
    const units = new U16(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      units[i] = b >= 0x80 && b <= 0x9f ? WINDOWS_1252_HIGH[b - 0x80] : b;
    }
    return unitsToString(units, 0, units.length);
  }

  // Bytes to hold back at the end of a UTF-16LE stream chunk: an odd byte, or a high surrogate waiting for
  // its pair.
  function utf16Tail(bytes) {
    let tail = bytes.length & 1;
    const last = bytes.length - tail - 2;
    if (last >= 0) {
      const unit = bytes[last] | (bytes[last + 1] << 8);
      if (unit >= 0xd800 && unit <= 0xdbff) tail += 2;
    }
    return tail;
  }

  // UTF-16LE per Encoding §14.2: lone surrogates and an odd trailing byte become U+FFFD (null when fatal).
  function utf16Decode(bytes, end, fatal) {
    const count = end >>> 1;
    const units = new U16(count + 1);
    let n = 0;
    for (let i = 0; i < count; i++) {
      const unit = bytes[2 * i] | (bytes[2 * i + 1] << 8);
      if (unit >= 0xd800 && unit <= 0xdfff) {
        const next = i + 1 < count ? bytes[2 * i + 2] | (bytes[2 * i + 3] << 8) : 0;
        if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          units[n++] = unit;
          units[n++] = next;
          i++;
          continue;
        }
        if (fatal) return null;
        units[n++] = 0xfffd;
        continue;
      }
      units[n++] = unit;
    }
    if (end & 1) {
      if (fatal) return null;
      units[n++] = 0xfffd;
    }
    return unitsToString(units, 0, n);
  }

  // ── atob / btoa (HTML §8.3, forgiving-base64) ───────────────────────────────────────────────────────────
  function btoa(data) {
    if (arguments.length === 0) throw missingArgs('input');
    const s = `${data}`;
    const bytes = new U8(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = charCodeAt(s, i);
      if (c > 0xff) throw new DOMException('Invalid character', 'InvalidCharacterError');
      bytes[i] = c;
    }
    return base64Slice(bytes, 0, bytes.length, false);
  }

  // Forgiving-base64 decode with Node's two messages: "Invalid character" for a character outside the
  // alphabet or misplaced padding, "not correctly encoded" when the data length leaves a single character.
  function atob(data) {
    if (arguments.length === 0) throw missingArgs('input');
    const s = `${data}`;
    const codes = new U8(s.length);
    let n = 0;
    let padding = 0;
    for (let i = 0; i < s.length; i++) {
      const c = charCodeAt(s, i);
      if (isAsciiWhitespace(c)) continue;
      if (c === 0x3d) {
        padding++;
        continue;
      }
      if (padding > 0 || c > 0x7f || BASE64_VALUE[c] < 0 || c === 0x2d || c === 0x5f) {
        throw new DOMException('Invalid character', 'InvalidCharacterError');
      }
      codes[n++] = c;
    }
    if (padding > 2) throw new DOMException('Invalid character', 'InvalidCharacterError');
    if (n % 4 === 1) {
      throw new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
    }
    if (padding > 0 && (n + padding) % 4 !== 0) {
      throw new DOMException('Invalid character', 'InvalidCharacterError');
    }
    const out = new U8((n * 3) >>> 2);
    const written = base64Write(out, unitsToString(codes, 0, n), 0, out.length);
    return latin1Slice(out, 0, written);
  }

  // ── Buffer (Node's lib/buffer.js, the commonly used subset) ─────────────────────────────────────────────
  // Node's design: Buffer is a plain function (callable with or without `new`) whose prototype is that of
  // FastBuffer, a Uint8Array subclass; every Buffer is a FastBuffer, and `instanceof Buffer` holds for them.
  class FastBuffer extends U8 {}

  // Per encoding: byteLength(string), write(bytes, string, at, limit) → bytes written, slice(bytes, start,
  // end) → string, and how indexOf searches (`ucs2` searches 16-bit units, as Node does).
  const ENCODING_OPS = {
    utf8: {
      name: 'utf8',
      byteLength: utf8Length,
      write: (b, s, at, limit) => utf8Write(s, b, at, limit) - at,
    },
    ucs2: {
      name: 'utf16le',
      byteLength: (s) => s.length * 2,
      write: ucs2Write,
      slice: ucs2Slice,
      ucs2: true,
    },
    latin1: { name: 'latin1', byteLength: (s) => s.length, write: latin1Write, slice: latin1Slice },
    ascii: { name: 'ascii', byteLength: (s) => s.length, write: latin1Write, slice: asciiSlice },
    base64: {
      name: 'base64',
      byteLength: (s) => base64ByteLength(s, s.length),
      write: base64Write,
      slice: (b, start, end) => base64Slice(b, start, end, false),
    },
    base64url: {
      name: 'base64url',
      byteLength: (s) => base64ByteLength(s, s.length),
      write: base64Write,
      slice: (b, start, end) => base64Slice(b, start, end, true),
    },
    hex: { name: 'hex', byteLength: (s) => s.length >>> 1, write: hexWrite, slice: hexSlice },
  };
  ENCODING_OPS.utf8.slice = (b, start, end) => utf8Decode(b, start, end, false, false);
  const ENCODING_NAMES = {
    __proto__: null,
    utf8: ENCODING_OPS.utf8,
    'utf-8': ENCODING_OPS.utf8,
    ucs2: ENCODING_OPS.ucs2,
    'ucs-2': ENCODING_OPS.ucs2,
    utf16le: ENCODING_OPS.ucs2,
    'utf-16le': ENCODING_OPS.ucs2,
    latin1: ENCODING_OPS.latin1,
    binary: ENCODING_OPS.latin1,
    ascii: ENCODING_OPS.ascii,
    base64: ENCODING_OPS.base64,
    base64url: ENCODING_OPS.base64url,
    hex: ENCODING_OPS.hex,
  };

  // lib/buffer.js getEncodingOps: case-insensitive, anything else (null too) is unknown.
  function getEncodingOps(encoding) {
    return ENCODING_NAMES[toLowerCase(`${encoding}`)];
  }

  // internal/util normalizeEncoding: like getEncodingOps, but a missing encoding means utf8.
  function normalizeEncodingOps(encoding) {
    if (encoding == null || encoding === '') return ENCODING_OPS.utf8;
    return getEncodingOps(encoding);
  }

  function Buffer(arg, encodingOrOffset, length) {
    if (typeof arg === 'number') {
      if (typeof encodingOrOffset === 'string') throw invalidArgType('string', 'of type string', arg);
      return bufferAlloc(arg);
    }
    return bufferFrom(arg, encodingOrOffset, length);
  }
  FastBuffer.prototype.constructor = Buffer;
  Buffer.prototype = FastBuffer.prototype;
  setPrototypeOf(Buffer, U8);
  defineProperty(Buffer, Symbol.species, { get: () => FastBuffer, configurable: true });
  const BufferPrototype = Buffer.prototype;

  function fromString(string, encoding) {
    let ops = ENCODING_OPS.utf8;
    if (encoding && encoding !== 'utf8' && typeof encoding === 'string') {
      ops = getEncodingOps(encoding);
      if (ops === undefined) throw unknownEncoding(encoding);
    }
    if (string.length === 0) return new FastBuffer();
    const length = ops.byteLength(string);
    const buf = new FastBuffer(length);
    const actual = ops.write(buf, string, 0, length);
    return actual < length ? new FastBuffer(taBuffer(buf), 0, actual) : buf;
  }

  function fromArrayBuffer(arrayBuffer, byteOffset, length) {
    let offset = 0;
    if (byteOffset !== undefined) {
      offset = +byteOffset;
      if (numberIsNaN(offset)) offset = 0;
    }
    const maxLength = (isArrayBuffer(arrayBuffer) ? abByteLength : sabByteLength)(arrayBuffer) - offset;
    if (maxLength < 0) throw bufferOutOfBounds('offset');
    let size = length;
    if (size !== undefined) {
      size = +size;
      if (size > 0) {
        if (size > maxLength) throw bufferOutOfBounds('length');
      } else size = 0;
    }
    return new FastBuffer(arrayBuffer, offset, size);
  }

  function fromArrayLike(source) {
    const length = trunc(source.length);
    if (!(length > 0)) return new FastBuffer();
    const buf = new FastBuffer(length);
    taSet(buf, source, 0);
    return buf;
  }

  function bufferFrom(value, encodingOrOffset, length) {
    if (typeof value === 'string') return fromString(value, encodingOrOffset);
    if (typeof value === 'object' && value !== null) {
      if (isAnyArrayBuffer(value)) return fromArrayBuffer(value, encodingOrOffset, length);
      const primitiveValue = value.valueOf?.();
      if (
        primitiveValue != null &&
        primitiveValue !== value &&
        (typeof primitiveValue === 'string' || typeof primitiveValue === 'object')
      ) {
        return bufferFrom(primitiveValue, encodingOrOffset, length);
      }
      if (value.length !== undefined || isAnyArrayBuffer(value.buffer)) {
        return typeof value.length === 'number' ? fromArrayLike(value) : new FastBuffer();
      }
      if (value.type === 'Buffer' && isArray(value.data)) return fromArrayLike(value.data);
      if (typeof value[SymbolToPrimitive] === 'function') {
        const primitive = value[SymbolToPrimitive]('string');
        if (typeof primitive === 'string') return fromString(primitive, encodingOrOffset);
      }
    }
    throw invalidArgType(
      'first argument',
      'of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object',
      value,
    );
  }

  const MAX_LENGTH = 2 ** 53 - 1;

  function bufferAlloc(size, fill, encoding) {
    validateNumber(size, 'size', 0, MAX_LENGTH);
    const buf = new FastBuffer(size);
    if (fill !== undefined && fill !== 0 && size > 0) return fillBuffer(buf, fill, 0, buf.length, encoding);
    return buf;
  }

  function bufferAllocUnsafe(size) {
    validateNumber(size, 'size', 0, MAX_LENGTH);
    // Zero-filled: V8 gives no uninitialised memory, and old contents must never leak between requests.
    return new FastBuffer(size);
  }

  function compareBytes(a, b) {
    const len = min(a.length, b.length);
    for (let i = 0; i < len; i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }

  function byteLength(string, encoding) {
    if (typeof string !== 'string') {
      if (isArrayBufferView(string)) return bytesOf(string).length;
      if (isAnyArrayBuffer(string)) return (isArrayBuffer(string) ? abByteLength : sabByteLength)(string);
      throw invalidArgType('string', 'of type string or an instance of Buffer or ArrayBuffer', string);
    }
    if (string.length === 0) return 0;
    if (!encoding || encoding === 'utf8') return utf8Length(string);
    return (getEncodingOps(encoding) ?? ENCODING_OPS.utf8).byteLength(string);
  }

  const bufferStatics = {
    from: bufferFrom,
    alloc: bufferAlloc,
    allocUnsafe: bufferAllocUnsafe,
    allocUnsafeSlow: bufferAllocUnsafe,
    of(...items) {
      const buf = new FastBuffer(items.length);
      for (let i = 0; i < items.length; i++) buf[i] = items[i];
      return buf;
    },
    isBuffer(value) {
      return isInstanceof(value, Buffer);
    },
    isEncoding(encoding) {
      return typeof encoding === 'string' && encoding.length !== 0 && getEncodingOps(encoding) !== undefined;
    },
    byteLength,
    compare(buf1, buf2) {
      if (!isUint8Array(buf1)) throw invalidArgType('buf1', 'an instance of Buffer or Uint8Array', buf1);
      if (!isUint8Array(buf2)) throw invalidArgType('buf2', 'an instance of Buffer or Uint8Array', buf2);
      return buf1 === buf2 ? 0 : compareBytes(buf1, buf2);
    },
    concat(list, length) {
      if (!isArray(list)) throw invalidArgType('list', 'an instance of Array', list);
      if (list.length === 0) return new FastBuffer();
      let total = 0;
      for (let i = 0; i < list.length; i++) {
        if (!isUint8Array(list[i])) {
          throw invalidArgType(`list[${i}]`, 'an instance of Buffer or Uint8Array', list[i]);
        }
        total += taByteLength(list[i]);
      }
      if (length !== undefined) {
        validateInteger(length, 'length', 0, MAX_LENGTH);
        total = length;
      }
      const buf = new FastBuffer(total);
      let pos = 0;
      for (let i = 0; i < list.length && pos < total; i++) {
        const item = list[i];
        const part = pos + taLength(item) > total ? taSubarray(item, 0, total - pos) : item;
        taSet(buf, part, pos);
        pos += taLength(part);
      }
      return buf;
    },
    poolSize: 64 * 1024,
  };
  for (const key of objectKeys(bufferStatics)) {
    defineProperty(Buffer, key, {
      value: bufferStatics[key],
      writable: true,
      configurable: true,
      enumerable: key === 'poolSize',
    });
  }

  // lib/buffer.js adjustOffset, for subarray/slice.
  function adjustOffset(offset, length) {
    const n = trunc(offset);
    if (n === 0 || numberIsNaN(n)) return 0;
    if (n < 0) return max(n + length, 0);
    return min(n, length);
  }

  function toInteger(n, defaultValue) {
    const v = +n;
    if (!numberIsNaN(v) && v >= -(2 ** 53 - 1) && v <= 2 ** 53 - 1) return v % 1 === 0 ? v : floor(v);
    return defaultValue;
  }

  // lib/buffer.js _fill.
  function fillBuffer(buf, value, offset, end, encoding) {
    let fillValue = value;
    let from = offset;
    let to = end;
    let enc = encoding;
    let ops;
    if (typeof fillValue === 'string') {
      if (from === undefined || typeof from === 'string') {
        enc = from;
        from = 0;
        to = buf.length;
      } else if (typeof to === 'string') {
        enc = to;
        to = buf.length;
      }
      ops = normalizeEncodingOps(enc);
      if (ops === undefined) {
        if (typeof enc !== 'string') throw invalidArgType('encoding', 'of type string', enc);
        throw unknownEncoding(enc);
      }
      if (fillValue.length === 0) fillValue = 0;
      else if (fillValue.length === 1) {
        const code = charCodeAt(fillValue, 0);
        if ((ops === ENCODING_OPS.utf8 || ops === ENCODING_OPS.ascii) && code < 128) fillValue = code;
        else if (ops === ENCODING_OPS.latin1) fillValue = code;
      }
    }
    if (from === undefined) {
      from = 0;
      to = buf.length;
    } else {
      validateInteger(from, 'offset', 0, MAX_LENGTH);
      if (to === undefined) to = buf.length;
      else validateInteger(to, 'end', 0, buf.length);
      if (from >= to) return buf;
    }
    if (typeof fillValue === 'number') {
      if (from > to || to > taByteLength(buf)) throw bufferOutOfBounds();
      taFill(buf, fillValue, from, to);
      return buf;
    }
    let pattern;
    if (typeof fillValue === 'string') pattern = fromString(fillValue, ops.name);
    else if (isArrayBufferView(fillValue)) pattern = bytesOf(fillValue);
    else {
      taFill(buf, NumberCtor(fillValue) & 255, from, to);
      return buf;
    }
    if (pattern.length === 0) {
      throw nodeError(
        TypeErrorCtor,
        'ERR_INVALID_ARG_VALUE',
        `The argument 'value' is invalid. Received ${inspect(value)}`,
      );
    }
    if (to > buf.length) throw bufferOutOfBounds();
    for (let i = from; i < to; i++) buf[i] = pattern[(i - from) % pattern.length];
    return buf;
  }

  // src/node_buffer.cc IndexOfOffset: where a search starts, or -1 when nothing can match.
  function indexOfOffset(length, offset, needleLength, forward) {
    if (offset < 0) {
      if (offset + length >= 0) return length + offset;
      return forward || needleLength === 0 ? 0 : -1;
    }
    if (offset + needleLength <= length) return offset;
    if (needleLength === 0) return length;
    return forward ? -1 : length - 1;
  }

  // Byte search (or 16-bit unit search for ucs2), with Node's offset rules and alignment quirks.
  function searchBytes(haystack, hayLength, needle, offset, forward, ucs2) {
    const needleLength = needle.length;
    const start = indexOfOffset(hayLength, offset, needleLength, forward);
    if (needleLength === 0) return start;
    if (hayLength === 0 || start <= -1) return -1;
    if ((forward && needleLength + start > hayLength) || needleLength > hayLength) return -1;
    const step = ucs2 ? 2 : 1;
    if (ucs2 && (hayLength < 2 || needleLength < 2)) return -1;
    const units = ucs2 ? needleLength >>> 1 : needleLength;
    const last = (ucs2 ? (hayLength >>> 1) - units : hayLength - units) * step;
    let p = ucs2 ? (start >>> 1) * 2 : start;
    if (!forward && p > last) p = last;
    for (; forward ? p <= last : p >= 0; p += forward ? step : -step) {
      let j = 0;
      while (j < units * step && haystack[p + j] === needle[j]) j++;
      if (j === units * step) return p;
    }
    return -1;
  }

  function bidirectionalIndexOf(buffer, value, byteOffset, end, encoding, forward) {
    let offset = byteOffset;
    let enc = encoding;
    if (typeof offset === 'string') {
      enc = offset;
      offset = undefined;
    } else if (offset > 0x7fffffff) offset = 0x7fffffff;
    else if (offset < -0x80000000) offset = -0x80000000;
    offset = +offset;
    if (numberIsNaN(offset)) offset = forward ? 0 : buffer.length;
    offset = trunc(offset); // the binding reads it as an integer
    const limit = end === undefined ? buffer.length : max(0, min(buffer.length, trunc(+end) || 0));
    if (typeof value === 'number') {
      const start = indexOfOffset(limit, offset, 1, forward);
      if (start <= -1 || limit === 0) return -1;
      const byte = (value >>> 0) & 0xff;
      for (let p = start; forward ? p < limit : p >= 0; p += forward ? 1 : -1)
        if (buffer[p] === byte) return p;
      return -1;
    }
    const ops = enc === undefined ? ENCODING_OPS.utf8 : getEncodingOps(enc);
    if (typeof value === 'string') {
      if (ops === undefined) throw unknownEncoding(enc);
      return searchBytes(buffer, limit, fromString(value, ops.name), offset, forward, ops.ucs2 === true);
    }
    if (isUint8Array(value)) return searchBytes(buffer, limit, value, offset, forward, ops?.ucs2 === true);
    throw invalidArgType(
      'value',
      'one of type number or string or an instance of Buffer or Uint8Array',
      value,
    );
  }

  // Node's trailing-arguments dance: (value, offset, encoding) or (value, offset, end, encoding).
  function searchArgs(buffer, end, encoding) {
    if (typeof end === 'string') return { limit: buffer.length, enc: end };
    return { limit: end === undefined ? buffer.length : end, enc: encoding };
  }

  function subarrayOf(buf, start, end) {
    const length = taLength(buf);
    const from = adjustOffset(start, length);
    const to = end !== undefined ? adjustOffset(end, length) : length;
    return new FastBuffer(taBuffer(buf), taByteOffset(buf) + from, to > from ? to - from : 0);
  }

  const bufferMethods = {
    toString(encoding, start, end) {
      const length = taLength(this);
      if (arguments.length === 0) return utf8Decode(this, 0, length, false, false);
      let from = start;
      let to = end;
      if (from <= 0) from = 0;
      else if (from >= length) return '';
      else from = trunc(from) || 0;
      if (to === undefined || to > length) to = length;
      else to = trunc(to) || 0;
      if (to <= from) return '';
      if (encoding === undefined) return utf8Decode(this, from, to, false, false);
      const ops = getEncodingOps(encoding);
      if (ops === undefined) throw unknownEncoding(encoding);
      return ops.slice(this, from, to);
    },
    equals(otherBuffer) {
      if (!isUint8Array(otherBuffer)) {
        throw invalidArgType('otherBuffer', 'an instance of Buffer or Uint8Array', otherBuffer);
      }
      return this === otherBuffer || compareBytes(this, otherBuffer) === 0;
    },
    compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
      if (!isUint8Array(target))
        throw invalidArgType('target', 'an instance of Buffer or Uint8Array', target);
      if (arguments.length === 1) return compareBytes(this, target);
      const tStart = targetStart === undefined ? 0 : targetStart;
      if (targetStart !== undefined) validateInteger(tStart, 'targetStart', 0, MAX_LENGTH);
      const tEnd = targetEnd === undefined ? target.length : targetEnd;
      if (targetEnd !== undefined) validateInteger(tEnd, 'targetEnd', 0, target.length);
      const sStart = sourceStart === undefined ? 0 : sourceStart;
      if (sourceStart !== undefined) validateInteger(sStart, 'sourceStart', 0, MAX_LENGTH);
      const sEnd = sourceEnd === undefined ? this.length : sourceEnd;
      if (sourceEnd !== undefined) validateInteger(sEnd, 'sourceEnd', 0, this.length);
      if (sStart >= sEnd) return tStart >= tEnd ? 0 : -1;
      if (tStart >= tEnd) return 1;
      return compareBytes(
        taSubarray(this, sStart, min(sEnd, this.length)),
        taSubarray(target, tStart, min(tEnd, target.length)),
      );
    },
    copy(target, targetStart, sourceStart, sourceEnd) {
      if (!isArrayBufferView(target))
        throw invalidArgType('target', 'an instance of Buffer or Uint8Array', target);
      const sourceLength = taByteLength(this);
      const targetBytes = bytesOf(target);
      let tStart = 0;
      if (targetStart !== undefined) {
        tStart = isInteger(targetStart) ? targetStart : toInteger(targetStart, 0);
        if (tStart < 0) throw outOfRange('targetStart', '>= 0', tStart);
      }
      let sStart = 0;
      if (sourceStart !== undefined) {
        sStart = isInteger(sourceStart) ? sourceStart : toInteger(sourceStart, 0);
        if (sStart < 0 || sStart > sourceLength) {
          throw outOfRange('sourceStart', `>= 0 && <= ${sourceLength}`, sStart);
        }
      }
      let sEnd = sourceLength;
      if (sourceEnd !== undefined) {
        sEnd = isInteger(sourceEnd) ? sourceEnd : toInteger(sourceEnd, 0);
        if (sEnd < 0) throw outOfRange('sourceEnd', '>= 0', sEnd);
      }
      if (tStart >= targetBytes.length || sStart >= sEnd) return 0;
      if (sEnd - sStart > targetBytes.length - tStart) sEnd = sStart + targetBytes.length - tStart;
      const count = min(sEnd - sStart, sourceLength - sStart);
      if (count <= 0) return 0;
      taSet(targetBytes, taSubarray(this, sStart, sStart + count), tStart);
      return count;
    },
    fill(value, offset, end, encoding) {
      return fillBuffer(this, value, offset, end, encoding);
    },
    write(string, offset, length, encoding) {
      const bufferLength = taLength(this);
      if (typeof string !== 'string') {
        throw nodeError(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', 'argument must be a string');
      }
      if (offset === undefined) return utf8Write(string, this, 0, bufferLength);
      let at = offset;
      let count = length;
      let enc = encoding;
      if (count === undefined && typeof at === 'string') {
        enc = at;
        count = bufferLength;
        at = 0;
      } else {
        validateInteger(at, 'offset', 0, bufferLength);
        const remaining = bufferLength - at;
        if (count === undefined) count = remaining;
        else if (typeof count === 'string') {
          enc = count;
          count = remaining;
        } else {
          validateInteger(count, 'length', 0, bufferLength);
          if (count > remaining) count = remaining;
        }
      }
      const ops = !enc || enc === 'utf8' ? ENCODING_OPS.utf8 : getEncodingOps(enc);
      if (ops === undefined) throw unknownEncoding(enc);
      return ops.write(this, string, at, at + count);
    },
    toJSON() {
      const length = taLength(this);
      const data = new Array(length);
      for (let i = 0; i < length; i++) data[i] = this[i];
      return { type: 'Buffer', data };
    },
    subarray(start, end) {
      return subarrayOf(this, start, end);
    },
    // Node's slice shares memory (unlike Uint8Array#slice): it is subarray.
    slice(start, end) {
      return subarrayOf(this, start, end);
    },
    indexOf(value, byteOffset, end, encoding) {
      const { limit, enc } = searchArgs(this, end, encoding);
      return bidirectionalIndexOf(this, value, byteOffset, limit, enc, true);
    },
    lastIndexOf(value, byteOffset, end, encoding) {
      const { limit, enc } = searchArgs(this, end, encoding);
      return bidirectionalIndexOf(this, value, byteOffset, limit, enc, false);
    },
    includes(value, byteOffset, end, encoding) {
      const { limit, enc } = searchArgs(this, end, encoding);
      return bidirectionalIndexOf(this, value, byteOffset, limit, enc, true) !== -1;
    },
    swap16() {
      return swapBytes(this, 2, '16-bits');
    },
    swap32() {
      return swapBytes(this, 4, '32-bits');
    },
    swap64() {
      return swapBytes(this, 8, '64-bits');
    },
    // Buffer.prototype[util.inspect.custom]: <Buffer 68 69 … 12 more bytes>
    [customInspectSymbol]() {
      const length = taLength(this);
      const shown = min(50, length);
      const hex = hexSlice(this, 0, shown);
      let str = '';
      for (let i = 0; i < hex.length; i += 2) str += (i === 0 ? '' : ' ') + strSlice(hex, i, i + 2);
      if (length > 50) str += ` ... ${length - 50} more byte${length - 50 > 1 ? 's' : ''}`;
      return `<Buffer ${str}>`;
    },
  };
  bufferMethods.toLocaleString = bufferMethods.toString;

  function swapBytes(buf, size, label) {
    const length = taLength(buf);
    if (length % size !== 0) {
      throw nodeError(
        RangeErrorCtor,
        'ERR_INVALID_BUFFER_SIZE',
        `Buffer size must be a multiple of ${label}`,
      );
    }
    for (let i = 0; i < length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) {
        const t = buf[a];
        buf[a] = buf[b];
        buf[b] = t;
      }
    }
    return buf;
  }

  // internal/buffer.js boundsError: the RangeError Node throws for a bad read/write offset.
  function boundsError(value, length, type) {
    if (floor(value) !== value) {
      if (type !== undefined) validateNumber(value, type);
      throw outOfRange(type || 'offset', 'an integer', value);
    }
    if (length < 0) throw bufferOutOfBounds();
    throw outOfRange(type || 'offset', `>= ${type ? 1 : 0} and <= ${length}`, value);
  }

  function checkBounds(buf, offset, size) {
    validateNumber(offset, 'offset');
    if (buf[offset] === undefined || buf[offset + size - 1] === undefined)
      boundsError(offset, buf.length - size);
  }

  // Unsigned or signed integer of 1–6 bytes, as Node's readUInt16LE, readIntBE, … do.
  function readInteger(buf, offset, size, littleEndian, signed) {
    checkBounds(buf, offset, size);
    let value = 0;
    for (let i = 0; i < size; i++)
      value = value * 256 + buf[littleEndian ? offset + size - 1 - i : offset + i];
    if (signed && value >= 2 ** (size * 8 - 1)) value -= 2 ** (size * 8);
    return value;
  }

  function writeInteger(buf, input, offset, size, littleEndian, minimum, maximum) {
    const value = +input;
    if (size === 1) validateNumber(offset, 'offset');
    if (value > maximum || value < minimum) {
      const range =
        size > 4
          ? minimum === 0
            ? `>= 0 and < 2 ** ${size * 8}`
            : `>= -(2 ** ${size * 8 - 1}) and < 2 ** ${size * 8 - 1}`
          : `>= ${minimum} and <= ${maximum}`;
      throw outOfRange('value', range, value);
    }
    checkBounds(buf, offset, size);
    let low = value;
    let high = floor(value * 2 ** -32);
    for (let i = 0; i < size; i++) {
      const at = littleEndian ? offset + i : offset + size - 1 - i;
      if (i < 4) {
        buf[at] = low;
        low >>>= 8;
      } else {
        buf[at] = high;
        high >>>= 8;
      }
    }
    return offset + size;
  }

  function variableWidth(byteLength) {
    if (byteLength === undefined || byteLength < 1 || byteLength > 6 || floor(byteLength) !== byteLength) {
      boundsError(byteLength, 6, 'byteLength');
    }
    return byteLength;
  }

  for (const size of [1, 2, 4]) {
    for (const littleEndian of size === 1 ? [true] : [true, false]) {
      const suffix = size === 1 ? '' : littleEndian ? 'LE' : 'BE';
      const bits = size * 8;
      bufferMethods[`readUInt${bits}${suffix}`] = function (offset = 0) {
        return readInteger(this, offset, size, littleEndian, false);
      };
      bufferMethods[`readInt${bits}${suffix}`] = function (offset = 0) {
        return readInteger(this, offset, size, littleEndian, true);
      };
      bufferMethods[`writeUInt${bits}${suffix}`] = function (value, offset = 0) {
        return writeInteger(this, value, offset, size, littleEndian, 0, 2 ** bits - 1);
      };
      bufferMethods[`writeInt${bits}${suffix}`] = function (value, offset = 0) {
        return writeInteger(this, value, offset, size, littleEndian, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1);
      };
    }
  }
  for (const littleEndian of [true, false]) {
    const suffix = littleEndian ? 'LE' : 'BE';
    bufferMethods[`readUInt${suffix}`] = function (offset, byteLength) {
      if (offset === undefined) throw invalidArgType('offset', 'of type number', offset);
      return readInteger(this, offset, variableWidth(byteLength), littleEndian, false);
    };
    bufferMethods[`readInt${suffix}`] = function (offset, byteLength) {
      if (offset === undefined) throw invalidArgType('offset', 'of type number', offset);
      return readInteger(this, offset, variableWidth(byteLength), littleEndian, true);
    };
    bufferMethods[`writeUInt${suffix}`] = function (value, offset, byteLength) {
      const size = variableWidth(byteLength);
      return writeInteger(this, value, offset, size, littleEndian, 0, 2 ** (size * 8) - 1);
    };
    bufferMethods[`writeInt${suffix}`] = function (value, offset, byteLength) {
      const size = variableWidth(byteLength);
      return writeInteger(
        this,
        value,
        offset,
        size,
        littleEndian,
        -(2 ** (size * 8 - 1)),
        2 ** (size * 8 - 1) - 1,
      );
    };
    // Floats and 64-bit integers go through a DataView over the same memory.
    const view = (buf) => new DataViewCtor(taBuffer(buf), taByteOffset(buf), taByteLength(buf));
    const dataViewAccessors = [
      ['Float', 4, DataView.prototype.getFloat32, DataView.prototype.setFloat32, NumberCtor],
      ['Double', 8, DataView.prototype.getFloat64, DataView.prototype.setFloat64, NumberCtor],
      ['BigUInt64', 8, DataView.prototype.getBigUint64, DataView.prototype.setBigUint64, null],
      ['BigInt64', 8, DataView.prototype.getBigInt64, DataView.prototype.setBigInt64, null],
    ];
    for (const { 0: name, 1: size, 2: get, 3: set, 4: coerce } of dataViewAccessors) {
      const getValue = uncurry(get);
      const setValue = uncurry(set);
      bufferMethods[`read${name}${suffix}`] = function (offset = 0) {
        checkBounds(this, offset, size);
        return getValue(view(this), offset, littleEndian);
      };
      bufferMethods[`write${name}${suffix}`] = function (value, offset = 0) {
        if (coerce === null) {
          const signed = name === 'BigInt64';
          const lowest = signed ? -(2n ** 63n) : 0n;
          const highest = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
          if (value > highest || value < lowest) {
            throw outOfRange(
              'value',
              signed ? '>= -(2n ** 63n) and < 2n ** 63n' : '>= 0n and < 2n ** 64n',
              value,
            );
          }
        }
        checkBounds(this, offset, size);
        setValue(view(this), offset, coerce === null ? value : coerce(value), littleEndian);
        return offset + size;
      };
    }
  }
  // Node's lower-case aliases: readUint8, writeUint32LE, readBigUint64LE, …
  for (const key of objectKeys(bufferMethods)) {
    if (strIncludes(key, 'UInt')) {
      const alias = `${strSlice(key, 0, strIndexOf(key, 'UInt'))}Uint${strSlice(key, strIndexOf(key, 'UInt') + 4)}`;
      bufferMethods[alias] = bufferMethods[key];
    }
  }
  for (const key of ownKeys(bufferMethods)) {
    defineProperty(BufferPrototype, key, { value: bufferMethods[key], writable: true, configurable: true });
  }

  // ── URLSearchParams (WHATWG URL §6) ─────────────────────────────────────────────────────────────────────
  // application/x-www-form-urlencoded: everything but ASCII alphanumerics and *-._ is percent-encoded,
  // and space becomes "+" (URL §5.2), byte for byte what Node's URLSearchParams produces.
  function isFormSafe(c) {
    return (
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2a ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x5f
    );
  }

  const PERCENT = [];
  for (let i = 0; i < 256; i++) PERCENT[i] = `%${'0123456789ABCDEF'[i >> 4]}${'0123456789ABCDEF'[i & 15]}`;

  // UTF-8 percent-encode s: characters for which keep(code) holds stay, the rest become %XX per byte.
  function percentEncode(s, keep, spaceAsPlus) {
    let out = '';
    let last = 0;
    for (let i = 0; i < s.length; i++) {
      const c = charCodeAt(s, i);
      if (c < 0x80 && keep(c)) continue;
      if (last < i) out += strSlice(s, last, i);
      if (c === 0x20 && spaceAsPlus) {
        out += '+';
        last = i + 1;
        continue;
      }
      const wide = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length;
      const bytes = utf8Encode(strSlice(s, i, wide ? i + 2 : i + 1));
      for (let j = 0; j < bytes.length; j++) out += PERCENT[bytes[j]];
      if (wide && bytes.length === 4) i++;
      last = i + 1;
    }
    return last === 0 ? s : out + strSlice(s, last);
  }

  // Percent-decode (URL §1.3) then UTF-8 decode without BOM, optionally reading "+" as a space.
  function percentDecode(s, plusAsSpace) {
    let plain = true;
    for (let i = 0; i < s.length && plain; i++) {
      const c = charCodeAt(s, i);
      plain = c !== 0x25 && c !== 0x2b && c < 0x80;
    }
    if (plain) return s;
    const bytes = utf8Encode(s);
    const out = new U8(bytes.length);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (
        b === 0x25 &&
        i + 2 < bytes.length &&
        HEX_VALUE[bytes[i + 1]] >= 0 &&
        HEX_VALUE[bytes[i + 2]] >= 0
      ) {
        out[n++] = HEX_VALUE[bytes[i + 1]] * 16 + HEX_VALUE[bytes[i + 2]];
        i += 2;
      } else out[n++] = b === 0x2b && plusAsSpace ? 0x20 : b;
    }
    return utf8Decode(out, 0, n, false, false);
  }

  // The flat [name, value, name, value, …] list (URL §5.1 application/x-www-form-urlencoded parser).
  function parseForm(input) {
    const list = [];
    let start = 0;
    while (start <= input.length) {
      let end = strIndexOf(input, '&', start);
      if (end === -1) end = input.length;
      if (end > start) {
        const sequence = strSlice(input, start, end);
        const eq = strIndexOf(sequence, '=');
        const name = eq === -1 ? sequence : strSlice(sequence, 0, eq);
        const value = eq === -1 ? '' : strSlice(sequence, eq + 1);
        arrayPush(list, percentDecode(name, true), percentDecode(value, true));
      }
      start = end + 1;
    }
    return list;
  }

  function serializeForm(list) {
    let out = '';
    for (let i = 0; i < list.length; i += 2) {
      if (i > 0) out += '&';
      out += `${percentEncode(list[i], isFormSafe, true)}=${percentEncode(list[i + 1], isFormSafe, true)}`;
    }
    return out;
  }

  const invalidTuple = () =>
    nodeError(TypeErrorCtor, 'ERR_INVALID_TUPLE', 'Each query pair must be an iterable [name, value] tuple');

  let paramsFromUrl; // (url, rawSearch) → URLSearchParams whose updates write back to url
  let resetParams; // (params, rawSearch) → void, when the URL's query changes under it
  let paramsList; // (params) → its live list, for the iterator
  let writeQueryToUrl; // (url, serialized) → void, the "update steps" of URL §6.2

  class URLSearchParams {
    #list = [];
    #url = null;

    constructor(init = undefined) {
      if (init === undefined) return;
      if (init !== null && (typeof init === 'object' || typeof init === 'function')) {
        const method = init[SymbolIterator];
        if (method != null) {
          if (typeof method !== 'function') {
            throw nodeError(TypeErrorCtor, 'ERR_ARG_NOT_ITERABLE', 'Query pairs must be iterable');
          }
          for (const pair of init) {
            if (pair == null) throw invalidTuple();
            if (isArray(pair)) {
              if (pair.length !== 2) throw invalidTuple();
              arrayPush(this.#list, toUSVString(pair[0]), toUSVString(pair[1]));
              continue;
            }
            if (
              (typeof pair !== 'object' && typeof pair !== 'function') ||
              typeof pair[SymbolIterator] !== 'function'
            ) {
              throw invalidTuple();
            }
            let count = 0;
            for (const element of pair) {
              count++;
              arrayPush(this.#list, toUSVString(element));
            }
            if (count !== 2) throw invalidTuple();
          }
          return;
        }
        // record<USVString, USVString>: own enumerable keys; a later key wins when two convert alike.
        const seen = new MapCtor();
        const keys = ownKeys(init);
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i];
          const desc = getOwnPropertyDescriptor(init, key);
          if (desc === undefined || !desc.enumerable) continue;
          const name = toUSVString(key);
          const value = toUSVString(init[key]);
          const at = mapGet(seen, name);
          if (at !== undefined) this.#list[at] = value;
          else {
            mapSet(seen, name, this.#list.length + 1);
            arrayPush(this.#list, name, value);
          }
        }
        return;
      }
      let query = toUSVString(init);
      if (charCodeAt(query, 0) === 0x3f) query = strSlice(query, 1);
      this.#list = parseForm(query);
    }

    #update() {
      if (this.#url !== null) writeQueryToUrl(this.#url, serializeForm(this.#list));
    }

    get size() {
      return this.#list.length / 2;
    }

    append(name, value) {
      if (arguments.length < 2) throw missingArgs('name', 'value');
      arrayPush(this.#list, toUSVString(name), toUSVString(value));
      this.#update();
    }

    delete(name, value = undefined) {
      if (arguments.length < 1) throw missingArgs('name');
      const key = toUSVString(name);
      const list = this.#list;
      const only = value === undefined ? undefined : toUSVString(value);
      for (let i = 0; i < list.length; ) {
        if (list[i] === key && (only === undefined || list[i + 1] === only)) arraySplice(list, i, 2);
        else i += 2;
      }
      this.#update();
    }

    get(name) {
      if (arguments.length < 1) throw missingArgs('name');
      const key = toUSVString(name);
      const list = this.#list;
      for (let i = 0; i < list.length; i += 2) if (list[i] === key) return list[i + 1];
      return null;
    }

    getAll(name) {
      if (arguments.length < 1) throw missingArgs('name');
      const key = toUSVString(name);
      const list = this.#list;
      const values = [];
      for (let i = 0; i < list.length; i += 2) if (list[i] === key) arrayPush(values, list[i + 1]);
      return values;
    }

    has(name, value = undefined) {
      if (arguments.length < 1) throw missingArgs('name');
      const key = toUSVString(name);
      const list = this.#list;
      const only = value === undefined ? undefined : toUSVString(value);
      for (let i = 0; i < list.length; i += 2) {
        if (list[i] === key && (only === undefined || list[i + 1] === only)) return true;
      }
      return false;
    }

    set(name, value) {
      if (arguments.length < 2) throw missingArgs('name', 'value');
      const key = toUSVString(name);
      const text = toUSVString(value);
      const list = this.#list;
      let found = false;
      for (let i = 0; i < list.length; ) {
        if (list[i] !== key) i += 2;
        else if (!found) {
          list[i + 1] = text;
          found = true;
          i += 2;
        } else arraySplice(list, i, 2);
      }
      if (!found) arrayPush(list, key, text);
      this.#update();
    }

    // Stable sort by name in code units (URL §6.2).
    sort() {
      const list = this.#list;
      const pairs = [];
      for (let i = 0; i < list.length; i += 2) arrayPush(pairs, { name: list[i], value: list[i + 1] });
      arraySort(pairs, (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (let i = 0; i < pairs.length; i++) {
        list[2 * i] = pairs[i].name;
        list[2 * i + 1] = pairs[i].value;
      }
      this.#update();
    }

    forEach(callback, thisArg = undefined) {
      if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
      const list = this.#list;
      for (let i = 0; i < list.length; i += 2) reflectApply(callback, thisArg, [list[i + 1], list[i], this]);
    }

    keys() {
      return new URLSearchParamsIterator(this, 'key');
    }

    values() {
      return new URLSearchParamsIterator(this, 'value');
    }

    entries() {
      return new URLSearchParamsIterator(this, 'key+value');
    }

    toString() {
      return serializeForm(this.#list);
    }

    // Node's URLSearchParams [util.inspect.custom]: URLSearchParams { 'a' => '1', 'b' => '2' }
    [customInspectSymbol](recurseTimes, ctx) {
      if (typeof recurseTimes === 'number' && recurseTimes < 0) return '[Object]';
      const options = { ...ctx };
      if (recurseTimes !== null) options.depth = recurseTimes - 1;
      const list = this.#list;
      const output = [];
      for (let i = 0; i < list.length; i += 2) {
        arrayPush(output, `${inspect(list[i], options)} => ${inspect(list[i + 1], options)}`);
      }
      let length = -2;
      for (let i = 0; i < output.length; i++) length += output[i].length + 2;
      const breakLength = typeof ctx?.breakLength === 'number' ? ctx.breakLength : 80;
      if (length > breakLength) return `URLSearchParams {\n  ${arrayJoin(output, ',\n  ')} }`;
      if (output.length > 0) return `URLSearchParams { ${arrayJoin(output, ', ')} }`;
      return 'URLSearchParams {}';
    }

    static {
      paramsFromUrl = (url, rawSearch) => {
        const params = new URLSearchParams();
        params.#list = parseForm(strSlice(rawSearch, 1));
        params.#url = url;
        return params;
      };
      resetParams = (params, rawSearch) => {
        params.#list = parseForm(strSlice(rawSearch, 1));
      };
      paramsList = (params) => params.#list;
    }
  }
  defineProperty(URLSearchParams.prototype, SymbolIterator, {
    value: URLSearchParams.prototype.entries,
    writable: true,
    configurable: true,
  });
  setToStringTag(URLSearchParams, 'URLSearchParams');

  // A live iterator over the list (URL §6.2 "value pairs to iterate over"), an %IteratorPrototype% child.
  class URLSearchParamsIterator {
    #params;
    #kind;
    #index = 0;

    constructor(params, kind) {
      this.#params = params;
      this.#kind = kind;
    }

    next() {
      const list = paramsList(this.#params);
      const i = this.#index;
      if (i >= list.length) return { value: undefined, done: true };
      this.#index = i + 2;
      const kind = this.#kind;
      return {
        value: kind === 'key' ? list[i] : kind === 'value' ? list[i + 1] : [list[i], list[i + 1]],
        done: false,
      };
    }
  }
  setPrototypeOf(URLSearchParamsIterator.prototype, IteratorPrototype);
  setToStringTag(URLSearchParamsIterator, 'URLSearchParams Iterator');
  Reflect.deleteProperty(URLSearchParamsIterator.prototype, 'constructor');

  // ── URL (WHATWG URL §6.1) ───────────────────────────────────────────────────────────────────────────────
  // Parsing is the host's (Node's own WHATWG parser, through host.urlParse), so href, host, origin… are
  // exactly Node's. Setters follow the URL standard's state-override rules in JS, then re-parse the
  // resulting href through the host, which normalises it as the parser would.
  const hostUrlParse = host.urlParse;
  const SPECIAL_SCHEMES = {
    __proto__: null,
    'ftp:': 1,
    'file:': 1,
    'http:': 1,
    'https:': 1,
    'ws:': 1,
    'wss:': 1,
  };

  // The host's answer as a frozen record, plus what the getters cannot tell apart: whether there is an
  // authority ("//"), and the query and fragment with their delimiters even when empty ("?" / "#").
  function parseUrl(input, base) {
    let record;
    try {
      const answer = hostUrlParse(input, base);
      if (typeof answer !== 'string') return null;
      record = jsonParse(answer);
    } catch {
      return null;
    }
    if (record === null || typeof record !== 'object' || record.ok !== true) return null;
    const href = `${record.href}`;
    const protocol = `${record.protocol}`;
    const hashAt = strIndexOf(href, '#');
    const beforeHash = hashAt === -1 ? href : strSlice(href, 0, hashAt);
    const queryAt = strIndexOf(beforeHash, '?');
    return freeze({
      href,
      origin: `${record.origin}`,
      protocol,
      username: `${record.username}`,
      password: `${record.password}`,
      host: `${record.host}`,
      hostname: `${record.hostname}`,
      port: `${record.port}`,
      pathname: `${record.pathname}`,
      search: `${record.search}`,
      hash: `${record.hash}`,
      hasAuthority: startsWith(href, '//', protocol.length),
      rawSearch: queryAt === -1 ? '' : strSlice(beforeHash, queryAt),
      rawHash: hashAt === -1 ? '' : strSlice(href, hashAt),
    });
  }

  // Serialise URL parts back into an href (URL §4.5), for setters to re-parse.
  function assembleUrl(parts) {
    let href = parts.protocol;
    if (parts.hasAuthority) {
      href += '//';
      if (parts.username !== '' || parts.password !== '') {
        href += parts.username;
        if (parts.password !== '') href += `:${parts.password}`;
        href += '@';
      }
      href += parts.hostname;
      if (parts.port !== '') href += `:${parts.port}`;
    } else if (startsWith(parts.pathname, '//')) href += '/.';
    return href + parts.pathname + parts.rawSearch + parts.rawHash;
  }

  const invalidUrl = (input, base) => {
    const err = nodeError(TypeErrorCtor, 'ERR_INVALID_URL', 'Invalid URL');
    err.input = input;
    if (base !== undefined) err.base = base;
    return err;
  };

  // The basic URL parser removes ASCII tab and newline from its input first (URL §4.4 step 3).
  function removeTabAndNewline(s) {
    let out = '';
    let last = 0;
    for (let i = 0; i < s.length; i++) {
      const c = charCodeAt(s, i);
      if (c === 0x09 || c === 0x0a || c === 0x0d) {
        out += strSlice(s, last, i);
        last = i + 1;
      }
    }
    return last === 0 ? s : out + strSlice(s, last);
  }

  function leadingDigits(s) {
    let i = 0;
    while (i < s.length && charCodeAt(s, i) >= 0x30 && charCodeAt(s, i) <= 0x39) i++;
    return strSlice(s, 0, i);
  }

  // userinfo percent-encode set (URL §1.3): C0 controls, space, "#<>?`{}/:;=@[\]^| and non-ASCII.
  const isUserinfoSafe = (c) => c > 0x20 && c < 0x7f && !strIncludes('"#<>?`{}/:;=@[\\]^|', fromCharCode(c));
  const hasOpaquePath = (r) => !r.hasAuthority && !startsWith(r.pathname, '/');
  const cannotHaveCredentialsOrPort = (r) => r.hostname === '' || r.protocol === 'file:';

  class URL {
    #record;
    #searchParams = null;

    constructor(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs('url');
      const text = toUSVString(input);
      const baseText = base === undefined ? undefined : toUSVString(base);
      const record = parseUrl(text, baseText);
      if (record === null) throw invalidUrl(text, baseText);
      this.#record = record;
    }

    static canParse(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs('url');
      return parseUrl(toUSVString(input), base === undefined ? undefined : toUSVString(base)) !== null;
    }

    static parse(input, base = undefined) {
      if (arguments.length === 0) throw missingArgs('url');
      try {
        return new URL(input, base);
      } catch {
        return null;
      }
    }

    #replace(record, resetQuery) {
      this.#record = record;
      if (resetQuery && this.#searchParams !== null) resetParams(this.#searchParams, record.rawSearch);
    }

    // Re-parses the record with some parts changed; a result the parser rejects leaves the URL unchanged,
    // as a failing state-override parse does.
    #reparse(changes, resetQuery = true) {
      const record = parseUrl(assembleUrl({ ...this.#record, ...changes }), undefined);
      if (record !== null) this.#replace(record, resetQuery);
    }

    get href() {
      return this.#record.href;
    }

    set href(value) {
      const text = toUSVString(value);
      const record = parseUrl(text, undefined);
      if (record === null) throw invalidUrl(text);
      this.#replace(record, true);
    }

    get origin() {
      return this.#record.origin;
    }

    get protocol() {
      return this.#record.protocol;
    }

    set protocol(value) {
      const r = this.#record;
      const match = regexpExec(/^([A-Za-z][A-Za-z0-9+.-]*):/, `${removeTabAndNewline(toUSVString(value))}:`);
      if (match === null) return;
      const protocol = `${toLowerCase(match[1])}:`;
      // URL §4.4 scheme state with override: no switching between special and non-special schemes, and
      // "file" takes no credentials or port.
      if ((SPECIAL_SCHEMES[protocol] === 1) !== (SPECIAL_SCHEMES[r.protocol] === 1)) return;
      if (protocol === 'file:' && (r.username !== '' || r.password !== '' || r.port !== '')) return;
      if (r.protocol === 'file:' && r.hostname === '') return;
      this.#reparse({ protocol });
    }

    get username() {
      return this.#record.username;
    }

    set username(value) {
      if (cannotHaveCredentialsOrPort(this.#record)) return;
      this.#reparse({ username: percentEncode(toUSVString(value), isUserinfoSafe, false) });
    }

    get password() {
      return this.#record.password;
    }

    set password(value) {
      if (cannotHaveCredentialsOrPort(this.#record)) return;
      this.#reparse({ password: percentEncode(toUSVString(value), isUserinfoSafe, false) });
    }

    get host() {
      return this.#record.host;
    }

    set host(value) {
      this.#setHost(toUSVString(value), false);
    }

    get hostname() {
      return this.#record.hostname;
    }

    set hostname(value) {
      this.#setHost(toUSVString(value), true);
    }

    // URL §4.4 host state with a state override ("host" or "hostname").
    #setHost(value, hostnameOnly) {
      const r = this.#record;
      if (hasOpaquePath(r)) return;
      const text = removeTabAndNewline(value);
      const special = SPECIAL_SCHEMES[r.protocol] === 1;
      let end = 0;
      for (; end < text.length; end++) {
        const c = charCodeAt(text, end);
        if (c === 0x2f || c === 0x3f || c === 0x23 || (special && c === 0x5c)) break;
      }
      let hostname = strSlice(text, 0, end);
      let port = r.port;
      if (r.protocol !== 'file:') {
        let inBrackets = false;
        for (let i = 0; i < hostname.length; i++) {
          const c = charCodeAt(hostname, i);
          if (c === 0x5b) inBrackets = true;
          else if (c === 0x5d) inBrackets = false;
          else if (c === 0x3a && !inBrackets) {
            if (hostnameOnly || i === 0) return;
            const digits = leadingDigits(strSlice(hostname, i + 1));
            hostname = strSlice(hostname, 0, i);
            if (digits !== '' && +digits <= 65535) port = `${+digits}`;
            break;
          }
        }
        if (hostname === '' && (special || r.username !== '' || r.password !== '' || r.port !== '')) return;
      }
      this.#reparse({ hasAuthority: true, hostname, port });
    }

    get port() {
      return this.#record.port;
    }

    set port(value) {
      const r = this.#record;
      if (cannotHaveCredentialsOrPort(r)) return;
      const text = toUSVString(value);
      if (text === '') {
        this.#reparse({ port: '' });
        return;
      }
      const digits = leadingDigits(removeTabAndNewline(text));
      if (digits === '' || +digits > 65535) return;
      this.#reparse({ port: `${+digits}` });
    }

    get pathname() {
      return this.#record.pathname;
    }

    // URL §4.4 path start state with override: "?" and "#" are path characters here, not delimiters.
    set pathname(value) {
      const r = this.#record;
      if (hasOpaquePath(r)) return;
      let path = '';
      const text = removeTabAndNewline(toUSVString(value));
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        path += c === '?' ? '%3F' : c === '#' ? '%23' : c;
      }
      const first = path[0];
      if (SPECIAL_SCHEMES[r.protocol] === 1) {
        if (first !== '/' && first !== '\\') path = `/${path}`;
      } else if (path === '') path = r.hasAuthority ? '' : '/';
      else if (first !== '/') path = `/${path}`;
      this.#reparse({ pathname: path });
    }

    get search() {
      return this.#record.search;
    }

    set search(value) {
      const text = toUSVString(value);
      if (text === '') {
        this.#reparse({ rawSearch: '' });
        return;
      }
      let query = removeTabAndNewline(charCodeAt(text, 0) === 0x3f ? strSlice(text, 1) : text);
      query = percentEncode(query, (c) => c !== 0x23, false);
      this.#reparse({ rawSearch: `?${query}` });
    }

    get searchParams() {
      if (this.#searchParams === null) this.#searchParams = paramsFromUrl(this, this.#record.rawSearch);
      return this.#searchParams;
    }

    get hash() {
      return this.#record.hash;
    }

    set hash(value) {
      const text = toUSVString(value);
      if (text === '') {
        this.#reparse({ rawHash: '' });
        return;
      }
      const fragment = removeTabAndNewline(charCodeAt(text, 0) === 0x23 ? strSlice(text, 1) : text);
      this.#reparse({ rawHash: `#${fragment}` });
    }

    toString() {
      return this.#record.href;
    }

    toJSON() {
      return this.#record.href;
    }

    // Node's URL [util.inspect.custom]: URL { href: …, origin: …, … }
    [customInspectSymbol](depth, options) {
      if (typeof depth === 'number' && depth < 0) return this;
      const r = this.#record;
      const view = {
        href: r.href,
        origin: r.origin,
        protocol: r.protocol,
        username: r.username,
        password: r.password,
        host: r.host,
        hostname: r.hostname,
        port: r.port,
        pathname: r.pathname,
        search: r.search,
        searchParams: this.searchParams,
        hash: r.hash,
      };
      return `URL ${inspect(view, options)}`;
    }

    static {
      writeQueryToUrl = (url, serialized) => {
        url.#reparse({ rawSearch: serialized === '' ? '' : `?${serialized}` }, false);
      };
    }
  }
  setToStringTag(URL, 'URL');
  // WebIDL attributes and operations are enumerable, as on Node's URL.prototype.
  for (const Class of [URL, URLSearchParams]) {
    for (const key of getOwnPropertyNames(Class.prototype)) {
      if (key !== 'constructor') defineProperty(Class.prototype, key, { enumerable: true });
    }
  }

  // ── structuredClone (HTML §2.7, as V8's serializer does it in Node) ─────────────────────────────────────
  const dataCloneError = (message) => new DOMException(message, 'DataCloneError');

  function constructorNameOf(value) {
    try {
      for (let proto = getPrototypeOf(value); proto !== null; proto = getPrototypeOf(proto)) {
        const desc = getOwnPropertyDescriptor(proto, 'constructor');
        if (desc !== undefined && typeof desc.value === 'function' && typeof desc.value.name === 'string') {
          return desc.value.name || 'Object';
        }
      }
    } catch {}
    return 'Object';
  }

  function cloneArrayBuffer(buffer) {
    if (abDetached(buffer)) throw dataCloneError('An ArrayBuffer is detached and could not be cloned.');
    if (!abResizable(buffer)) return abSlice(buffer, 0);
    const copy = new ArrayBufferCtor(abByteLength(buffer), { maxByteLength: abMaxByteLength(buffer) });
    taSet(new U8(copy), new U8(buffer), 0);
    return copy;
  }

  function defineData(target, key, value) {
    defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  }

  function cloneValue(value, memory) {
    if (typeof value === 'symbol') throw dataCloneError(`${symbolToString(value)} could not be cloned.`);
    if (typeof value === 'function') {
      let source;
      try {
        source = functionToString(value);
      } catch {
        source = 'function';
      }
      throw dataCloneError(`${source} could not be cloned.`);
    }
    if (value === null || typeof value !== 'object') return value;
    const known = mapGet(memory, value);
    if (known !== undefined) return known;

    if (isBoxedPrimitive(value)) {
      if (isSymbolObject(value)) throw dataCloneError('[object Symbol] could not be cloned.');
      const primitive = isNumberObject(value)
        ? numberValueOf(value)
        : isStringObject(value)
          ? stringValueOf(value)
          : isBooleanObject(value)
            ? booleanValueOf(value)
            : bigintValueOf(value);
      const copy = ObjectCtor(primitive);
      mapSet(memory, value, copy);
      return copy;
    }
    if (isDate(value)) {
      const copy = new DateCtor(dateGetTime(value));
      mapSet(memory, value, copy);
      return copy;
    }
    if (isRegExp(value)) {
      const copy = new RegExpCtor(regexpSource(value), regexpFlags(value));
      mapSet(memory, value, copy);
      return copy;
    }
    if (isArrayBuffer(value)) {
      const copy = cloneArrayBuffer(value);
      mapSet(memory, value, copy);
      return copy;
    }
    // A SharedArrayBuffer is shared, not copied; within one isolate that is the object itself.
    if (isSharedArrayBuffer(value)) return value;
    if (isTypedArray(value) || isDataView(value)) {
      const typed = isTypedArray(value);
      const buffer = cloneValue(typed ? taBuffer(value) : dvBuffer(value), memory);
      const copy = typed
        ? new typedArrayConstructors[typedArrayTag(value)](buffer, taByteOffset(value), taLength(value))
        : new DataViewCtor(buffer, dvByteOffset(value), dvByteLength(value));
      mapSet(memory, value, copy);
      return copy;
    }
    if (isMap(value)) {
      const copy = new MapCtor();
      mapSet(memory, value, copy);
      const entries = [];
      const iterator = mapEntries(value);
      for (let step = mapIteratorNext(iterator); !step.done; step = mapIteratorNext(iterator)) {
        arrayPush(entries, step.value[0], step.value[1]);
      }
      for (let i = 0; i < entries.length; i += 2) {
        mapSet(copy, cloneValue(entries[i], memory), cloneValue(entries[i + 1], memory));
      }
      return copy;
    }
    if (isSet(value)) {
      const copy = new SetCtor();
      mapSet(memory, value, copy);
      const items = [];
      const iterator = setValues(value);
      for (let step = setIteratorNext(iterator); !step.done; step = setIteratorNext(iterator)) {
        arrayPush(items, step.value);
      }
      for (let i = 0; i < items.length; i++) setAdd(copy, cloneValue(items[i], memory));
      return copy;
    }
    if (isError(value)) return cloneError(value, memory);
    if (isWeakMap(value) || isWeakSet(value) || isWeakRef(value) || isPromise(value)) {
      throw dataCloneError(`#<${constructorNameOf(value)}> could not be cloned.`);
    }
    // Arrays keep their length and holes; every other object becomes a plain object of its own enumerable
    // string-keyed properties (class instances lose their prototype, as in Node).
    const copy = isArray(value) ? new Array(value.length) : {};
    mapSet(memory, value, copy);
    const keys = objectKeys(value);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (hasOwn(value, key)) defineData(copy, key, cloneValue(value[key], memory));
    }
    return copy;
  }

  // V8 keeps an error's prototype (by name, among the standard ones), own `message`, `stack` and own
  // `cause`; the error's other properties are dropped.
  function cloneError(value, memory) {
    const messageDesc = getOwnPropertyDescriptor(value, 'message');
    const causeDesc = getOwnPropertyDescriptor(value, 'cause');
    const Ctor = errorConstructors[`${value.name}`] ?? ErrorCtor;
    const copy = new Ctor();
    mapSet(memory, value, copy);
    if (messageDesc !== undefined && 'value' in messageDesc) {
      defineProperty(copy, 'message', { value: `${messageDesc.value}`, writable: true, configurable: true });
    }
    const stack = value.stack;
    if (typeof stack === 'string') {
      defineProperty(copy, 'stack', { value: stack, writable: true, configurable: true });
    } else Reflect.deleteProperty(copy, 'stack');
    if (causeDesc !== undefined && 'value' in causeDesc) {
      defineProperty(copy, 'cause', {
        value: cloneValue(causeDesc.value, memory),
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }

  function structuredClone(value, options = undefined) {
    if (arguments.length === 0) throw missingArgs('value');
    const memory = new MapCtor();
    const transfer = [];
    if (options !== undefined && options !== null) {
      if (typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
      const list = options.transfer;
      if (list !== undefined) {
        if (list === null || typeof list !== 'object' || typeof list[SymbolIterator] !== 'function') {
          throw invalidArgType('options.transfer', 'an iterable', list);
        }
        for (const item of list) {
          if (!isArrayBuffer(item)) throw dataCloneError('Value not transferable');
          if (arrayIndexOf(transfer, item) !== -1) {
            throw dataCloneError('ArrayBuffer at index 1 is a duplicate of an earlier ArrayBuffer.');
          }
          arrayPush(transfer, item);
        }
      }
    }
    const result = cloneValue(value, memory);
    // Transferred buffers were copied like the others; detaching the originals completes the transfer.
    for (let i = 0; i < transfer.length; i++) abTransfer(transfer[i]);
    return result;
  }

  // ── inspect / format (Node's lib/internal/util/inspect.js, without colours) ─────────────────────────────
  // Used for console output, so it never throws (a throwing getter, proxy trap or custom inspector shows
  // as "<Inspection threw …>") and never returns more than MAX_INSPECT_LENGTH characters. Not ported:
  // showHidden (so %o prints like %O with depth 4), showProxy (V8 cannot tell a proxy from JS; its traps
  // run), promise state, Map/Set iterator previews, getters: true, sorted, and East Asian width.
  const MAX_INSPECT_LENGTH = 10000;
  const INSPECT_DEFAULTS = {
    depth: 2,
    breakLength: 80,
    compact: 3,
    maxArrayLength: 100,
    maxStringLength: 10000,
    customInspect: true,
    numericSeparator: false,
  };
  const INSPECT_KEYS = objectKeys(INSPECT_DEFAULTS);
  const INSPECT_FIXED_OPTIONS = {
    showHidden: false,
    colors: false,
    showProxy: false,
    sorted: false,
    getters: false,
    stylize: (text) => text,
  };
  const kObjectType = 0;
  const kArrayType = 1;
  const kArrayExtrasType = 2;
  const keyStrRegExp = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const numberRegExp = /^(0|[1-9][0-9]*)$/;
  const classRegExp = /^(\s+[^(]*?)\s*{/;
  const ESCAPES = [];
  for (let i = 0; i < 0xa0; i++) {
    ESCAPES[i] = i < 0x20 || (i >= 0x7f && i < 0xa0) ? `\\x${PERCENT[i].slice(1)}` : '';
  }
  ESCAPES[8] = '\\b';
  ESCAPES[9] = '\\t';
  ESCAPES[10] = '\\n';
  ESCAPES[12] = '\\f';
  ESCAPES[13] = '\\r';
  ESCAPES[39] = "\\'";
  ESCAPES[92] = '\\\\';

  // Globals whose classes count as built in: what Node's builtInObjects holds (JS intrinsics plus the Web
  // and Node globals this library provides).
  const builtInObjects = new SetCtor();
  for (const name of getOwnPropertyNames(globalThis)) {
    if (regexpExec(/^[A-Z][a-zA-Z0-9]+$/, name) !== null) setAdd(builtInObjects, name);
  }
  for (const name of ['Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'DOMException']) {
    setAdd(builtInObjects, name);
  }

  const wellKnownPrototypes = new MapCtor();
  for (const Ctor of [
    Array,
    ArrayBuffer,
    Function,
    Map,
    Set,
    Object,
    RegExp,
    Date,
    DataView,
    Error,
    Boolean,
  ]) {
    mapSet(wellKnownPrototypes, Ctor.prototype, { name: Ctor.name, constructor: Ctor });
  }
  for (const Ctor of [AggregateError, RangeError, TypeError, Number, String, Promise, WeakMap, WeakSet]) {
    mapSet(wellKnownPrototypes, Ctor.prototype, { name: Ctor.name, constructor: Ctor });
  }
  mapSet(wellKnownPrototypes, TypedArrayPrototype, { name: 'TypedArray', constructor: getPrototypeOf(U8) });

  function describeThrown(err) {
    try {
      if (isError(err)) return `${err.name}: ${err.message}`;
      return typeof err === 'string' ? err : 'exception';
    } catch {
      return 'exception';
    }
  }

  function capLength(s) {
    return s.length > MAX_INSPECT_LENGTH ? `${strSlice(s, 0, MAX_INSPECT_LENGTH)}…` : s;
  }

  function inspect(value, options = undefined) {
    const ctx = {
      budget: objectCreate(null),
      indentationLvl: 0,
      seen: [],
      currentDepth: 0,
      circular: undefined,
      spent: 0,
      userOptions: undefined,
      ...INSPECT_DEFAULTS,
    };
    try {
      if (options !== null && typeof options === 'object') {
        for (let i = 0; i < INSPECT_KEYS.length; i++) {
          if (options[INSPECT_KEYS[i]] !== undefined) ctx[INSPECT_KEYS[i]] = options[INSPECT_KEYS[i]];
        }
        ctx.userOptions = options;
      }
      if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
      if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
      return capLength(formatValue(ctx, value, 0));
    } catch (err) {
      return `<Inspection threw (${describeThrown(err)})>`;
    }
  }
  defineProperty(inspect, 'custom', { value: customInspectSymbol, enumerable: true });
  defineProperty(inspect, 'defaultOptions', { value: freeze({ ...INSPECT_DEFAULTS }), enumerable: true });

  // Escape control characters, the quote in use and the backslash; prefer ' then " then ` as quotes.
  function strEscape(str) {
    let quote = 39;
    if (strIncludes(str, "'")) {
      if (!strIncludes(str, '"')) quote = -1;
      else if (!strIncludes(str, '`') && !strIncludes(str, '${')) quote = -2;
    }
    let result = '';
    let last = 0;
    for (let i = 0; i < str.length; i++) {
      const point = charCodeAt(str, i);
      if (point === quote || point === 92 || point < 32 || (point > 126 && point < 160)) {
        result += strSlice(str, last, i) + ESCAPES[point];
        last = i + 1;
      } else if (point >= 0xd800 && point <= 0xdfff) {
        if (point <= 0xdbff && i + 1 < str.length) {
          const next = charCodeAt(str, i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) {
            i++;
            continue;
          }
        }
        result += `${strSlice(str, last, i)}\\u${numberToString(point, 16)}`;
        last = i + 1;
      }
    }
    if (last !== str.length) result += strSlice(str, last);
    return quote === -1 ? `"${result}"` : quote === -2 ? `\`${result}\`` : `'${result}'`;
  }

  function formatNumber(number) {
    return objectIs(number, -0) ? '-0' : `${number}`;
  }

  function formatPrimitive(ctx, value) {
    if (typeof value === 'string') {
      let str = value;
      let trailer = '';
      if (str.length > ctx.maxStringLength) {
        const remaining = str.length - ctx.maxStringLength;
        str = strSlice(str, 0, ctx.maxStringLength);
        trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
      }
      ctx.spent += str.length;
      if (ctx.compact !== true && str.length > 16 && str.length > ctx.breakLength - ctx.indentationLvl - 4) {
        // Long strings split after each newline, one quoted piece per line.
        const pieces = [];
        let start = 0;
        for (let i = 0; i < str.length; i++) {
          if (charCodeAt(str, i) === 10) {
            arrayPush(pieces, strEscape(strSlice(str, start, i + 1)));
            start = i + 1;
          }
        }
        if (start < str.length || pieces.length === 0) arrayPush(pieces, strEscape(strSlice(str, start)));
        return arrayJoin(pieces, ` +\n${strRepeat(' ', ctx.indentationLvl + 2)}`) + trailer;
      }
      return strEscape(str) + trailer;
    }
    if (typeof value === 'number') return formatNumber(value);
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'boolean') return `${value}`;
    if (typeof value === 'undefined') return 'undefined';
    return symbolToString(value);
  }

  function getPrefix(ctorName, tag, fallback, size = '') {
    if (ctorName === null) {
      if (tag !== '' && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
      return `[${fallback}${size}: null prototype] `;
    }
    let result = `${ctorName}${size} `;
    if (tag !== '') {
      const position = strIndexOf(ctorName, tag);
      if (position === -1) result += `[${tag}] `;
      else {
        const endPos = position + tag.length;
        if (endPos !== ctorName.length && ctorName[endPos] === toLowerCase(ctorName[endPos])) {
          result += `[${tag}] `;
        }
      }
    }
    return result;
  }

  function getConstructorName(obj, ctx, recurseTimes) {
    let firstProto;
    const tmp = obj;
    let current = obj;
    while (current) {
      const known = mapGet(wellKnownPrototypes, current);
      if (known !== undefined && functionHasInstance(known.constructor, tmp)) return known.name;
      const descriptor = getOwnPropertyDescriptor(current, 'constructor');
      if (
        descriptor !== undefined &&
        typeof descriptor.value === 'function' &&
        descriptor.value.name !== '' &&
        isInstanceof(tmp, descriptor.value)
      ) {
        return `${descriptor.value.name}`;
      }
      current = getPrototypeOf(current);
      if (firstProto === undefined) firstProto = current;
    }
    if (firstProto === null) return null;
    // V8's internal class name is not reachable from JS; "Object" is what it is for ordinary objects.
    if (recurseTimes > ctx.depth && ctx.depth !== null) return 'Object <Complex prototype>';
    const protoConstr = getConstructorName(firstProto, ctx, recurseTimes + 1);
    return protoConstr === null ? 'Object <[Object: null prototype] {}>' : `Object <${protoConstr}>`;
  }

  function getKeys(value) {
    const keys = objectKeys(value);
    const symbols = getOwnPropertySymbols(value);
    for (let i = 0; i < symbols.length; i++) {
      if (isEnumerable(value, symbols[i])) arrayPush(keys, symbols[i]);
    }
    return keys;
  }

  // Own enumerable keys that are not array indices (arrays and typed arrays list those separately).
  function getNonIndexKeys(value) {
    const keys = [];
    const all = getKeys(value);
    for (let i = 0; i < all.length; i++) {
      const key = all[i];
      if (typeof key === 'symbol' || regexpExec(numberRegExp, key) === null || +key > 2 ** 32 - 2) {
        arrayPush(keys, key);
      }
    }
    return keys;
  }

  function formatValue(ctx, value, recurseTimes, typedArray) {
    if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(ctx, value);
    if (value === null) return 'null';
    if (ctx.spent > MAX_INSPECT_LENGTH) return '…';
    const seenLength = ctx.seen.length;
    const indentationLvl = ctx.indentationLvl;
    try {
      if (ctx.customInspect) {
        const maybeCustom = value[customInspectSymbol];
        if (
          typeof maybeCustom === 'function' &&
          maybeCustom !== inspect &&
          getOwnPropertyDescriptor(value, 'constructor')?.value?.prototype !== value
        ) {
          const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
          // What Node's getUserOptions hands a custom inspector: the effective options, the caller's own
          // extra options, and a colourless stylize.
          const options = { ...ctx.userOptions, ...INSPECT_FIXED_OPTIONS };
          for (let i = 0; i < INSPECT_KEYS.length; i++) options[INSPECT_KEYS[i]] = ctx[INSPECT_KEYS[i]];
          options.depth = depth;
          const ret = reflectApply(maybeCustom, value, [depth, options, inspect]);
          if (ret !== value) {
            if (typeof ret !== 'string') return formatValue(ctx, ret, recurseTimes);
            ctx.spent += ret.length;
            return replaceNewlines(ret, `\n${strRepeat(' ', ctx.indentationLvl)}`);
          }
        }
      }
      if (arrayIndexOf(ctx.seen, value) !== -1) {
        let index = 1;
        if (ctx.circular === undefined) {
          ctx.circular = new MapCtor();
          mapSet(ctx.circular, value, index);
        } else {
          index = mapGet(ctx.circular, value);
          if (index === undefined) {
            index = mapSize(ctx.circular) + 1;
            mapSet(ctx.circular, value, index);
          }
        }
        return `[Circular *${index}]`;
      }
      return formatRaw(ctx, value, recurseTimes, typedArray);
    } catch (err) {
      ctx.seen.length = seenLength;
      ctx.indentationLvl = indentationLvl;
      return `<Inspection threw (${describeThrown(err)})>`;
    }
  }

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    let keys;
    const ctorName = getConstructorName(value, ctx, recurseTimes);
    let tag = '';
    try {
      tag = value[SymbolToStringTag];
    } catch {}
    // Only list the tag when it is not an own enumerable property (it would show twice).
    if (typeof tag !== 'string' || (tag !== '' && isEnumerable(value, SymbolToStringTag))) tag = '';
    let base = '';
    let formatter = () => [];
    let braces;
    let noIterator = true;
    let extrasType = kObjectType;
    let extraKeys;

    if (SymbolIterator in value || ctorName === null) {
      noIterator = false;
      if (isArray(value)) {
        const prefix =
          ctorName !== 'Array' || tag !== '' ? getPrefix(ctorName, tag, 'Array', `(${value.length})`) : '';
        keys = getNonIndexKeys(value);
        braces = [`${prefix}[`, ']'];
        if (value.length === 0 && keys.length === 0) return `${braces[0]}]`;
        extrasType = kArrayExtrasType;
        formatter = formatArray;
      } else if (isSet(value)) {
        const size = setSize(value);
        const prefix = getPrefix(ctorName, tag, 'Set', `(${size})`);
        keys = getKeys(value);
        formatter = formatSet;
        if (size === 0 && keys.length === 0) return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isMap(value)) {
        const size = mapSize(value);
        const prefix = getPrefix(ctorName, tag, 'Map', `(${size})`);
        keys = getKeys(value);
        formatter = formatMap;
        if (size === 0 && keys.length === 0) return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isTypedArray(value)) {
        keys = getNonIndexKeys(value);
        const size = taLength(value);
        const fallback = ctorName === null ? typedArrayTag(value) : '';
        const prefix = getPrefix(ctorName, tag, fallback, `(${size})`);
        braces = [`${prefix}[`, ']'];
        if (size === 0 && keys.length === 0) return `${braces[0]}]`;
        formatter = formatTypedArray;
        extrasType = kArrayExtrasType;
      } else if (
        getPrototypeOf(value) === MapIteratorPrototype ||
        getPrototypeOf(value) === SetIteratorPrototype
      ) {
        // V8 offers no side-effect-free preview of an iterator's entries; show just what it is.
        keys = getKeys(value);
        const type = getPrototypeOf(value) === MapIteratorPrototype ? 'Map' : 'Set';
        braces = [
          `[${tag !== `${type} Iterator` ? `${tag === '' ? '' : `${tag}] [`}${type} Iterator` : tag}] {`,
          '}',
        ];
        if (keys.length === 0) return `${braces[0]}}`;
      } else noIterator = true;
    }
    if (noIterator) {
      keys = getKeys(value);
      braces = ['{', '}'];
      if (typeof value === 'function') {
        base = getFunctionBase(ctx, value, ctorName, tag);
        if (keys.length === 0) return base;
      } else if (ctorName === 'Object') {
        if (objectToString(value) === '[object Arguments]') braces[0] = '[Arguments] {';
        else if (tag !== '') braces[0] = `${getPrefix(ctorName, tag, 'Object')}{`;
        if (keys.length === 0) return `${braces[0]}}`;
      } else if (isRegExp(value)) {
        base = regexpToString(ctorName !== null ? value : new RegExpCtor(value));
        const prefix = getPrefix(ctorName, tag, 'RegExp');
        if (prefix !== 'RegExp ') base = `${prefix}${base}`;
        if (keys.length === 0 || (recurseTimes > ctx.depth && ctx.depth !== null)) return base;
      } else if (isDate(value)) {
        base = numberIsNaN(dateGetTime(value)) ? dateToString(value) : dateToISOString(value);
        const prefix = getPrefix(ctorName, tag, 'Date');
        if (prefix !== 'Date ') base = `${prefix}${base}`;
        if (keys.length === 0) return base;
      } else if (isError(value)) {
        base = formatError(value, ctorName, tag, ctx, keys);
        if (keys.length === 0) return base;
      } else if (isAnyArrayBuffer(value)) {
        const prefix = getPrefix(ctorName, tag, isArrayBuffer(value) ? 'ArrayBuffer' : 'SharedArrayBuffer');
        if (typedArray === undefined) formatter = formatArrayBuffer;
        else if (keys.length === 0) {
          return `${prefix}{ byteLength: ${formatNumber(isArrayBuffer(value) ? abByteLength(value) : sabByteLength(value))} }`;
        }
        braces[0] = `${prefix}{`;
        extraKeys = ['byteLength'];
      } else if (isDataView(value)) {
        braces[0] = `${getPrefix(ctorName, tag, 'DataView')}{`;
        extraKeys = ['byteLength', 'byteOffset', 'buffer'];
      } else if (isPromise(value)) {
        braces[0] = `${getPrefix(ctorName, tag, 'Promise')}{`;
        formatter = () => ['<unknown>'];
      } else if (isWeakSet(value)) {
        braces[0] = `${getPrefix(ctorName, tag, 'WeakSet')}{`;
        formatter = () => ['<items unknown>'];
      } else if (isWeakMap(value)) {
        braces[0] = `${getPrefix(ctorName, tag, 'WeakMap')}{`;
        formatter = () => ['<items unknown>'];
      } else if (isBoxedPrimitive(value)) {
        base = getBoxedBase(value, ctx, keys, ctorName, tag);
        if (keys.length === 0) return base;
      } else {
        if (keys.length === 0) return `${getPrefix(ctorName, tag, 'Object')}{}`;
        braces[0] = `${getPrefix(ctorName, tag, 'Object')}{`;
      }
    }

    if (recurseTimes > ctx.depth && ctx.depth !== null) {
      let constructorName = strSlice(getPrefix(ctorName, tag, 'Object'), 0, -1);
      if (ctorName !== null) constructorName = `[${constructorName}]`;
      return constructorName;
    }
    const depth = recurseTimes + 1;
    arrayPush(ctx.seen, value);
    ctx.currentDepth = depth;
    const output = formatter(ctx, value, depth);
    if (extraKeys !== undefined) {
      for (let i = 0; i < extraKeys.length; i++) {
        ctx.indentationLvl += 2;
        const str = formatValue(ctx, value[extraKeys[i]], depth, typedArray);
        ctx.indentationLvl -= 2;
        arrayPush(output, `[${extraKeys[i]}]: ${str}`);
      }
    }
    for (let i = 0; i < keys.length; i++) {
      if (ctx.spent > MAX_INSPECT_LENGTH) {
        arrayPush(output, '…');
        break;
      }
      arrayPush(output, formatProperty(ctx, value, depth, keys[i], extrasType));
    }
    if (ctx.circular !== undefined) {
      const index = mapGet(ctx.circular, value);
      if (index !== undefined) base = base === '' ? `<ref *${index}>` : `<ref *${index}> ${base}`;
    }
    ctx.seen.length--;
    const res = reduceToSingleString(ctx, output, base, braces, extrasType, depth, value);
    const newLength = (ctx.budget[ctx.indentationLvl] || 0) + res.length;
    ctx.budget[ctx.indentationLvl] = newLength;
    if (newLength > 2 ** 27) ctx.depth = -1;
    return res;
  }

  function getBoxedBase(value, ctx, keys, ctorName, tag) {
    let primitive;
    let type;
    if (isNumberObject(value)) {
      primitive = numberValueOf(value);
      type = 'Number';
    } else if (isStringObject(value)) {
      primitive = stringValueOf(value);
      type = 'String';
      // The index keys of a boxed string repeat its characters.
      arraySplice(keys, 0, primitive.length);
    } else if (isBooleanObject(value)) {
      primitive = booleanValueOf(value);
      type = 'Boolean';
    } else if (isBigIntObject(value)) {
      primitive = bigintValueOf(value);
      type = 'BigInt';
    } else {
      primitive = symbolValueOf(value);
      type = 'Symbol';
    }
    let base = `[${type}`;
    if (type !== ctorName) base += ctorName === null ? ' (null prototype)' : ` (${ctorName})`;
    base += `: ${formatPrimitive({ ...ctx, compact: true }, primitive)}]`;
    if (tag !== '' && tag !== ctorName) base += ` [${tag}]`;
    return base;
  }

  function getFunctionBase(ctx, value, ctorName, tag) {
    const source = functionToString(value);
    if (startsWith(source, 'class') && endsWith(source, '}')) {
      const slice = strSlice(source, 5, -1);
      const bracketIndex = strIndexOf(slice, '{');
      if (
        bracketIndex !== -1 &&
        (!strIncludes(strSlice(slice, 0, bracketIndex), '(') || regexpExec(classRegExp, slice) !== null)
      ) {
        const name = (hasOwn(value, 'name') && value.name) || '(anonymous)';
        let classBase = `class ${name}`;
        if (ctorName !== 'Function' && ctorName !== null) classBase += ` [${ctorName}]`;
        if (tag !== '' && ctorName !== tag) classBase += ` [${tag}]`;
        if (ctorName !== null) {
          const superName = getPrototypeOf(value).name;
          if (superName) classBase += ` extends ${superName}`;
        } else classBase += ' extends [null prototype]';
        return `[${classBase}]`;
      }
    }
    const proto = getPrototypeOf(value);
    let type = 'Function';
    if (proto === GeneratorFunctionPrototype || proto === AsyncGeneratorFunctionPrototype)
      type = `Generator${type}`;
    if (proto === AsyncFunctionPrototype || proto === AsyncGeneratorFunctionPrototype) type = `Async${type}`;
    let base = `[${type}`;
    if (ctorName === null) base += ' (null prototype)';
    const name = value.name;
    if (name === '') base += ' (anonymous)';
    else base += `: ${typeof name === 'string' ? name : formatValue(ctx, name, 0)}`;
    base += ']';
    if (ctorName !== type && ctorName !== null) base += ` ${ctorName}`;
    if (tag !== '' && ctorName !== tag) base += ` [${tag}]`;
    return base;
  }

  function replaceNewlines(s, replacement) {
    let out = '';
    let last = 0;
    for (let i = 0; i < s.length; i++) {
      if (charCodeAt(s, i) === 10) {
        out += strSlice(s, last, i) + replacement;
        last = i + 1;
      }
    }
    return last === 0 ? s : out + strSlice(s, last);
  }

  function splitLines(s) {
    const lines = [];
    let start = 0;
    for (let i = 0; i <= s.length; i++) {
      if (i === s.length || charCodeAt(s, i) === 10) {
        arrayPush(lines, strSlice(s, start, i));
        start = i + 1;
      }
    }
    return lines;
  }

  function getStackString(ctx, error) {
    let stack;
    try {
      stack = error.stack;
    } catch {}
    if (stack) {
      if (typeof stack === 'string') return stack;
      arrayPush(ctx.seen, error);
      ctx.indentationLvl += 4;
      const result = formatValue(ctx, stack, 0);
      ctx.indentationLvl -= 4;
      ctx.seen.length--;
      return `${errorToString(error)}\n    ${result}`;
    }
    return errorToString(error);
  }

  // Frames shared with the cause's stack collapse into one "... n lines matching cause stack trace ...".
  function identicalSequenceRange(a, b) {
    for (let i = 0; i < a.length - 3; i++) {
      const pos = arrayIndexOf(b, a[i]);
      if (pos !== -1) {
        const rest = b.length - pos;
        if (rest > 3) {
          let len = 1;
          const maxLen = min(a.length - i, rest);
          while (maxLen > len && a[i + len] === b[pos + len]) len++;
          if (len > 3) return { len, offset: i };
        }
      }
    }
    return { len: 0, offset: 0 };
  }

  function getStackFrames(ctx, err, stack) {
    const frames = splitLines(stack);
    let cause;
    try {
      cause = err.cause;
    } catch {}
    if (cause != null && isError(cause)) {
      const causeStack = getStackString(ctx, cause);
      const causeStackStart = strIndexOf(causeStack, '\n    at');
      if (causeStackStart !== -1) {
        const causeFrames = splitLines(strSlice(causeStack, causeStackStart + 1));
        const { len, offset } = identicalSequenceRange(frames, causeFrames);
        if (len > 0) {
          const skipped = len - 2;
          arraySplice(frames, offset + 1, skipped, `    ... ${skipped} lines matching cause stack trace ...`);
        }
      }
    }
    return frames;
  }

  function improveStack(stack, ctorName, name, tag) {
    let len = name.length;
    let result = stack;
    if (
      ctorName === null ||
      (endsWith(name, 'Error') &&
        startsWith(stack, name) &&
        (stack.length === len || stack[len] === ':' || stack[len] === '\n'))
    ) {
      let fallback = 'Error';
      if (ctorName === null) {
        const start =
          regexpExec(/^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n {4}at)/, stack) ||
          regexpExec(/^([a-z_A-Z0-9-]*Error)$/, stack);
        fallback = start?.[1] || '';
        len = fallback.length;
        fallback ||= 'Error';
      }
      const prefix = strSlice(getPrefix(ctorName, tag, fallback), 0, -1);
      if (name !== prefix) {
        if (strIncludes(prefix, name)) {
          result = len === 0 ? `${prefix}: ${stack}` : `${prefix}${strSlice(stack, len)}`;
        } else result = `${prefix} [${name}]${strSlice(stack, len)}`;
      }
    }
    return result;
  }

  function formatError(err, ctorName, tag, ctx, keys) {
    let stack;
    try {
      stack = getStackString(ctx, err);
    } catch {
      return objectToString(err);
    }
    let message;
    let name;
    let messageThrew = false;
    let nameThrew = false;
    try {
      message = err.message;
    } catch {
      messageThrew = true;
    }
    try {
      name = err.name;
    } catch {
      nameThrew = true;
    }
    if (keys.length !== 0) {
      const stackIndex = arrayIndexOf(keys, 'stack');
      if (stackIndex !== -1) arraySplice(keys, stackIndex, 1);
      if (!messageThrew) {
        const index = arrayIndexOf(keys, 'message');
        if (index !== -1 && (typeof message !== 'string' || strIncludes(stack, message)))
          arraySplice(keys, index, 1);
      }
      if (!nameThrew) {
        const index = arrayIndexOf(keys, 'name');
        if (index !== -1 && (typeof name !== 'string' || strIncludes(stack, name)))
          arraySplice(keys, index, 1);
      }
    }
    name ??= 'Error';
    if (hasOwn(err, 'cause') && arrayIndexOf(keys, 'cause') === -1) arrayPush(keys, 'cause');
    try {
      if (isArray(err.errors) && hasOwn(err, 'errors') && arrayIndexOf(keys, 'errors') === -1) {
        arrayPush(keys, 'errors');
      }
    } catch {}
    if (typeof name === 'string') stack = improveStack(stack, ctorName, name, tag);
    let pos = (message && typeof message === 'string' && strIndexOf(stack, message)) || -1;
    if (pos !== -1) pos += message.length;
    const stackStart = strIndexOf(stack, '\n    at', pos);
    if (stackStart === -1) stack = `[${stack}]`;
    else {
      const lines = getStackFrames(ctx, err, strSlice(stack, stackStart + 1));
      stack = `${strSlice(stack, 0, stackStart)}\n${arrayJoin(lines, '\n')}`;
    }
    if (ctx.indentationLvl !== 0) stack = replaceNewlines(stack, `\n${strRepeat(' ', ctx.indentationLvl)}`);
    return stack;
  }

  const remainingText = (remaining) => `... ${remaining} more item${remaining > 1 ? 's' : ''}`;

  function formatArray(ctx, value, recurseTimes) {
    const valLen = value.length;
    const len = min(max(0, ctx.maxArrayLength), valLen);
    const output = [];
    for (let i = 0; i < len; i++) {
      const desc = getOwnPropertyDescriptor(value, i);
      if (desc === undefined) return formatSpecialArray(ctx, value, recurseTimes, len, output, i);
      arrayPush(output, formatProperty(ctx, value, recurseTimes, i, kArrayType, desc));
    }
    if (valLen > len) arrayPush(output, remainingText(valLen - len));
    return output;
  }

  // Arrays with holes: "<n empty items>".
  function formatSpecialArray(ctx, value, recurseTimes, maxLength, output, start) {
    const keys = objectKeys(value);
    let index = start;
    for (let i = start; i < keys.length && output.length < maxLength; i++) {
      const key = keys[i];
      const tmp = +key;
      if (tmp > 2 ** 32 - 2) break;
      if (`${index}` !== key) {
        if (regexpExec(numberRegExp, key) === null) break;
        const emptyItems = tmp - index;
        arrayPush(output, `<${emptyItems} empty item${emptyItems > 1 ? 's' : ''}>`);
        index = tmp;
        if (output.length === maxLength) break;
      }
      arrayPush(output, formatProperty(ctx, value, recurseTimes, key, kArrayType));
      index++;
    }
    const remaining = value.length - index;
    if (output.length !== maxLength) {
      if (remaining > 0) arrayPush(output, `<${remaining} empty item${remaining > 1 ? 's' : ''}>`);
    } else if (remaining > 0) arrayPush(output, remainingText(remaining));
    return output;
  }

  function formatTypedArray(ctx, value) {
    const length = taLength(value);
    const maxLength = min(max(0, ctx.maxArrayLength), length);
    const output = [];
    for (let i = 0; i < maxLength; i++) {
      const element = value[i];
      arrayPush(output, typeof element === 'bigint' ? `${element}n` : formatNumber(element));
    }
    if (length > maxLength) arrayPush(output, remainingText(length - maxLength));
    return output;
  }

  function formatArrayBuffer(ctx, value) {
    let bytes;
    try {
      bytes = new U8(value);
    } catch {
      return ['(detached)'];
    }
    const hex = hexSlice(bytes, 0, min(ctx.maxArrayLength, bytes.length));
    let str = '';
    for (let i = 0; i < hex.length; i += 2) str += (i === 0 ? '' : ' ') + strSlice(hex, i, i + 2);
    const remaining = bytes.length - ctx.maxArrayLength;
    if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
    return [`[Uint8Contents]: <${str}>`];
  }

  function formatSet(ctx, value, recurseTimes) {
    const length = setSize(value);
    const maxLength = min(max(0, ctx.maxArrayLength), length);
    const output = [];
    ctx.indentationLvl += 2;
    const iterator = setValues(value);
    for (let step = setIteratorNext(iterator); !step.done && output.length < maxLength; ) {
      arrayPush(output, formatValue(ctx, step.value, recurseTimes));
      step = setIteratorNext(iterator);
    }
    if (length > maxLength) arrayPush(output, remainingText(length - maxLength));
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatMap(ctx, value, recurseTimes) {
    const length = mapSize(value);
    const maxLength = min(max(0, ctx.maxArrayLength), length);
    const output = [];
    ctx.indentationLvl += 2;
    const iterator = mapEntries(value);
    for (let step = mapIteratorNext(iterator); !step.done && output.length < maxLength; ) {
      const k = formatValue(ctx, step.value[0], recurseTimes);
      arrayPush(output, `${k} => ${formatValue(ctx, step.value[1], recurseTimes)}`);
      step = mapIteratorNext(iterator);
    }
    if (length > maxLength) arrayPush(output, remainingText(length - maxLength));
    ctx.indentationLvl -= 2;
    return output;
  }

  // Properties are read through their descriptors: getters are shown as [Getter], never called.
  function formatProperty(ctx, value, recurseTimes, key, type, descriptor) {
    let name;
    let str;
    const desc = descriptor ??
      getOwnPropertyDescriptor(value, key) ?? { value: value[key], enumerable: true };
    if (desc.value !== undefined) {
      ctx.indentationLvl += 2;
      str = formatValue(ctx, desc.value, recurseTimes);
      ctx.indentationLvl -= 2;
    } else if (desc.get !== undefined) str = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
    else if (desc.set !== undefined) str = '[Setter]';
    else str = 'undefined';
    if (type === kArrayType) return str;
    if (typeof key === 'symbol') {
      let symbol = symbolToString(key);
      let escaped = '';
      for (let i = 0; i < symbol.length; i++) {
        const c = charCodeAt(symbol, i);
        escaped += c < 0xa0 && ESCAPES[c] !== '' ? ESCAPES[c] : symbol[i];
      }
      symbol = escaped;
      name = symbol;
    } else if (regexpExec(keyStrRegExp, key) !== null) name = key === '__proto__' ? "['__proto__']" : key;
    else name = strEscape(`${key}`);
    if (desc.enumerable === false) name = `[${name}]`;
    ctx.spent += name.length;
    return `${name}: ${str}`;
  }

  function isBelowBreakLength(ctx, output, start, base) {
    if (ctx.breakLength === Infinity) {
      if (base !== '' && strIncludes(base, '\n')) return false;
      for (let i = 0; i < output.length; i++) if (strIncludes(output[i], '\n')) return false;
      return true;
    }
    let totalLength = output.length + start;
    if (totalLength + output.length > ctx.breakLength) return false;
    for (let i = 0; i < output.length; i++) {
      totalLength += output[i].length;
      if (totalLength > ctx.breakLength) return false;
    }
    return base === '' || !strIncludes(base, '\n');
  }

  // Arrays of more than six entries are laid out in columns (compact mode 3).
  function groupArrayElements(ctx, output, value) {
    let totalLength = 0;
    let maxLength = 0;
    let outputLength = output.length;
    if (ctx.maxArrayLength < output.length) outputLength--; // keep "... n more items" out of the columns
    const separatorSpace = 2;
    const dataLen = new Array(outputLength);
    for (let i = 0; i < outputLength; i++) {
      const len = output[i].length;
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len) maxLength = len;
    }
    const actualMax = maxLength + separatorSpace;
    if (
      actualMax * 3 + ctx.indentationLvl < ctx.breakLength &&
      (totalLength / actualMax > 5 || maxLength <= 6)
    ) {
      const averageBias = sqrt(actualMax - totalLength / output.length);
      const biasedMax = max(actualMax - 3 - averageBias, 1);
      const columns = min(
        round(sqrt(2.5 * biasedMax * outputLength) / biasedMax),
        floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
        ctx.compact * 4,
        15,
      );
      if (columns <= 1) return output;
      const tmp = [];
      const maxLineLength = [];
      for (let i = 0; i < columns; i++) {
        let lineLength = 0;
        for (let j = i; j < output.length; j += columns) if (dataLen[j] > lineLength) lineLength = dataLen[j];
        arrayPush(maxLineLength, lineLength + separatorSpace);
      }
      let padNumbers = true;
      if (value !== undefined) {
        for (let i = 0; i < output.length; i++) {
          if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
            padNumbers = false;
            break;
          }
        }
      }
      for (let i = 0; i < outputLength; i += columns) {
        const maxIndex = min(i + columns, outputLength);
        let str = '';
        let j = i;
        for (; j < maxIndex - 1; j++) {
          const padding = maxLineLength[j - i];
          str += padNumbers
            ? padStart(`${output[j]}, `, padding, ' ')
            : padEnd(`${output[j]}, `, padding, ' ');
        }
        str += padNumbers ? padStart(output[j], maxLineLength[j - i] - separatorSpace, ' ') : output[j];
        arrayPush(tmp, str);
      }
      if (ctx.maxArrayLength < output.length) arrayPush(tmp, output[outputLength]);
      return tmp;
    }
    return output;
  }

  function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
    let entries = output;
    if (typeof ctx.compact === 'number' && ctx.compact >= 1) {
      const count = entries.length;
      if (extrasType === kArrayExtrasType && count > 6) entries = groupArrayElements(ctx, entries, value);
      if (ctx.currentDepth - recurseTimes < ctx.compact && count === entries.length) {
        const start = entries.length + ctx.indentationLvl + braces[0].length + base.length + 10;
        if (isBelowBreakLength(ctx, entries, start, base)) {
          const joined = arrayJoin(entries, ', ');
          if (!strIncludes(joined, '\n'))
            return `${base ? `${base} ` : ''}${braces[0]} ${joined} ${braces[1]}`;
        }
      }
    }
    const indentation = `\n${strRepeat(' ', ctx.indentationLvl)}`;
    return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ${arrayJoin(entries, `,${indentation}  `)}${indentation}${braces[1]}`;
  }

  // util.format's %s: objects whose toString is a built-in one are inspected instead of stringified.
  function hasBuiltInToString(value) {
    let hasOwnToString = hasOwn;
    let hasOwnToPrimitive = hasOwn;
    if (typeof value.toString !== 'function') {
      if (typeof value[SymbolToPrimitive] !== 'function') return true;
      if (hasOwn(value, SymbolToPrimitive)) return false;
      hasOwnToString = () => false;
    } else if (hasOwn(value, 'toString')) return false;
    else if (typeof value[SymbolToPrimitive] !== 'function') hasOwnToPrimitive = () => false;
    else if (hasOwn(value, SymbolToPrimitive)) return false;
    let pointer = value;
    do {
      pointer = getPrototypeOf(pointer);
    } while (!hasOwnToString(pointer, 'toString') && !hasOwnToPrimitive(pointer, SymbolToPrimitive));
    const descriptor = getOwnPropertyDescriptor(pointer, 'constructor');
    return (
      descriptor !== undefined &&
      typeof descriptor.value === 'function' &&
      setHas(builtInObjects, descriptor.value.name)
    );
  }

  function tryStringify(value) {
    try {
      return jsonStringify(value);
    } catch (err) {
      // util.format prints "[Circular]" for a cycle; any other failure (a BigInt, a throwing toJSON) is
      // shown instead of thrown, because console output must not fail.
      try {
        const probe = {};
        probe.self = probe;
        jsonStringify(probe);
      } catch (circular) {
        if (
          isError(err) &&
          err.name === 'TypeError' &&
          splitLines(err.message)[0] === splitLines(circular.message)[0]
        ) {
          return '[Circular]';
        }
      }
      return `[${describeThrown(err)}]`;
    }
  }

  function formatPlaceholder(code, arg) {
    switch (code) {
      case 115: // 's'
        if (typeof arg === 'number') return formatNumber(arg);
        if (typeof arg === 'bigint') return `${arg}n`;
        if (typeof arg !== 'object' || arg === null || !hasBuiltInToString(arg)) return StringCtor(arg);
        return inspect(arg, { depth: 0, compact: 3 });
      case 106: // 'j'
        return tryStringify(arg);
      case 100: // 'd'
        if (typeof arg === 'bigint') return `${arg}n`;
        return typeof arg === 'symbol' ? 'NaN' : formatNumber(NumberCtor(arg));
      case 79: // 'O'
        return inspect(arg);
      case 111: // 'o'
        return inspect(arg, { depth: 4 });
      case 105: // 'i'
        if (typeof arg === 'bigint') return `${arg}n`;
        return typeof arg === 'symbol' ? 'NaN' : formatNumber(numberParseInt(arg));
      case 102: // 'f'
        return typeof arg === 'symbol' ? 'NaN' : formatNumber(numberParseFloat(arg));
      default: // 'c': CSS, ignored
        return '';
    }
  }

  // util.format: printf-like placeholders (%s %d %i %f %j %o %O %c %%), remaining arguments inspected
  // and joined with spaces. The result is capped at MAX_INSPECT_LENGTH characters like inspect's.
  function format(...args) {
    const first = args[0];
    let a = 0;
    let str = '';
    let join = '';
    if (typeof first === 'string') {
      if (args.length === 1) return capLength(first);
      let lastPos = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (charCodeAt(first, i) !== 37) continue;
        const nextChar = charCodeAt(first, ++i);
        if (a + 1 !== args.length) {
          if (nextChar === 37) {
            str += strSlice(first, lastPos, i);
            lastPos = i + 1;
            continue;
          }
          if (!strIncludes('sjdOoifc', fromCharCode(nextChar))) continue;
          let tempStr;
          try {
            tempStr = formatPlaceholder(nextChar, args[++a]);
          } catch (err) {
            tempStr = `[${describeThrown(err)}]`;
          }
          if (lastPos !== i - 1) str += strSlice(first, lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += strSlice(first, lastPos, i);
          lastPos = i + 1;
        }
        if (str.length > MAX_INSPECT_LENGTH) return capLength(str);
      }
      if (lastPos !== 0) {
        a++;
        join = ' ';
        if (lastPos < first.length) str += strSlice(first, lastPos);
      }
    }
    while (a < args.length && str.length <= MAX_INSPECT_LENGTH) {
      const value = args[a];
      str += join;
      str += typeof value !== 'string' ? inspect(value) : value;
      join = ' ';
      a++;
    }
    return capLength(str);
  }

  // ── querystring (Node's lib/querystring.js) ─────────────────────────────────────────────────────────────
  // Characters querystring.escape leaves alone: A–Z a–z 0–9 - . _ ~ ! ' ( ) *
  const isQueryStringSafe = (c) =>
    isFormSafe(c) || c === 0x7e || c === 0x21 || c === 0x27 || c === 0x28 || c === 0x29;

  // internal/querystring encodeStr: UTF-8 percent-encoding; a lone surrogate is a URIError, as in Node.
  function encodeStr(str, keep) {
    for (let i = 0; i < str.length; i++) {
      const c = charCodeAt(str, i);
      if (c >= 0xdc00 && c <= 0xdfff) {
        if (i === 0 || charCodeAt(str, i - 1) < 0xd800 || charCodeAt(str, i - 1) > 0xdbff) {
          throw nodeError(URIError, 'ERR_INVALID_URI', 'URI malformed');
        }
      } else if (c >= 0xd800 && c <= 0xdbff) {
        const next = i + 1 < str.length ? charCodeAt(str, i + 1) : 0;
        if (next < 0xdc00 || next > 0xdfff) throw nodeError(URIError, 'ERR_INVALID_URI', 'URI malformed');
      }
    }
    return percentEncode(str, keep, false);
  }

  function qsEscape(str) {
    let s = str;
    if (typeof s !== 'string') s = typeof s === 'object' ? StringCtor(s) : `${s}`;
    return encodeStr(s, isQueryStringSafe);
  }

  // Percent-decoding that never fails: a "%" not followed by two hex digits stays as it is.
  function unescapeBuffer(s, decodeSpaces) {
    const out = new FastBuffer(s.length);
    let outIndex = 0;
    let hasHex = false;
    for (let index = 0; index < s.length; index++) {
      let c = charCodeAt(s, index);
      if (c === 43 && decodeSpaces) {
        out[outIndex++] = 32;
        continue;
      }
      if (c === 37 && index < s.length - 2) {
        const hi = HEX_VALUE[charCodeAt(s, index + 1) & 0xff];
        const lo = HEX_VALUE[charCodeAt(s, index + 2) & 0xff];
        if (hi >= 0 && charCodeAt(s, index + 1) < 256 && lo >= 0 && charCodeAt(s, index + 2) < 256) {
          hasHex = true;
          c = hi * 16 + lo;
          index += 2;
        }
      }
      out[outIndex++] = c;
    }
    return hasHex ? subarrayOf(out, 0, outIndex) : out;
  }

  function qsUnescape(s, decodeSpaces) {
    try {
      return decodeURIComponentFn(s);
    } catch {
      const bytes = querystring.unescapeBuffer(s, decodeSpaces);
      return isUint8Array(bytes) ? utf8Decode(bytes, 0, taLength(bytes), false, false) : `${bytes}`;
    }
  }

  function stringifyPrimitive(v) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && numberIsFinite(v)) return `${v}`;
    if (typeof v === 'bigint') return `${v}`;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return '';
  }

  function encodeStringified(v, encode) {
    if (typeof v === 'string') return v.length ? encode(v) : '';
    // Numbers of 1e21 and more print with an exponent whose "+" needs escaping.
    if (typeof v === 'number' && numberIsFinite(v)) return abs(v) < 1e21 ? `${v}` : encode(`${v}`);
    if (typeof v === 'bigint') return `${v}`;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return '';
  }

  function qsStringify(obj, sep, eq, options) {
    const separator = sep || '&';
    const assign = eq || '=';
    let encode = querystring.escape;
    if (options && typeof options.encodeURIComponent === 'function') encode = options.encodeURIComponent;
    const convert = encode === qsEscape ? encodeStringified : (v, enc) => enc(stringifyPrimitive(v));
    if (obj === null || typeof obj !== 'object') return '';
    const keys = objectKeys(obj);
    let fields = '';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = obj[k];
      const ks = convert(k, encode) + assign;
      if (isArray(v)) {
        if (v.length === 0) continue;
        if (fields) fields += separator;
        for (let j = 0; j < v.length; j++) {
          if (j) fields += separator;
          fields += ks + convert(v[j], encode);
        }
      } else {
        if (fields) fields += separator;
        fields += ks + convert(v, encode);
      }
    }
    return fields;
  }

  function charCodes(str) {
    const codes = [];
    for (let i = 0; i < str.length; i++) arrayPush(codes, charCodeAt(str, i));
    return codes;
  }

  function decodeQueryPart(s, decode) {
    try {
      return decode(s);
    } catch {
      return querystring.unescape(s, true);
    }
  }

  function addKeyVal(obj, key, value, keyEncoded, valEncoded, decode) {
    const k = key.length > 0 && keyEncoded ? decodeQueryPart(key, decode) : key;
    const v = value.length > 0 && valEncoded ? decodeQueryPart(value, decode) : value;
    const current = obj[k];
    if (current === undefined) obj[k] = v;
    else if (isArray(current)) arrayPush(current, v);
    else obj[k] = [current, v];
  }

  // querystring.parse, a line-by-line port of Node's parser: multi-character separators, "+" as space,
  // maxKeys (default 1000), decoding only of parts that contain a valid %XX, a null-prototype result.
  function qsParse(qs, sep, eq, options) {
    const obj = { __proto__: null };
    if (typeof qs !== 'string' || qs.length === 0) return obj;
    const sepCodes = !sep ? [38] : charCodes(StringCtor(sep));
    const eqCodes = !eq ? [61] : charCodes(StringCtor(eq));
    const sepLen = sepCodes.length;
    const eqLen = eqCodes.length;
    let pairs = 1000;
    if (options && typeof options.maxKeys === 'number') pairs = options.maxKeys > 0 ? options.maxKeys : -1;
    let decode = querystring.unescape;
    if (options && typeof options.decodeURIComponent === 'function') decode = options.decodeURIComponent;
    const customDecode = decode !== qsUnescape;
    let lastPos = 0;
    let sepIdx = 0;
    let eqIdx = 0;
    let key = '';
    let value = '';
    let keyEncoded = customDecode;
    let valEncoded = customDecode;
    const plusChar = customDecode ? '%20' : ' ';
    let encodeCheck = 0;
    for (let i = 0; i < qs.length; ++i) {
      const code = charCodeAt(qs, i);
      if (code === sepCodes[sepIdx]) {
        if (++sepIdx === sepLen) {
          const end = i - sepIdx + 1;
          if (eqIdx < eqLen) {
            if (lastPos < end) key += strSlice(qs, lastPos, end);
            else if (key.length === 0) {
              if (--pairs === 0) return obj;
              lastPos = i + 1;
              sepIdx = eqIdx = 0;
              continue;
            }
          } else if (lastPos < end) value += strSlice(qs, lastPos, end);
          addKeyVal(obj, key, value, keyEncoded, valEncoded, decode);
          if (--pairs === 0) return obj;
          keyEncoded = valEncoded = customDecode;
          key = value = '';
          encodeCheck = 0;
          lastPos = i + 1;
          sepIdx = eqIdx = 0;
        }
        continue;
      }
      sepIdx = 0;
      if (eqIdx < eqLen) {
        if (code === eqCodes[eqIdx]) {
          if (++eqIdx === eqLen) {
            const end = i - eqIdx + 1;
            if (lastPos < end) key += strSlice(qs, lastPos, end);
            encodeCheck = 0;
            lastPos = i + 1;
          }
          continue;
        }
        eqIdx = 0;
        if (!keyEncoded) {
          if (code === 37) {
            encodeCheck = 1;
            continue;
          }
          if (encodeCheck > 0) {
            if (code < 128 && HEX_VALUE[code] >= 0) {
              if (++encodeCheck === 3) keyEncoded = true;
              continue;
            }
            encodeCheck = 0;
          }
        }
        if (code === 43) {
          if (lastPos < i) key += strSlice(qs, lastPos, i);
          key += plusChar;
          lastPos = i + 1;
          continue;
        }
      }
      if (code === 43) {
        if (lastPos < i) value += strSlice(qs, lastPos, i);
        value += plusChar;
        lastPos = i + 1;
      } else if (!valEncoded) {
        if (code === 37) encodeCheck = 1;
        else if (encodeCheck > 0) {
          if (code < 128 && HEX_VALUE[code] >= 0) {
            if (++encodeCheck === 3) valEncoded = true;
          } else encodeCheck = 0;
        }
      }
    }
    if (lastPos < qs.length) {
      if (eqIdx < eqLen) key += strSlice(qs, lastPos);
      else if (sepIdx < sepLen) value += strSlice(qs, lastPos);
    } else if (eqIdx === 0 && key.length === 0) return obj;
    addKeyVal(obj, key, value, keyEncoded, valEncoded, decode);
    return obj;
  }

  const querystring = {
    unescapeBuffer,
    unescape: qsUnescape,
    escape: qsEscape,
    stringify: qsStringify,
    encode: qsStringify,
    parse: qsParse,
    decode: qsParse,
  };

  // ── url (Node's legacy url module, on top of the WHATWG parser) ─────────────────────────────────────────
  // url.parse returns Node's legacy Url shape, but its fields come from WHATWG parsing, not from Node's
  // legacy parser. Known differences from Node's url.parse:
  //  - hrefs are WHATWG-normalised: default ports dropped ("http://x:80/" → host "x"), dot segments
  //    resolved, characters percent-encoded and hosts IDNA-mapped by WHATWG rules;
  //  - input the WHATWG parser rejects (bad host, bad port) throws TypeError ERR_INVALID_URL instead of
  //    producing a best-effort object;
  //  - non-special schemes are not split as legacy did ("mailto:a@b" keeps pathname "a@b", no auth/host);
  //    `auth` is decoded with decodeURIComponent;
  //  - input without a scheme (relative, or "//host/path") is split into pathname/search/hash without a
  //    host, as legacy does by default, with legacy's escaping of spaces, quotes, <>, \ ^ ` { | }.
  class Url {
    constructor() {
      this.protocol = null;
      this.slashes = null;
      this.auth = null;
      this.host = null;
      this.port = null;
      this.hostname = null;
      this.hash = null;
      this.search = null;
      this.query = null;
      this.pathname = null;
      this.path = null;
      this.href = null;
    }

    format() {
      return formatUrlObject(this);
    }
  }

  const LEGACY_ESCAPES = { __proto__: null, '\t': '%09', '\n': '%0A', '\r': '%0D', ' ': '%20', '"': '%22' };
  for (const c of "'<>\\^`{|}") LEGACY_ESCAPES[c] = PERCENT[charCodeAt(c, 0)];

  function legacyEscape(s) {
    let out = '';
    for (let i = 0; i < s.length; i++) out += LEGACY_ESCAPES[s[i]] ?? s[i];
    return out;
  }

  function urlParse(input, parseQueryString = false) {
    if (typeof input !== 'string') throw invalidArgType('url', 'of type string', input);
    const result = new Url();
    const text = strTrim(input);
    let search = null;
    if (regexpExec(/^[A-Za-z][A-Za-z0-9+.-]*:/, text) !== null) {
      const r = parseUrl(text, undefined);
      if (r === null) throw invalidUrl(text);
      result.protocol = r.protocol;
      result.slashes = r.hasAuthority ? true : null;
      if (r.username !== '' || r.password !== '') {
        const user = percentDecode(r.username, false);
        result.auth = r.password !== '' ? `${user}:${percentDecode(r.password, false)}` : user;
      }
      if (r.hasAuthority) {
        result.host = r.host;
        result.port = r.port === '' ? null : r.port;
        result.hostname = startsWith(r.hostname, '[') ? strSlice(r.hostname, 1, -1) : r.hostname;
      }
      result.hash = r.rawHash === '' ? null : r.rawHash;
      search = r.rawSearch === '' ? null : r.rawSearch;
      result.pathname = r.pathname === '' ? null : r.pathname;
      result.href = r.href;
    } else {
      let rest = text;
      const hashAt = strIndexOf(rest, '#');
      if (hashAt !== -1) {
        result.hash = legacyEscape(strSlice(rest, hashAt));
        rest = strSlice(rest, 0, hashAt);
      }
      const queryAt = strIndexOf(rest, '?');
      if (queryAt !== -1) {
        search = legacyEscape(strSlice(rest, queryAt));
        rest = strSlice(rest, 0, queryAt);
      }
      result.pathname = rest === '' ? null : legacyEscape(rest);
    }
    if (search !== null) {
      result.search = search;
      result.query = parseQueryString ? qsParse(strSlice(search, 1)) : strSlice(search, 1);
    } else if (parseQueryString) result.query = { __proto__: null };
    if (result.pathname !== null || result.search !== null)
      result.path = (result.pathname ?? '') + (result.search ?? '');
    if (result.href === null) result.href = formatUrlObject(result);
    return result;
  }

  // Characters Url#format leaves unescaped in `auth`: alphanumerics and ! ' ( ) * - . : _ ~
  const isAuthSafe = (c) => isQueryStringSafe(c) || c === 0x3a;
  const SLASHED_PROTOCOLS = {
    __proto__: null,
    'http:': 1,
    'https:': 1,
    'ftp:': 1,
    'gopher:': 1,
    'file:': 1,
    'ws:': 1,
    'wss:': 1,
  };

  // Node's Url.prototype.format.
  function formatUrlObject(object) {
    let auth = object.auth || '';
    if (auth) auth = `${encodeStr(`${auth}`, isAuthSafe)}@`;
    let protocol = object.protocol || '';
    if (protocol && !endsWith(protocol, ':')) protocol += ':';
    let pathname = object.pathname || '';
    let hash = object.hash || '';
    let hostPart = '';
    if (object.host) hostPart = auth + object.host;
    else if (object.hostname) {
      const hostname = `${object.hostname}`;
      hostPart =
        auth + (strIncludes(hostname, ':') && !startsWith(hostname, '[') ? `[${hostname}]` : hostname);
      if (object.port) hostPart += `:${object.port}`;
    }
    let query = '';
    if (object.query !== null && typeof object.query === 'object') query = qsStringify(object.query);
    let search = object.search || (query && `?${query}`) || '';
    let escapedPath = '';
    for (let i = 0; i < pathname.length; i++) {
      const c = pathname[i];
      escapedPath += c === '#' ? '%23' : c === '?' ? '%3F' : c;
    }
    pathname = escapedPath;
    if (object.slashes || SLASHED_PROTOCOLS[protocol] === 1) {
      if (object.slashes || hostPart) {
        if (pathname && pathname[0] !== '/') pathname = `/${pathname}`;
        hostPart = `//${hostPart}`;
      } else if (startsWith(protocol, 'file')) hostPart = '//';
    }
    let escapedSearch = '';
    for (let i = 0; i < search.length; i++) escapedSearch += search[i] === '#' ? '%23' : search[i];
    search = escapedSearch;
    if (hash && hash[0] !== '#') hash = `#${hash}`;
    if (search && search[0] !== '?') search = `?${search}`;
    return protocol + hostPart + pathname + search + hash;
  }

  // url.format(urlObject | URL | string, options): a WHATWG URL is serialised with Node's options
  // (auth, fragment, search; `unicode` is not supported: hosts stay in their ASCII form).
  function urlFormat(urlObject, options = undefined) {
    if (typeof urlObject === 'string') return formatUrlObject(urlParse(urlObject));
    if (typeof urlObject !== 'object' || urlObject === null) {
      throw invalidArgType('urlObject', 'one of type object or string', urlObject);
    }
    if (isInstanceof(urlObject, URL)) {
      const copy = new URL(urlObject.href);
      if (options) {
        if (options.fragment != null && !options.fragment) copy.hash = '';
        if (options.search != null && !options.search) copy.search = '';
        if (options.auth != null && !options.auth) {
          copy.username = '';
          copy.password = '';
        }
      }
      return copy.href;
    }
    return formatUrlObject(urlObject);
  }

  // url.resolve(from, to), by the WHATWG equivalent Node documents: resolve against a placeholder
  // scheme so relative `from` values stay relative.
  function urlResolve(from, to) {
    const resolved = new URL(String(to), new URL(String(from), 'resolve://'));
    if (resolved.protocol === 'resolve:') return resolved.pathname + resolved.search + resolved.hash;
    return resolved.toString();
  }

  const url = {
    URL,
    URLSearchParams,
    parse: urlParse,
    format: urlFormat,
    resolve: urlResolve,
    Url,
  };

  // ── timingSafeEqual (Node's crypto.timingSafeEqual) ─────────────────────────────────────────────────────
  // Compares every byte whatever the first difference, so the time taken does not reveal where it is.
  function timingSafeEqual(buf1, buf2) {
    const expected = 'an instance of ArrayBuffer, Buffer, TypedArray, or DataView.';
    if (!isAnyArrayBuffer(buf1) && !isArrayBufferView(buf1)) {
      throw nodeError(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', `The "buf1" argument must be ${expected}`);
    }
    if (!isAnyArrayBuffer(buf2) && !isArrayBufferView(buf2)) {
      throw nodeError(TypeErrorCtor, 'ERR_INVALID_ARG_TYPE', `The "buf2" argument must be ${expected}`);
    }
    const a = bytesOf(buf1);
    const b = bytesOf(buf2);
    if (a.length !== b.length) {
      throw nodeError(
        RangeErrorCtor,
        'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH',
        'Input buffers must have the same byte length',
      );
    }
    let difference = 0;
    for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
    return difference === 0;
  }

  return {
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    Buffer,
    structuredClone,
    URL,
    URLSearchParams,
    format,
    inspect,
    querystring,
    url,
    timingSafeEqual,
  };
})
