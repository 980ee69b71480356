"""The GraphQL API over HTTP, on the embedded and the remote store: lists, filters, order,
pagination, look-ups, search, and "who says so?"."""

from __future__ import annotations

from tests.plugins.graphql_api import GraphQL


def names(connection: dict) -> list[str]:  # type: ignore[type-arg]
    return [n["name"] for n in connection["nodes"]]


def test_organisations_by_kind(graphql: GraphQL) -> None:
    data = graphql.data(
        '{ organisations(kind: "CloudProvider") { totalCount nodes { name kinds { key label } } } }'
    )
    orgs = data["organisations"]
    assert names(orgs) == ["Amazon", "Google", "Microsoft"]
    assert orgs["totalCount"] == 3
    assert orgs["nodes"][0]["kinds"] == [{"key": "CloudProvider", "label": "Cloud provider"}]


def test_pages_follow_each_other_and_cover_the_list(graphql: GraphQL) -> None:
    everything = names(
        graphql.data("{ organisations(first: 100) { nodes { name } } }")["organisations"]
    )
    seen: list[str] = []
    after = None
    while True:
        page = graphql.data(
            "query($after: String) { organisations(first: 7, after: $after) "
            "{ totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }",
            {"after": after},
        )["organisations"]
        assert page["totalCount"] == len(everything)
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything
    assert everything == sorted(everything, key=str.lower)
    last = graphql.data("{ organisations(last: 2) { nodes { name } } }")["organisations"]
    assert names(last) == everything[-2:]
    desc = graphql.data("{ organisations(first: 3, orderBy: NAME_DESC) { nodes { name } } }")
    assert names(desc["organisations"]) == everything[::-1][:3]


def test_text_filter_matches_names_and_descriptions(graphql: GraphQL) -> None:
    data = graphql.data('{ organisations(text: "DELAWARE") { nodes { name } } }')
    assert names(data["organisations"]) == ["Stargate LLC"]
    units = graphql.data('{ units(text: "specialised groups") { nodes { name } } }')["units"]
    assert names(units) == ["OpenAI infrastructure team"]


def test_events_by_date_range_kind_and_order(graphql: GraphQL) -> None:
    march = graphql.data(
        '{ events(dateFrom: "2026-03-01", dateTo: "2026-03-31") { nodes { name date } } }'
    )["events"]["nodes"]
    assert march == [
        {
            "name": "Reorganisation of OpenAI's infrastructure team into three groups",
            "date": "2026-03-16",
        }
    ]
    # A month-precise date overlaps every day range inside that month.
    november = graphql.data(
        '{ events(dateFrom: "2025-11-20", dateTo: "2025-11-30") '
        "{ nodes { id date datePrecision { key } } } }"
    )["events"]["nodes"]
    assert november == [
        {
            "id": "event/katti-appointment",
            "date": "2025-11",
            "datePrecision": {"key": "PrecisionMonth"},
        }
    ]
    dated = graphql.data("{ events(orderBy: DATE_DESC) { nodes { date } } }")["events"]["nodes"]
    dates = [e["date"] for e in dated if e["date"]]
    assert dates == sorted(dates, reverse=True) and dated[-1]["date"] is None
    shifts = graphql.data(
        '{ events(kind: "StrategyShift", organisation: "org/openai") '
        "{ nodes { kind { label } datePrecision { label } } } }"
    )["events"]["nodes"]
    assert shifts == [
        {"kind": {"label": "Strategy shift"}, "datePrecision": {"label": "Not stated"}}
    ]


def test_bad_filter_values_are_clear_errors(graphql: GraphQL) -> None:
    assert graphql.errors('{ events(dateFrom: "March") { totalCount } }') == [
        "dateFrom: 'March' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    ]
    assert graphql.errors('{ organisations(after: "nonsense") { totalCount } }') == [
        "malformed cursor 'nonsense'"
    ]


def test_node_lookup_by_id_and_iri(graphql: GraphQL) -> None:
    node = graphql.data(
        '{ node(id: "platform/aws") { id iri ... on CloudPlatform { name provider { name } } } }'
    )["node"]
    assert node == {
        "id": "platform/aws",
        "iri": "https://w3id.org/aikg/id/platform/aws",
        "name": "AWS",
        "provider": {"name": "Amazon"},
    }
    by_iri = graphql.data(
        '{ lookup(iri: "https://w3id.org/aikg/id/org/openai") '
        "{ __typename ... on Organisation { id } } }"
    )
    assert by_iri["lookup"] == {"__typename": "Organisation", "id": "org/openai"}
    missing = graphql.data(
        '{ lookup(id: "org/nobody") { __typename ... on NodeNotFound { message id } } }'
    )
    assert missing["lookup"] == {
        "__typename": "NodeNotFound",
        "message": "no node org/nobody",
        "id": "org/nobody",
    }
    assert graphql.data('{ node(id: "org/nobody") { id } }') == {"node": None}


def test_unnamed_post_holders_say_so(graphql: GraphQL) -> None:
    post = (
        "title heldBy { name } holderStatus { key } holder { __typename ... on Person { name } "
        "... on UnnamedHolder { explanation } }"
    )
    data = graphql.data(
        f"{{ units {{ nodes {{ name posts {{ {post} }} }} }} "
        f'node(id: "org/openai") {{ ... on Organisation {{ posts {{ {post} }} }} }} }}'
    )
    posts = {p["title"]: p for u in data["units"]["nodes"] for p in u["posts"]}
    posts.update({p["title"]: p for p in data["node"]["posts"]})
    lead = posts["Leader of Commercial Partnerships"]
    assert lead["heldBy"] is None
    assert lead["holderStatus"] == {"key": "HolderUnnamed"}
    assert lead["holder"]["__typename"] == "UnnamedHolder"
    assert "does not name" in lead["holder"]["explanation"]
    head = posts["Head of infrastructure, OpenAI"]
    assert head["holder"] == {"__typename": "Person", "name": "Sachin Katti"}


def test_search_returns_nodes_of_several_types(graphql: GraphQL) -> None:
    found = graphql.data(
        '{ search(text: "stargate") { __typename ... on Initiative { name } '
        "... on StrategyEvent { name } ... on Organisation { name } } }"
    )["search"]
    types = {f["__typename"] for f in found}
    assert {"Initiative", "StrategyEvent"} <= types
    assert {"__typename": "Initiative", "name": "Stargate"} in found


def test_every_node_says_who_says_so(graphql: GraphQL) -> None:
    data = graphql.data(
        '{ node(id: "relationship/openai-microsoft-azure") { sources { quote verbatim supports '
        "attribution { key } source { label publisher { name } } } } }"
    )
    citations = data["node"]["sources"]
    managed = [c for c in citations if "kg:managedBy" in c["supports"]]
    assert managed and managed[0]["verbatim"] is True
    assert "Microsoft Azure" in managed[0]["quote"]
    assert managed[0]["source"]["publisher"] == {"name": "Seemless"}
    # Which company runs Microsoft Azure is kg's editorial note, not the article's.
    provider = [c for c in citations if "kg:provider" in c["supports"]]
    assert [c["source"] for c in provider] == [{"label": "kg editorial notes", "publisher": None}]
    # The article states no kind for the relationship: no citation claims one.
    assert not [c for c in citations if "kg:relationshipKind" in c["supports"]]


def test_sources_list_their_citations(graphql: GraphQL) -> None:
    data = graphql.data(
        '{ sources(publisher: "org/odaily") { nodes { label datePublished url '
        "citations { about { id } supports } } } }"
    )
    (odaily,) = data["sources"]["nodes"]
    assert odaily["datePublished"] == "2026-03-16"
    assert odaily["url"].startswith("https://")
    assert {
        "about": {"id": "event/infrastructure-reorganisation"},
        "supports": ["kg:date", "kg:dateBasis", "kg:datePrecision"],
    } in odaily["citations"]


def test_pages_backwards_with_last_and_before(graphql: GraphQL) -> None:
    everything = names(
        graphql.data("{ organisations(first: 100) { nodes { name } } }")["organisations"]
    )
    tail = graphql.data(
        "{ organisations(last: 3) { pageInfo { hasPreviousPage startCursor } nodes { name } } }"
    )["organisations"]
    assert names(tail) == everything[-3:]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    before = graphql.data(
        "query($before: String) { organisations(last: 2, before: $before) { nodes { name } } }",
        {"before": tail["pageInfo"]["startCursor"]},
    )["organisations"]
    assert names(before) == everything[-5:-3]


def test_search_text_is_escaped(graphql: GraphQL) -> None:
    assert graphql.data('{ search(text: "\\" } } SELECT") { __typename } }') == {"search": []}


def test_a_list_holds_only_nodes_of_its_type(graphql: GraphQL) -> None:
    """``org:reportsTo`` points at a post from posts and from unnamed groups: each list of the
    post it points at holds only the nodes of its own type, as the store types them."""
    rows = graphql.store.select(
        "SELECT ?post ?from ?kind WHERE { GRAPH ?g { ?from <http://www.w3.org/ns/org#reportsTo> "
        "?post } GRAPH ?h { ?from a ?kind } }"
    )
    post = "http://www.w3.org/ns/org#Post"
    group = "https://w3id.org/aikg/def#UnnamedGroup"
    mixed = {r["post"].value for r in rows if r["kind"].value == group}
    assert mixed, "the shipped graph has an unnamed group reporting to a post"
    target = sorted(mixed)[0]
    want = {
        kind: sorted(
            {r["from"].value for r in rows if r["post"].value == target and r["kind"].value == kind}
        )
        for kind in (post, group)
    }
    data = graphql.data(
        "query($id: ID!) { node(id: $id) { ... on Post { reporting { iri __typename } "
        "reportingGroups { iri __typename } } } }",
        {"id": target},
    )["node"]
    assert sorted(n["iri"] for n in data["reporting"]) == want[post]
    assert {n["__typename"] for n in data["reporting"]} <= {"Post"}
    assert sorted(n["iri"] for n in data["reportingGroups"]) == want[group]
    assert {n["__typename"] for n in data["reportingGroups"]} == {"UnnamedGroup"}
