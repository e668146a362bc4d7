import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { EgressError } from './errors.ts';

/** Statuses and methods whose responses have no body (RFC 9110 §6.4.1), so there is nothing to decode. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const MAX_CODINGS = 5;

/**
 * Reads the response body with a running byte cap on the decoded bytes: a 10 kB gzip bomb inflating to
 * gigabytes is stopped at the cap, not after it has filled the worker's memory. Breaking the cap destroys
 * the response and with it the socket, so the server cannot keep streaming.
 */
export async function readBody(
  response: IncomingMessage,
  method: string,
  host: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  const tooLarge = () =>
    new EgressError(
      'too_large',
      `fetch to ${host} failed: response body exceeds the limit of ${maxBytes} bytes`,
    );
  // Compressed bytes are capped as well, with headroom for incompressible data (a few bytes per block),
  // so a server cannot stream endless input that decodes to nothing.
  let raw = 0;
  const rawCap = maxBytes + Math.ceil(maxBytes / 100) + 1024;
  const countRaw = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      raw += chunk.length;
      if (raw > rawCap) throw tooLarge();
      yield chunk;
    }
  };
  const collect = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  };
  let decoders: Transform[] = [];
  try {
    if (method !== 'HEAD' && !NULL_BODY_STATUSES.has(response.statusCode ?? 0)) {
      decoders = decodersFor(response.headers['content-encoding'], host);
    }
    // The array form runs async-generator stages too; @types/node only types streams there, hence the cast.
    const stages = [response, countRaw, ...decoders, collect] as unknown as NodeJS.ReadableStream[];
    await pipeline(stages, { signal });
  } catch (error) {
    response.destroy();
    if (error instanceof EgressError || signal.aborted || decoders.length === 0) throw error;
    throw new EgressError('network', `fetch to ${host} failed: the response body could not be decoded`, {
      cause: error,
    });
  }
  // A fresh, exact-size copy: Buffer.concat may hand out a slice of Node's shared pool, whose backing
  // ArrayBuffer holds other requests' bytes and must never be copied into a tenant's isolate.
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

/** Decoders in the order to apply them (the reverse of the order the server applied the codings). */
function decodersFor(header: string | undefined, host: string): Transform[] {
  if (!header) return [];
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > MAX_CODINGS) {
    throw new EgressError('network', `fetch to ${host} failed: too many content-encodings`);
  }
  // An unknown coding: hand the bytes over undecoded (with their content-encoding header), as fetch does.
  if (!codings.every((coding) => Object.hasOwn(DECODERS, coding))) return [];
  return codings.reverse().map((coding) => DECODERS[coding]!());
}

// Sync flush tolerates a body truncated by a lenient server, as browsers and undici do.
const Z_FLUSH = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BR_FLUSH = {
  flush: zlib.constants.BROTLI_OPERATION_FLUSH,
  finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
};
const DECODERS: Record<string, () => Transform> = {
  gzip: () => zlib.createGunzip(Z_FLUSH),
  'x-gzip': () => zlib.createGunzip(Z_FLUSH),
  deflate: () => zlib.createInflate(Z_FLUSH),
  br: () => zlib.createBrotliDecompress(BR_FLUSH),
};
