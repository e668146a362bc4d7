// biome-ignore-all format: the runtime evaluates this file as `(<file>)(…)`, and the formatter would end it with a `;` that breaks that (format it by removing this line, running biome, and deleting the final `;`)
(function tesseraApi(host) {
  // Builds the post-login `api` inside the isolate. Each method is a stub: it serialises its arguments
  // (a copy: nothing the tenant holds is shared with the host) and asks the host to validate and record
  // them. The host's answer is authoritative; an error comes back as a message thrown here, in the
  // tenant's own call stack, exactly where Auth0 would throw.

  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const hasOwn = Object.hasOwn;
  const defineProperty = Object.defineProperty;

  function serialise(method, args) {
    let mask = 0;
    for (let i = 0; i < args.length; i++) if (args[i] === undefined) mask |= 1 << i;
    try {
      return [stringify(args), mask];
    } catch (error) {
      throw new TypeError(`api.${method}: arguments must be JSON values (${error.message})`);
    }
  }
  function call(method, args) {
    const [json, mask] = serialise(method, args);
    const problem = host.record(method, json, mask);
    if (problem !== '') throw new Error(problem);
    return json;
  }
  /** Sets or (for null) deletes `key` on a metadata object of the event, as an own data property. */
  function updateMetadata(holder, field, key, json) {
    if (holder === null || typeof holder !== 'object') return;
    const current = holder[field];
    const target = current !== null && typeof current === 'object' ? current : {};
    const value = parse(json)[1];
    if (value === null || value === undefined) delete target[key];
    else defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    holder[field] = target;
  }

  return function buildApi(event, context) {
    const api = {};
    const setter =
      (method) =>
      (...args) => {
        call(method, args);
        return api;
      };
    const hostJson = (fn, options, method) => {
      const result = parse(fn(serialise(method, [options])[0]));
      if (!result.ok) throw new Error(result.message);
      return result.value;
    };

    api.access = { deny: setter('access.deny') };
    api.accessToken = {
      setCustomClaim: setter('accessToken.setCustomClaim'),
      addScope: setter('accessToken.addScope'),
      removeScope: setter('accessToken.removeScope'),
    };
    api.idToken = { setCustomClaim: setter('idToken.setCustomClaim') };
    api.authentication = {
      challengeWith: setter('authentication.challengeWith'),
      challengeWithAny: setter('authentication.challengeWithAny'),
      enrollWith: setter('authentication.enrollWith'),
      enrollWithAny: setter('authentication.enrollWithAny'),
      recordMethod: setter('authentication.recordMethod'),
      setPrimaryUser: setter('authentication.setPrimaryUser'),
    };
    api.multifactor = { enable: setter('multifactor.enable') };
    api.redirect = {
      sendUserTo: setter('redirect.sendUserTo'),
      canRedirect: () => context.canRedirect === true,
      encodeToken: (options) => hostJson(host.encodeToken, options, 'redirect.encodeToken'),
      validateToken: (options) => hostJson(host.validateToken, options, 'redirect.validateToken'),
    };
    api.user = {
      setAppMetadata(...args) {
        const json = call('user.setAppMetadata', args);
        updateMetadata(event.user, 'app_metadata', String(args[0]), json);
        return api;
      },
      setUserMetadata(...args) {
        const json = call('user.setUserMetadata', args);
        updateMetadata(event.user, 'user_metadata', String(args[0]), json);
        return api;
      },
    };
    api.cache = {
      get: (key) => {
        const result = parse(host.cache('get', serialise('cache.get', [key])[0]));
        return result === null ? undefined : result;
      },
      set: (key, value, options) =>
        parse(host.cache('set', serialise('cache.set', [key, value, options])[0])),
      delete: (key) => parse(host.cache('delete', serialise('cache.delete', [key])[0])),
    };
    const saml = {};
    for (const name of [
      'setAttribute',
      'setAudience',
      'setRecipient',
      'setCreateUpnClaim',
      'setPassthroughClaimsWithNoMapping',
      'setMapUnknownClaimsAsIs',
      'setMapIdentities',
      'setSignatureAlgorithm',
      'setDigestAlgorithm',
      'setDestination',
      'setLifetimeInSeconds',
      'setSignResponse',
      'setNameIdentifierFormat',
      'setNameIdentifierProbes',
      'setAuthnContextClassRef',
      'setSigningCert',
      'setIncludeAttributeNameFormat',
      'setTypedAttributes',
      'setEncryptionCert',
      'setEncryptionPublicKey',
      'setCert',
      'setKey',
      'setRelayState',
      'setIssuer',
    ]) {
      saml[name] = setter(`samlResponse.${name}`);
    }
    api.samlResponse = saml;
    api.validation = { error: setter('validation.error') };
    api.rules = {
      // Tessera has no legacy Rules, so no rule ever ran in this transaction (docs/actions.md#how-actions-behave-where-auth0-is-silent-or-where-we-chose).
      wasExecuted: () => false,
    };
    api.prompt = { render: setter('prompt.render') };
    api.refreshToken = {
      revoke: setter('refreshToken.revoke'),
      setExpiresAt: setter('refreshToken.setExpiresAt'),
      setIdleExpiresAt: setter('refreshToken.setIdleExpiresAt'),
    };
    api.session = {
      revoke: setter('session.revoke'),
      setExpiresAt: setter('session.setExpiresAt'),
      setIdleExpiresAt: setter('session.setIdleExpiresAt'),
      setCookieMode: setter('session.setCookieMode'),
      setMetadata(...args) {
        const json = call('session.setMetadata', args);
        updateMetadata(event.session, 'metadata', String(args[0]), json);
        return api;
      },
      deleteMetadata(...args) {
        call('session.deleteMetadata', args);
        const metadata = event.session?.metadata;
        if (metadata !== null && typeof metadata === 'object' && hasOwn(metadata, String(args[0]))) {
          delete metadata[String(args[0])];
        }
        return api;
      },
      evictMetadata(...args) {
        call('session.evictMetadata', args);
        if (event.session !== null && typeof event.session === 'object') event.session.metadata = {};
        return api;
      },
    };
    api.transaction = {
      setMetadata(...args) {
        const json = call('transaction.setMetadata', args);
        updateMetadata(event.transaction, 'metadata', String(args[0]), json);
        return api;
      },
    };
    return api;
  };
})
