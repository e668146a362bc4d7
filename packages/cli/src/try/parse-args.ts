import { parseArgs } from 'node:util';

export interface TryOptions {
  issuer?: string;
  /** The callback's port on 127.0.0.1; 0 lets the system pick a free one. */
  port: number;
  user?: string;
  password?: string;
  audience?: string;
  json: boolean;
}

/** `try`'s arguments, or what is wrong with them (a usage error, exit code 2). */
export function parseTryArgs(args: string[]): TryOptions | string {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      audience: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) return `try takes no arguments, got ${positionals.join(' ')}`;
  const { issuer, port, user, password, audience } = values;
  const issuerUrl = issuer === undefined ? undefined : URL.parse(issuer);
  if (issuer !== undefined && !/^https?:$/.test(issuerUrl?.protocol ?? ''))
    return '--issuer must be an http(s) URL, such as http://localhost:3000';
  // The first-run client's secret (every Management API scope) goes to this address: never in clear
  // text over a network.
  if (issuerUrl?.protocol === 'http:' && !isLoopback(issuerUrl.hostname))
    return '--issuer must use https unless it is localhost or a loopback address (the first-run secret is sent to it)';
  if (port !== undefined && !/^[1-9]\d{0,4}$/.test(port)) return '--port must be a port number (1-65535)';
  if (port !== undefined && Number(port) > 65_535) return '--port must be a port number (1-65535)';
  // The shape the login form accepts, no more: the server judges the rest when it creates the user.
  if (user !== undefined && !/^[^\s@]+@[^\s@]+$/.test(user)) return '--user must be an email address';
  if (password !== undefined && user === undefined) return '--password needs --user <email>';
  if (password === '') return '--password must not be empty';
  if (audience === '') return '--audience must not be empty';
  return { issuer, port: port === undefined ? 0 : Number(port), user, password, audience, json: values.json };
}

const isLoopback = (host: string) =>
  host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '[::1]';
