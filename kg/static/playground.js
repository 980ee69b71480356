// kg's GraphQL playground: starts GraphiQL (served by kg from /static/vendor/) against this URL.
// A link may carry a query (and variables, as JSON) in the fragment, which never reaches the
// server: /graphql#query=...&variables=... opens the playground with them.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("kg-playground-config").textContent);
  var endpoint = window.location.origin + window.location.pathname;
  var container = document.getElementById("graphiql");
  if (typeof GraphiQL === "undefined" || typeof React === "undefined" || typeof ReactDOM === "undefined") {
    container.textContent =
      "The playground's scripts did not load. Run `kg assets` on the server, then reload.";
    return;
  }
  var linked = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(container);
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.query,
      query: linked.get("query") || undefined,
      variables: linked.get("variables") || undefined,
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true,
      inputValueDeprecation: true,
    })
  );
})();
