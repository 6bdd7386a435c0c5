// oauth2-mock-server (axa-group), run with an access log: what its own CLI
// (`oauth2-mock-server -a <host> -p <port>`) starts, plus one JSON line per
// request on stdout, so that tests/tests/oauth_server.rs can check what the
// server received.
//
// Usage: node server.mjs <path of the package's dist/index.mjs> <host> <port>
//
// The server is the package's own: its OAuth2Issuer (one generated RS256 key),
// its OAuth2Service (the express app with /token, /jwks, discovery...) and its
// HttpServer, put together as its OAuth2Server class does; the only addition
// is a wrapper around the request handler that logs each request once its
// answer is sent. Port 0 picks a free port.
//
// stdout, one JSON object a line:
//   {"event":"listening","url":"http://127.0.0.1:<port>","issuer":"http://localhost:<port>"}
//   {"event":"request","method":"POST","path":"/token","content_type":...,
//    "authorization":<scheme or null>,"form":<parsed body or null>,"status":200}

import { pathToFileURL } from "node:url";

const [lib, host, port] = process.argv.slice(2);
if (!lib || !host || port === undefined) {
  console.error("usage: node server.mjs <oauth2-mock-server/dist/index.mjs> <host> <port>");
  process.exit(2);
}

const { HttpServer, OAuth2Issuer, OAuth2Service } = await import(pathToFileURL(lib).href);

const issuer = new OAuth2Issuer(false);
await issuer.keys.generate("RS256");
const service = new OAuth2Service(issuer);
const handle = service.requestHandler;

const server = new HttpServer((req, res) => {
  res.on("finish", () => {
    const authorization = req.headers["authorization"];
    console.log(
      JSON.stringify({
        event: "request",
        method: req.method,
        path: req.url,
        content_type: req.headers["content-type"] ?? null,
        authorization: authorization ? authorization.split(" ")[0] : null,
        // Set by the package's body parsers (JSON everywhere, forms on /token).
        form: req.body ?? null,
        status: res.statusCode,
      }),
    );
  });
  handle(req, res);
});

await server.start(Number(port), host);
const address = server.address();
issuer.url = server.buildIssuerUrl(host, address.port);
console.log(
  JSON.stringify({
    event: "listening",
    url: `http://${address.address}:${address.port}`,
    issuer: issuer.url,
  }),
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.stop().finally(() => process.exit(0));
  });
}
