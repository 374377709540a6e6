// Starts the vendored GraphiQL on /graphql (development only). A file, not an inline
// script, so the page runs under a CSP without 'unsafe-inline'. The CSRF token rides in
// a header: a signed-in browser's cookie session needs it on every POST.
(function () {
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var fetcher = GraphiQL.createFetcher({
    url: '/graphql',
    headers: { 'X-CSRF-Token': token, 'Accept': 'application/graphql-response+json' },
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolbarOpen: true,
    defaultQuery: '# Sijil API: see docs/api.md and docs/contract/operations.graphql\n' +
      '{\n  __typename\n}\n',
  }));
})();
