// A real OpenID Connect provider for the tests and for trying sign-in locally: oidc-provider
// (the certified Node.js implementation) with its own login and consent pages, on loopback.
//
//   node tests/oidc/provider.mjs PORT REDIRECT_URI [POST_LOGOUT_REDIRECT_URI]
//
// Users: type one of the logins below on its login page, with any password.
//   ada    Ada Lovelace, a member
//   grace  Grace Hopper, a member and a moderator (group "moderators")
//   eve    another account whose verified address is ada's
//   uma    an account whose address is not verified
//
// POST /test/faults with a JSON body breaks it on purpose, as a real provider can break:
//   {"discovery": 503, "jwks": 503, "tamper": true, "clock": -3700, "groups": {"grace": []}}
// (each key optional; {} repairs everything). Prints "listening on ISSUER" once ready.
import http from 'node:http';

import Provider from 'oidc-provider';

const [port, redirectUri, postLogoutRedirectUri] = process.argv.slice(2);
if (!port || !redirectUri) {
  console.error('usage: node tests/oidc/provider.mjs PORT REDIRECT_URI [POST_LOGOUT_REDIRECT_URI]');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const users = {
  ada: { name: 'Ada Lovelace', email: 'ada@members.example.org', email_verified: true, groups: ['members'] },
  grace: {
    name: 'Grace Hopper', email: 'grace@members.example.org', email_verified: true, groups: ['members', 'moderators'],
  },
  eve: { name: 'Eve Example', email: 'ada@members.example.org', email_verified: true, groups: ['members'] },
  uma: { name: 'Uma Unverified', email: 'uma@members.example.org', email_verified: false, groups: ['members'] },
};
const groups = Object.fromEntries(Object.entries(users).map(([id, user]) => [id, user.groups]));

let faults = {};
let skew = 0;
const realNow = Date.now;
// The provider's clock, shifted while it issues tokens when a fault asks for it, so that its
// ID tokens carry a wrong time while its login pages and cookies keep the right one.
Date.now = () => realNow() + skew * 1000;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'blog-comments',
    client_secret: 'blog-comments-secret',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: postLogoutRedirectUri ? [postLogoutRedirectUri] : [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  async findAccount(ctx, id) {
    const user = users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...user, groups: groups[id] };
      },
    };
  },
  pkce: { required: () => true, methods: ['S256'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { AuthorizationCode: 3600 },
  cookies: { keys: ['test-provider-cookie-key'] },
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/faults' && ctx.method === 'POST') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    faults = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    for (const id of Object.keys(users)) groups[id] = (faults.groups || {})[id] || users[id].groups;
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/.well-known/openid-configuration' && faults.discovery) {
    ctx.status = faults.discovery;
    return;
  }
  if (ctx.path === '/jwks' && faults.jwks) {
    ctx.status = faults.jwks;
    return;
  }
  skew = ctx.path === '/token' ? faults.clock || 0 : 0;
  try {
    await next();
  } finally {
    skew = 0;
  }
  if (ctx.path === '/token' && faults.tamper && ctx.body && ctx.body.id_token) {
    // Change who the token names, keeping the signature: what an attacker on the way would do.
    const [header, payload, signature] = ctx.body.id_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.sub = 'grace';
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
    ctx.body = { ...ctx.body, id_token: `${header}.${forged}.${signature}` };
  }
});

http.createServer(provider.callback()).listen(Number(port), '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
