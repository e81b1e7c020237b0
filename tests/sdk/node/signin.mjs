// A small Node.js web application written as Asgardeo's Node SDK documents it, configured
// with Runegate's organization URL as `baseUrl` (the only change from an Asgardeo setup).
// Driven by tests/sdk/test_node_sdk.py: a browser opens /login, signs in on Runegate's
// hosted page, comes back to /callback; the app gets tokens (the SDK validates the ID
// token against the JWKS), refreshes them and signs out. What happened is written as JSON
// to REPORT_PATH.
//
// `node signin.mjs endpoints baseurl|wellknown` instead prints the endpoints the SDK
// derives from `baseUrl`, or reads from the discovery document (`wellKnownEndpoint`).

import { writeFileSync } from "node:fs";
import http from "node:http";

import { LegacyAsgardeoNodeClient } from "@asgardeo/node";

const env = process.env;
const baseUrl = env.RUNEGATE_ORG_URL; // e.g. http://127.0.0.1:8000/t/default
const port = Number(env.APP_PORT);
const origin = `http://127.0.0.1:${port}`;
const config = {
  baseUrl,
  clientId: env.CLIENT_ID,
  clientSecret: env.CLIENT_SECRET,
  afterSignInUrl: `${origin}/callback`,
  afterSignOutUrl: `${origin}/signed-out`,
  scopes: ["openid", "profile", "email", "internal_login"],
};
const USER_SESSION = "browser-session-1";

function describe(error) {
  return {
    name: error?.name,
    code: error?.code,
    message: error?.message,
    description: error?.description,
  };
}

async function endpointsOf(clientConfig) {
  const client = new LegacyAsgardeoNodeClient();
  await client.initialize(clientConfig);
  // Building a sign-in URL makes the SDK resolve its endpoints (and fetch discovery).
  let authorizeUrl = "";
  await client.signIn((url) => {
    authorizeUrl = url;
  }, "discovery-check");
  return { ...(await client.getOpenIDProviderEndpoints()), authorizeUrl };
}

async function discovery(source) {
  // One client per process: the SDK's default store is shared by every client in it.
  const wellKnownEndpoint = `${baseUrl}/oauth2/token/.well-known/openid-configuration`;
  const endpoints = await endpointsOf(source === "wellknown" ? { ...config, wellKnownEndpoint } : config);
  process.stdout.write(JSON.stringify(endpoints));
}

async function app() {
  const auth = new LegacyAsgardeoNodeClient();
  await auth.initialize(config);
  const report = { steps: [] };
  const finish = () => writeFileSync(env.REPORT_PATH, JSON.stringify(report, null, 2));
  const redirect = (res, location) => {
    res.writeHead(302, { Location: location });
    res.end();
  };

  const routes = {
    "/login": async (_url, res) => {
      await auth.signIn((authorizeUrl) => {
        report.authorizeUrl = authorizeUrl;
        redirect(res, authorizeUrl);
      }, USER_SESSION);
      report.steps.push("login");
    },
    "/callback": async (url, res) => {
      const q = url.searchParams;
      const tokens = await auth.signIn(
        () => {},
        USER_SESSION,
        q.get("code"),
        q.get("session_state") ?? "",
        q.get("state"),
      );
      report.steps.push("tokens");
      report.tokens = {
        accessToken: Boolean(tokens.accessToken),
        idToken: Boolean(tokens.idToken),
        refreshToken: Boolean(tokens.refreshToken),
        scope: tokens.scope,
        tokenType: tokens.tokenType,
      };
      report.idTokenClaims = await auth.getDecodedIdToken(USER_SESSION);
      report.signedIn = await auth.isSignedIn(USER_SESSION);
      const firstAccessToken = await auth.getAccessToken(USER_SESSION);
      const refreshed = await auth.refreshAccessToken(USER_SESSION);
      report.steps.push("refreshed");
      report.refreshed = {
        accessToken: Boolean(refreshed.accessToken),
        idToken: Boolean(refreshed.idToken),
        refreshToken: Boolean(refreshed.refreshToken),
      };
      report.accessToken = await auth.getAccessToken(USER_SESSION);
      report.accessTokenChanged = report.accessToken !== firstAccessToken;
      report.signOutUrl = await auth.signOut(USER_SESSION);
      report.steps.push("signOut");
      finish();
      redirect(res, report.signOutUrl);
    },
    "/signed-out": async (url, res) => {
      report.steps.push("signedOut");
      report.signedOutQuery = Object.fromEntries(url.searchParams);
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html><title>signed out</title><p>signed out</p>");
      finish();
    },
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    const route = routes[url.pathname];
    if (!route) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      await route(url, res);
    } catch (error) {
      report.error = { at: url.pathname, ...describe(error) };
      finish();
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`error at ${url.pathname}`);
    }
  });
  server.listen(port, "127.0.0.1", () => process.stdout.write(`listening ${origin}\n`));
}

if (process.argv[2] === "endpoints") {
  discovery(process.argv[3]).catch((error) => {
    process.stdout.write(JSON.stringify({ error: describe(error) }));
    process.exitCode = 1;
  });
} else {
  await app();
}
