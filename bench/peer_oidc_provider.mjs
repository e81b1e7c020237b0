// The reference peer for `make bench-peers`: panva's oidc-provider (certified OpenID
// provider) with a client_credentials client equivalent to the bench's Runegate client.
// In-memory adapter (the default): tokens are kept in process memory, nothing persisted.
// Opaque tokens without a resource indicator; ES256 JWTs (RFC 9068) for the resource
// `urn:runegate:bench` (the only way oidc-provider issues JWT access tokens).
// Env: PEER_PORT, PEER_WORKERS (node cluster workers, like uvicorn's), PEER_CLIENT_ID,
// PEER_CLIENT_SECRET.
import cluster from 'node:cluster';
import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PEER_PORT || 18512);
const workers = Number(process.env.PEER_WORKERS || 2);
const RESOURCE = 'urn:runegate:bench';

function signingKeys() {
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return [
    { ...ec.privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'es' },
    { ...rsa.privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'rs' },
  ];
}

function start(keys) {
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: process.env.PEER_CLIENT_ID,
      client_secret: process.env.PEER_CLIENT_SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'bench:read',
    }],
    scopes: ['bench:read', 'bench:write'],
    jwks: { keys },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== RESOURCE) throw new Provider.errors.InvalidTarget();
          return {
            scope: 'bench:read bench:write',
            audience: RESOURCE,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  });
  http.createServer(provider.callback()).listen(port, '127.0.0.1');
}

if (cluster.isPrimary) {
  const keys = signingKeys();
  for (let i = 0; i < workers; i += 1) {
    cluster.fork({ PEER_KEYS: JSON.stringify(keys) });
  }
  console.log(`oidc-provider on http://127.0.0.1:${port} (${workers} workers)`);
} else {
  start(JSON.parse(process.env.PEER_KEYS));
}
