// A real OpenID Connect provider for tailgate's sign-in tests (panva's oidc-provider).
//
// Tests need a provider that behaves like the ones tailgate meets in production: PKCE
// enforced, signed ID tokens, JWT access tokens for an API audience, a JWKS whose keys can
// change. This script starts one on 127.0.0.1 with everything in memory and prints one line
// when it listens:
//
//     ready issuer=http://127.0.0.1:PORT
//
// Options (each also read from the environment variable in brackets):
//   --port N                    port to bind, 0 for any free one         [OIDC_PORT]
//   --client-id ID              the confidential client's id              [OIDC_CLIENT_ID]
//   --client-secret SECRET      its secret (client_secret_basic)          [OIDC_CLIENT_SECRET]
//   --redirect-uri URL          an allowed redirect URI, repeatable       [OIDC_REDIRECT_URIS, space-separated]
//   --post-logout-redirect-uri URL  repeatable                     [OIDC_POST_LOGOUT_REDIRECT_URIS]
//   --audience URI              the API's resource indicator and audience        [OIDC_AUDIENCE]
//   --cli-client-id ID          the public client of the terminal client          [OIDC_CLI_CLIENT_ID]
//   --cli-access-token-ttl S    lifetime of that client's access tokens (600)      [OIDC_CLI_ACCESS_TOKEN_TTL]
//   --device-interval S         the polling interval of device codes (1)           [OIDC_DEVICE_INTERVAL]
//
// Users: any login name signs in with any password; the table below gives some of them
// groups, which appear in ID tokens (scope groups) and in access tokens. mallory has
// registered alice's e-mail address without proving it (email_verified: false).
//
// The terminal client (`tailgate login`) is a public native client: no secret
// (token_endpoint_auth_method none), PKCE, the device authorization grant (RFC 8628) and
// the authorization code grant with a loopback redirect on any port (RFC 8252: oidc-provider
// allows any port on http://127.0.0.1 for native clients), and refresh tokens.
//
// Refresh tokens are issued to the client at every sign-in and rotated at every use; a
// rotated-out token presented again revokes the whole grant (oidc-provider's reuse
// detection), as strict providers do.
//
// Test controls, as an administrator would act on a real provider:
//   POST /test/rotate-keys      a new signing key goes in front of the JWKS (the old keys stay
//                               published); answers {"kid": NEW_KID}; everything issued stays valid
//   POST /test/users/NAME       JSON {"groups": [...], "disabled": true|false}: change a user;
//                               a disabled user's refresh tokens are refused
//   GET  /test/users/NAME       {"groups", "disabled", "refreshes", "reuse_detected"} for NAME
//   GET  /test/device/polls     {"polls": [{"at": MS, "error": CODE|null}, ...]}: every poll of the
//                               token endpoint with a device code, in order
//   POST /test/device/slow-down the next poll still pending is answered slow_down
//
// Device codes come with an `interval` (--device-interval seconds, default 1), which
// oidc-provider leaves out; a poll sooner than that after the previous one is answered
// slow_down, and that code's interval grows by 5 seconds, as RFC 8628 section 3.5 says.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const USERS = {
  alice: { name: 'Alice Example', email: 'alice@example.com', groups: ['ops', 'staff'] },
  bob: { name: 'Bob Example', email: 'bob@example.com', groups: ['dev', 'staff'] },
  carol: { name: 'Carol Example', email: 'carol@example.com', groups: [] },
  mallory: { name: 'Mallory Example', email: 'alice@example.com', emailVerified: false, groups: [] },
};

// What the token endpoint did per user, for tests that must see reuse detection fire.
const activity = {};
function activityOf(accountId) {
  activity[accountId] ??= { refreshes: 0, reuse_detected: 0 };
  return activity[accountId];
}

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT ?? '0' },
    'client-id': { type: 'string', default: process.env.OIDC_CLIENT_ID ?? 'tailgate' },
    'client-secret': {
      type: 'string',
      default: process.env.OIDC_CLIENT_SECRET ?? 'tailgate-test-secret',
    },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    audience: { type: 'string', default: process.env.OIDC_AUDIENCE ?? 'api://tailgate' },
    'cli-access-token-ttl': {
      type: 'string',
      default: process.env.OIDC_CLI_ACCESS_TOKEN_TTL ?? '600',
    },
    'device-interval': { type: 'string', default: process.env.OIDC_DEVICE_INTERVAL ?? '1' },
    'cli-client-id': {
      type: 'string',
      default: process.env.OIDC_CLI_CLIENT_ID ?? 'tailgate-cli',
    },
  },
});

const fromEnv = (name) => (process.env[name] ?? '').split(/\s+/).filter(Boolean);
const redirectUris = args['redirect-uri'] ?? fromEnv('OIDC_REDIRECT_URIS');
const postLogoutRedirectUris = args['post-logout-redirect-uri']
  ?? fromEnv('OIDC_POST_LOGOUT_REDIRECT_URIS');
if (redirectUris.length === 0) {
  console.error('provider.mjs: give at least one --redirect-uri (or OIDC_REDIRECT_URIS)');
  process.exit(2);
}

// The API the access tokens are for; its identifier is also the tokens' audience.
const RESOURCE = args.audience;
const RESOURCE_SCOPE = 'logs:read';

function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

// Sessions, grants and codes live in oidc-provider's in-memory adapter, which is shared by
// every Provider in this process: a provider rebuilt with new keys keeps them all.
const cookieKeys = [randomBytes(32).toString('hex')];
let signingKeys = [newSigningKey()];

function groupsOf(accountId) {
  return USERS[accountId]?.groups ?? [];
}

function isDisabled(accountId) {
  return USERS[accountId]?.disabled === true;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const deviceInterval = Number(args['device-interval']);
// Per device code: when it was last polled and the interval it must keep.
const devicePolling = new Map();
const devicePolls = [];
let slowDownNext = 0;

// RFC 8628's polling rules, which oidc-provider does not enforce: an `interval` in the
// device authorization response, slow_down for a poll that comes too soon.
async function devicePollingRules(ctx, next) {
  await next();
  if (ctx.path === '/device/auth' && ctx.status === 200 && ctx.body?.device_code) {
    ctx.body = { ...ctx.body, interval: deviceInterval };
    devicePolling.set(ctx.body.device_code, { last: 0, interval: deviceInterval });
    return;
  }
  const params = ctx.oidc?.params;
  if (ctx.path !== '/token' || params?.grant_type !== DEVICE_GRANT) return;
  const state = devicePolling.get(params.device_code);
  const now = Date.now();
  let error = ctx.body?.error ?? null;
  if (state && error === 'authorization_pending') {
    if (slowDownNext > 0 || now - state.last < state.interval * 1000) {
      slowDownNext = Math.max(0, slowDownNext - 1);
      state.interval += 5;
      error = 'slow_down';
      ctx.body = { error, error_description: 'you are polling too quickly; wait longer' };
    }
  }
  if (state) state.last = now;
  devicePolls.push({ at: now, error });
}

function buildProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: args['client-id'],
        client_secret: args['client-secret'],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
      },
      {
        client_id: args['cli-client-id'],
        client_name: 'tailgate terminal client',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: [
          'urn:ietf:params:oauth:grant-type:device_code',
          'authorization_code',
          'refresh_token',
        ],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
    ],
    jwks: { keys: signingKeys },
    cookies: { keys: cookieKeys },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // Without this, scope-requested claims such as groups go to userinfo only.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      // A disabled user has no account as far as tokens are concerned: refreshing and
      // userinfo are refused, as a real provider refuses a deactivated user.
      if (isDisabled(sub)) return undefined;
      const user = USERS[sub] ?? {};
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            preferred_username: sub,
            name: user.name ?? sub,
            email: user.email ?? `${sub}@example.com`,
            email_verified: user.emailVerified ?? true,
            groups: groupsOf(sub),
          };
        },
      };
    },
    // Every request is granted what it asks for: no consent page, unless the request says
    // prompt=consent (which offline_access, and so a refresh token, requires).
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      grant.addOIDCClaims(['sub', 'name', 'preferred_username', 'email', 'email_verified', 'groups']);
      grant.addResourceScope(RESOURCE, RESOURCE_SCOPE);
      await grant.save();
      return grant;
    },
    // Every sign-in of a client allowed the grant gets a refresh token (as Keycloak does),
    // without the consent page oidc-provider ties to offline_access.
    async issueRefreshToken(_ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
    // Rotation on: each refresh spends the token and returns a new one.
    rotateRefreshToken: () => true,
    async extraTokenClaims(_ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      return { groups: groupsOf(token.accountId) };
    },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, _resource, client) => ({
          scope: RESOURCE_SCOPE,
          audience: RESOURCE,
          accessTokenTTL: client.clientId === args['cli-client-id']
            ? Number(args['cli-access-token-ttl'])
            : 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: {
      // The resource server's lifetime (600 s, or --cli-access-token-ttl for the terminal).
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 3600,
    },
  });
  provider.use(devicePollingRules);
  provider.on('grant.success', (ctx) => {
    const token = ctx.oidc.entities.RotatedRefreshToken;
    if (ctx.oidc.params.grant_type === 'refresh_token' && token) {
      activityOf(token.accountId).refreshes += 1;
    }
  });
  provider.on('grant.error', (ctx, error) => {
    const token = ctx.oidc.entities.RefreshToken;
    // The reason is in error_detail; error_description is the same for every invalid_grant.
    if (token && String(error.error_detail).includes('already used')) {
      activityOf(token.accountId).reuse_detected += 1;
    }
  });
  return provider;
}

let current;
let handle;

function install(provider) {
  current = provider;
  handle = provider.callback();
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function userControl(req, res, name) {
  if (!Object.hasOwn(USERS, name)) {
    USERS[name] = { groups: [] };
  }
  const user = USERS[name];
  const show = () => answer(res, 200, {
    groups: user.groups,
    disabled: user.disabled === true,
    ...activityOf(name),
  });
  if (req.method === 'GET') {
    show();
    return;
  }
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    let change;
    try {
      change = JSON.parse(body || '{}');
    } catch {
      answer(res, 400, { error: 'the body is not JSON' });
      return;
    }
    if (Array.isArray(change.groups)) user.groups = change.groups.map(String);
    if (typeof change.disabled === 'boolean') user.disabled = change.disabled;
    show();
  });
}

const server = createServer((req, res) => {
  const userPath = /^\/test\/users\/([A-Za-z0-9_.-]+)$/.exec(req.url ?? '');
  if (userPath && (req.method === 'GET' || req.method === 'POST')) {
    userControl(req, res, userPath[1]);
    return;
  }
  if (req.method === 'GET' && req.url === '/test/device/polls') {
    answer(res, 200, { polls: devicePolls });
    return;
  }
  if (req.method === 'POST' && req.url === '/test/device/slow-down') {
    slowDownNext += 1;
    answer(res, 200, { slow_down: slowDownNext });
    return;
  }
  if (req.method === 'POST' && req.url === '/test/rotate-keys') {
    signingKeys = [newSigningKey(), ...signingKeys];
    install(buildProvider(current.issuer));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kid: signingKeys[0].kid }));
    return;
  }
  handle(req, res);
});

server.listen(Number(args.port), '127.0.0.1', () => {
  const { port } = server.address();
  install(buildProvider(`http://127.0.0.1:${port}`));
  console.log(`ready issuer=${current.issuer}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
