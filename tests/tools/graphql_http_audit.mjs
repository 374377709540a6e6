// graphql-http's GraphQL-over-HTTP audit against a running app: prints one JSON line per
// audit ({id, name, status, reason}) for tests/api/test_graphql_over_http.py to judge.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql_http_audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
for (const r of results) {
  console.log(JSON.stringify({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null }));
}
