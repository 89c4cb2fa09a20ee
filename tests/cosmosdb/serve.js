// Starts @vercel/cosmosdb-server for the tests (see tests/support/cosmos_server.py).
// Usage: node serve.js [port] [host]. Port 0 (the default) lets the OS pick a free one; the
// chosen address is printed as one JSON line on stdout once the server accepts connections.
// The server exits when its stdin closes, so it never outlives the Python process that started it.
"use strict";

// Emulator bug (1.0.1): reading a document id that does not exist in the given partition throws a
// TypeError inside the handler (500) where Cosmos DB answers 404. Patch the handler before the
// router captures it; docs/cosmos.md lists this with the other gaps.
const readDocument = require("@vercel/cosmosdb-server/lib/handler/read-document");
const { default: partitionFromHeader, parsePartitionKey } = require(
  "@vercel/cosmosdb-server/lib/utils/get-partition-from-header"
);
const originalReadDocument = readDocument.default;
readDocument.default = (account, req, res, params) => {
  const collection = account.database(params.dbId).collection(params.collId);
  const header = partitionFromHeader(req);
  if (collection.read() && header && !collection.document(params.docId, parsePartitionKey(header, params.docId)).read()) {
    res.statusCode = 404;
    return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
  }
  return originalReadDocument(account, req, res, params);
};

const { createHttpsServer } = require("@vercel/cosmosdb-server");

const port = parseInt(process.argv[2] || "0", 10);
const host = process.argv[3] || "127.0.0.1";

// keepAlive: answer with "connection: keep-alive" instead of closing after every response, so the
// client reuses its TLS connections; the idle timeout outlasts aiohttp's pooled-connection lifetime.
const server = createHttpsServer({ keepAlive: true });
server.keepAliveTimeout = 75000;
server.headersTimeout = 76000;

server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ ready: true, host: address.address, port: address.port }) + "\n");
});

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}

process.stdin.on("end", shutdown);
process.stdin.on("error", shutdown);
process.stdin.resume();
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
