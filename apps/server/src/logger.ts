import { unescape as decodeQueryComponent } from 'node:querystring';
import type { LoggerOptions } from 'pino';

/** Query parameters whose values are credentials and never reach a log line. */
const SECRET_PARAMS =
  /^(code|state|session_token|id_token_hint|access_token|refresh_token|id_token|token|client_secret|password|assertion|SAMLRequest|SAMLResponse|client_assertion)$/i;

/**
 * Replaces the values of credential-bearing query parameters in a URL path with `[Redacted]`
 * (docs/security.md#53: `/userinfo?access_token=` is accepted, RFC 6750 §2.3). A name is decoded as
 * the parsers that read the query decode it (`+` is a space, a malformed escape is kept as it is, never
 * an error), so no spelling the server accepts as `access_token` slips past, and a malformed query
 * cannot make the log line fail.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq).replaceAll('+', ' '));
      return eq !== -1 && SECRET_PARAMS.test(name) ? `${pair.slice(0, eq)}=[Redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/**
 * pino JSON logs: a request id on every request line, and redaction of passwords, secrets, tokens,
 * cookies and Authorization headers wherever they appear in logged objects.
 */
export function loggerOptions(level: string): LoggerOptions {
  const secrets = [
    'password',
    'secret',
    'client_secret',
    'clientSecret',
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'authorization',
    'cookie',
    'masterKey',
    'privateKey',
  ];
  return {
    level,
    base: { service: 'tessera' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        ...secrets,
        ...secrets.map((s) => `*.${s}`),
        ...secrets.map((s) => `*.*.${s}`),
      ],
      censor: '[Redacted]',
    },
    serializers: {
      req(req: {
        method: string;
        url: string;
        hostname?: string;
        ip?: string;
        headers?: Record<string, unknown>;
      }) {
        return {
          method: req.method,
          url: redactUrl(req.url),
          host: req.hostname,
          ip: req.ip,
          userAgent: req.headers?.['user-agent'],
        };
      },
    },
  };
}
