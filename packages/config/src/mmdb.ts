import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** MaxMind DB spec §"Database Metadata": the metadata starts after this marker, in the last 128 KiB. */
const METADATA_MARKER = Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1');
const METADATA_MAX_BYTES = 128 * 1024;

/**
 * Throws unless the file looks like a MaxMind DB (.mmdb): a GeoIP CSV, a gzipped download or a
 * truncated copy is refused with the other configuration errors, naming the variable or file key.
 * Which kind of database it is (City, Country, ASN) is checked when the server opens it.
 */
export function assertMaxMindDb(path: string): void {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, METADATA_MAX_BYTES + METADATA_MARKER.length);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    if (tail.lastIndexOf(METADATA_MARKER) === -1) throw new Error(`${path} is not a MaxMind DB (.mmdb) file`);
  } finally {
    closeSync(fd);
  }
}
