import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_SHAPE } from '../../src/event/event-shape.ts';
import { completePostLoginEvent, defaultPostLoginEvent } from '../../src/event/index.ts';
import type { Shape } from '../../src/event/shape.ts';

const fieldsOf = (shape: Shape) => (shape.kind === 'object' ? shape.fields : {});

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Paths of required fields missing from `value`, looking only inside what is present. */
function missing(shape: Shape, value: unknown, path: string, out: string[] = []): string[] {
  if (value === undefined) {
    if (!shape.optional) out.push(path);
  } else if (shape.kind === 'object' && isObject(value)) {
    for (const [name, field] of Object.entries(shape.fields))
      missing(field, value[name], `${path}.${name}`, out);
  } else if (shape.kind === 'list' && Array.isArray(value)) {
    for (const [index, item] of value.entries()) missing(shape.items, item, `${path}[${index}]`, out);
  }
  return out;
}

/** Paths of fields of `value` the shape does not declare (free-form dictionaries excepted). */
function undeclared(shape: Shape, value: unknown, path: string, out: string[] = []): string[] {
  if (shape.kind === 'object' && isObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      const field = Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
      if (field === undefined) out.push(`${path}.${key}`);
      else undeclared(field, inner, `${path}.${key}`, out);
    }
  } else if (shape.kind === 'list' && Array.isArray(value)) {
    for (const [index, item] of value.entries()) undeclared(shape.items, item, `${path}[${index}]`, out);
  }
  return out;
}

describe('defaultPostLoginEvent', () => {
  it('is a realistic database login from 203.0.113.7 in Chrome, code flow, openid profile email', () => {
    const event = defaultPostLoginEvent();
    assert.match(event.user.user_id, /^auth0\|[0-9a-f]{24}$/);
    assert.deepEqual(event.user.identities[0], {
      connection: 'Username-Password-Authentication',
      provider: 'auth0',
      user_id: event.user.user_id.slice('auth0|'.length),
      isSocial: false,
    });
    assert.ok(Object.keys(event.user.user_metadata).length > 0);
    assert.ok(Object.keys(event.user.app_metadata).length > 0);
    assert.deepEqual(event.connection.name, 'Username-Password-Authentication');
    assert.equal(event.connection.strategy, 'auth0');
    assert.equal(event.request.ip, '203.0.113.7');
    assert.match(event.request.user_agent ?? '', /Chrome\/\d+/);
    assert.equal(event.transaction.protocol, 'oidc-basic-profile');
    assert.deepEqual(event.transaction.requested_scopes, ['openid', 'profile', 'email']);
    assert.deepEqual(
      event.authentication.methods.map((method) => method.name),
      ['pwd'],
    );
    assert.equal(event.session?.user_id, event.user.user_id);
    assert.deepEqual(event.secrets, {});
  });

  it('has every required field of the declared event, and no field the declaration lacks', () => {
    // The default, and the default with every optional section (each completed over its sample).
    const withSections = completePostLoginEvent({ organization: {}, refresh_token: {}, prompt: {} });
    for (const event of [defaultPostLoginEvent(), withSections]) {
      assert.deepEqual(missing(EVENT_SHAPE, event, 'event'), []);
      assert.deepEqual(undeclared(EVENT_SHAPE, event, 'event'), []);
    }
    assert.deepEqual(Object.keys(withSections).sort(), Object.keys(fieldsOf(EVENT_SHAPE)).sort());
  });

  it('is a fresh object on every call', () => {
    const first = defaultPostLoginEvent();
    first.user.app_metadata.plan = 'changed';
    assert.notEqual(defaultPostLoginEvent().user.app_metadata.plan, 'changed');
  });

  it('is what an empty partial completes to', () => {
    assert.deepEqual(completePostLoginEvent({}), defaultPostLoginEvent());
  });
});
