/**
 * Secrets never appear in logs, commands or execution records (issue "Secrets", docs/security.md#11): every
 * occurrence of a secret value in what leaves the worker is replaced. Values shorter than
 * MIN_SECRET_LENGTH are not searched for: replacing "1" or "ab" everywhere would garble every record
 * while protecting nothing (docs/actions.md#secrets).
 */
export const MIN_SECRET_LENGTH = 4;
const MARK = '[REDACTED]';

export function secretRedactor(secrets: Iterable<string>): (value: unknown) => unknown {
  const values = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(writtenForms))]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (value) => value;
  const redactString = (text: string) => {
    let out = text;
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(MARK);
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        Object.defineProperty(out, redactString(key), {
          value: walk(inner),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return value;
  };
  return walk;
}

/**
 * The forms a secret takes in output besides itself: escaped by JSON.stringify, by console.log's
 * inspect (single-quoted strings), percent-encoded in a URL, and line by line (a PEM key printed by
 * inspect is split into one quoted piece per line).
 */
function writtenForms(secret: string): string[] {
  const pieces = [secret, ...secret.split(/\r?\n/).filter((line) => line.trim().length >= 8)];
  return pieces.flatMap((piece) => {
    const backslashes = piece.replace(/\\/g, '\\\\');
    return [
      piece,
      JSON.stringify(piece).slice(1, -1),
      backslashes.replace(/'/g, "\\'").replace(/\n/g, '\\n'), // inspect, single-quoted
      backslashes.replace(/"/g, '\\"').replace(/\n/g, '\\n'), // inspect, double-quoted
      encodeURIComponent(piece),
    ];
  });
}
