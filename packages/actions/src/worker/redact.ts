/**
 * Secrets never appear in logs, commands or execution records (issue "Secrets", SECURITY.md 11): every
 * occurrence of a secret value in what leaves the worker is replaced. Values shorter than
 * MIN_SECRET_LENGTH are not searched for: replacing "1" or "ab" everywhere would garble every record
 * while protecting nothing (README "Actions: secrets").
 */
export const MIN_SECRET_LENGTH = 4;
const MARK = '[REDACTED]';

export function secretRedactor(secrets: Iterable<string>): (value: unknown) => unknown {
  const values = [...new Set(secrets)]
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
