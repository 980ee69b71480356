// Runs the graphql-http server audit against a GraphQL endpoint and prints the results as JSON.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
// Each result: {id, name, status: "ok" | "notice" | "warn" | "error", reason?}. Audit names
// start with MUST, SHOULD or MAY; a failed MUST has status "error", a failed SHOULD "warn".
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs URL");
  process.exit(2);
}
const results = await auditServer({ url });
const out = results.map(({ id, name, status, reason }) => ({ id, name, status, reason }));
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
