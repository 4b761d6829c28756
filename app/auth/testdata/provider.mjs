// provider.mjs runs panva's oidc-provider, an OpenID Certified provider no
// one on the Onramp team wrote, so app/auth's third-party tests sign in
// against it the way they would against a production provider.
//
//   CLIENT='{"client_id":"…","client_secret":"…","redirect_uris":[…],…}' \
//     node app/auth/testdata/provider.mjs
//
// PORT picks the loopback port (default: any free one). The provider prints
// "READY <issuer>" once it is listening and stops on SIGTERM or SIGINT.
// Sign in with the login "staff" (roles manager and offline_access) or
// "learner" (no roles claim); any password is accepted.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// oidc-provider is installed in assets/node_modules (`make npm`), which ES
// module resolution would not search from here, so resolve it from there.
const assets = createRequire(new URL('../../../assets/package.json', import.meta.url));
const { default: Provider } = await import(pathToFileURL(assets.resolve('oidc-provider')));

// The people this provider knows, by login name (which becomes sub). Staff
// roles are nested the way Keycloak nests realm roles.
const accounts = {
  staff: {
    email: 'casey.staff@thirdparty.example', email_verified: true, name: 'Casey Staff',
    realm_access: { roles: ['manager', 'offline_access'] },
  },
  learner: { email: 'lee.learner@thirdparty.example', email_verified: true, name: 'Lee Learner' },
};

const client = JSON.parse(process.env.CLIENT);
const server = createServer();

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  // A fresh signing key per run, as a real provider would have its own.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [{ ...client, backchannel_logout_session_required: true }],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // The roles claim is released only to clients that ask for the "roles"
    // scope, which Onramp does through OIDC_EXTRA_SCOPES.
    scopes: ['openid', 'email', 'profile', 'roles'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      roles: ['realm_access'],
    },
    // conformIdTokenClaims stays at its default (true): scope-released
    // claims go to userinfo, not the ID token, so Onramp must fetch them.
    async findAccount(ctx, sub) {
      if (!accounts[sub]) return undefined;
      return { accountId: sub, claims: () => ({ sub, ...accounts[sub] }) };
    },
    // oidc-provider only requires PKCE of public clients by default; a
    // production provider should require it of every client.
    pkce: { required: () => true },
    // Lifetimes in seconds, short as a careful production provider's.
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 3600, Session: 3600 },
    features: {
      devInteractions: { enabled: true }, // built-in login and consent pages
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
    },
  });
  // Report what a person cannot see: failed back-channel calls and errors.
  provider.on('backchannel.error', (ctx, err) => console.error('backchannel.error:', err.message));
  provider.on('server_error', (ctx, err) => console.error('server_error:', err));
  server.on('request', provider.callback());
  console.log(`READY ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
