"""GraphQL mutations as a client sees them: typed results, whole writes, nothing on failure.

Every test runs on the embedded store and on a real Oxigraph server (``article_store``), through
the kg app's /graphql endpoint in-process.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugins.graphql_client import TOKEN, Client, count_quads

ID = "https://w3id.org/aikg/id/"
SEEMLESS = f"{ID}source/seemless-article"

RESULT = """
  __typename
  ... on WriteSuccess { id created change { id operation source added removed } }
  ... on ValidationFailed { message violations { focusNode path value message } }
  ... on NotFound { message ids }
  ... on Unauthorized { message writesEnabled }
  ... on InvalidInput { message field }
"""


def create(kind: str, input_type: str) -> str:
    return (
        f"mutation($source: ID!, $input: {input_type}!, $citation: CitationInput) {{"
        f" result: create{kind}(source: $source, input: $input, citation: $citation)"
        f" {{{RESULT}}} }}"
    )


def update(kind: str) -> str:
    return (
        f"mutation($id: ID!, $source: ID!, $patch: {kind}Patch!) {{"
        f" result: update{kind}(id: $id, source: $source, patch: $patch) {{{RESULT}}} }}"
    )


def delete(kind: str) -> str:
    return f"mutation($id: ID!) {{ result: delete{kind}(id: $id) {{{RESULT}}} }}"


RECORD = f"mutation($input: SourceInput!) {{ result: recordSource(input: $input) {{{RESULT}}} }}"


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert result["__typename"] == "WriteSuccess", result
    return result


def test_create_organisation_with_citation(client: Client) -> None:
    result = ok(
        client.write(
            create("Organisation", "OrganisationInput"),
            source=SEEMLESS,
            input={"label": "Example Compute", "kinds": ["CLOUD_PROVIDER"]},
            citation={"quote": "Example Compute rents capacity.", "verbatim": False},
        )
    )
    org = f"{ID}org/example-compute"
    assert result["id"] == org
    assert result["created"] == [f"{ID}citation/seemless-article/example-compute", org]
    assert result["change"]["operation"] == "createOrganisation"
    assert client.store.ask(
        f"ASK {{ GRAPH <https://w3id.org/aikg/graph/seemless-article> {{ <{org}> "
        "<http://www.w3.org/2000/01/rdf-schema#label> 'Example Compute' . ?c "
        f"<https://w3id.org/aikg/def#about> <{org}> ; "
        "<https://w3id.org/aikg/def#quote> 'Example Compute rents capacity.' } }"
    )
    changes = client.query("{ changes { id operation source } }")["changes"]
    assert changes == [
        {"id": result["change"]["id"], "operation": "createOrganisation", "source": SEEMLESS}
    ]


def test_every_kind_can_be_created_updated_and_deleted(client: Client) -> None:
    s = SEEMLESS
    person = ok(
        client.write(create("Person", "PersonInput"), source=s, input={"label": "A Person"})
    )
    org = ok(
        client.write(
            create("Organisation", "OrganisationInput"),
            source=s,
            input={"label": "Example Lab", "kinds": ["AI_LAB"]},
        )
    )
    unit = ok(
        client.write(
            create("Unit", "UnitInput"),
            source=s,
            input={"label": "Compute team", "unitOf": org["id"], "responsibilities": ["Racks"]},
        )
    )
    post = ok(
        client.write(
            create("Post", "PostInput"),
            source=s,
            input={
                "label": "Lead of the compute team",
                "postIn": unit["id"],
                "role": "HEAD",
                "holderStatus": "NAMED",
                "heldBy": person["id"],
            },
        )
    )
    platform = ok(
        client.write(
            create("CloudPlatform", "CloudPlatformInput"),
            source=s,
            input={"label": "Example Cloud", "provider": org["id"]},
        )
    )
    relationship = ok(
        client.write(
            create("ProviderRelationship", "ProviderRelationshipInput"),
            source=s,
            input={
                "label": "OpenAI and Example Cloud",
                "customer": f"{ID}org/openai",
                "provider": org["id"],
                "platform": platform["id"],
                "kind": "CAPACITY_RENTAL",
                "status": "PLANNED",
                "managedBy": unit["id"],
            },
        )
    )
    initiative = ok(
        client.write(
            create("Initiative", "InitiativeInput"),
            source=s,
            input={"label": "Example initiative", "ledBy": [org["id"]]},
        )
    )
    event = ok(
        client.write(
            create("StrategyEvent", "StrategyEventInput"),
            source=s,
            input={
                "label": "Example lab appoints a lead",
                "kind": "LEADERSHIP_APPOINTMENT",
                "associatedWith": [org["id"]],
                "date": "2026-03",
                "appointedTo": [post["id"]],
                "appointees": [person["id"]],
                "concerns": [initiative["id"]],
            },
        )
    )
    assert client.store.ask(
        f"ASK {{ GRAPH ?g {{ <{event['id']}> <https://w3id.org/aikg/def#datePrecision> "
        "<https://w3id.org/aikg/def#PrecisionMonth> } }"
    )

    renamed = ok(
        client.write(
            update("Organisation"), id=org["id"], source=s, patch={"label": "Example Lab Inc"}
        )
    )
    assert any("Example Lab Inc" in line for line in renamed["change"]["added"])
    assert any('"Example Lab"' in line for line in renamed["change"]["removed"])
    cleared = ok(client.write(update("Post"), id=post["id"], source=s, patch={"description": None}))
    assert cleared["change"]["removed"] == []

    # delete in an order that never leaves a dangling reference
    for kind, node in [
        ("StrategyEvent", event),
        ("ProviderRelationship", relationship),
        ("CloudPlatform", platform),
        ("Initiative", initiative),
        ("Post", post),
        ("Unit", unit),
        ("Organisation", org),
        ("Person", person),
    ]:
        ok(client.write(delete(kind), id=node["id"]))
        assert not client.store.ask(f"ASK {{ GRAPH ?g {{ <{node['id']}> ?p ?o }} }}")


def test_record_source_writes_the_source_and_all_its_facts(client: Client) -> None:
    result = ok(
        client.write(
            RECORD,
            input={
                "title": "Example report",
                "publisher": f"{ID}org/seemless",
                "datePublished": "2026-03-17",
                "url": "https://example.org/report",
                "facts": [
                    {"key": "lab", "organisation": {"label": "Batch Lab", "kinds": ["AI_LAB"]},
                     "quote": {"quote": "Batch Lab was founded."}},
                    {"unit": {"label": "Batch team", "unitOf": "_:lab"}},
                ],
            },
        )
    )  # fmt: skip
    assert result["id"] == f"{ID}source/example-report"
    assert f"{ID}unit/batch-team" in result["created"]
    assert client.store.ask(
        "ASK { GRAPH <https://w3id.org/aikg/graph/example-report> { "
        f"<{ID}unit/batch-team> <http://www.w3.org/ns/org#unitOf> <{ID}org/batch-lab> . "
        f"<{ID}source/example-report> <https://schema.org/url> ?u }} }}"
    )


def test_a_batch_with_one_bad_fact_writes_nothing(client: Client) -> None:
    before = count_quads(client.store)
    result = client.write(
        RECORD,
        input={
            "title": "Half-good report",
            "publisher": f"{ID}org/seemless",
            "facts": [
                {"organisation": {"label": "Good Lab", "kinds": ["AI_LAB"]}},
                {"unit": {"label": "Bad team", "unitOf": f"{ID}person/greg-brockman"}},
            ],
        },
    )
    assert result["__typename"] == "ValidationFailed"
    assert [v["focusNode"] for v in result["violations"]] == [f"{ID}unit/bad-team"]
    assert count_quads(client.store) == before
    assert not client.store.ask(f"ASK {{ GRAPH ?g {{ <{ID}org/good-lab> ?p ?o }} }}")


# ---------------------------------------------------------------- bad input, nothing written

ORG_INPUT = {"label": "Shape Breaker", "kinds": ["AI_LAB"]}

BAD: list[tuple[str, str, dict[str, Any], str, str]] = [
    # (id, mutation, variables, expected result type, expected text in the result)
    ("empty label", create("Organisation", "OrganisationInput"),
     {"source": SEEMLESS, "input": {"label": "", "kinds": ["AI_LAB"]}},
     "ValidationFailed", "non-empty plain string"),
    ("no kind", create("Organisation", "OrganisationInput"),
     {"source": SEEMLESS, "input": {"label": "Kindless", "kinds": []}},
     "ValidationFailed", "at least one kind"),
    ("wrong class", create("Unit", "UnitInput"),
     {"source": SEEMLESS, "input": {"label": "T", "unitOf": f"{ID}person/greg-brockman"}},
     "ValidationFailed", "org:unitOf an org:FormalOrganization"),
    ("holder not a person", create("Post", "PostInput"),
     {"source": SEEMLESS, "input": {"label": "P", "postIn": f"{ID}org/openai",
                                    "holderStatus": "NAMED", "heldBy": f"{ID}org/google"}},
     "ValidationFailed", "org:heldBy a schema:Person"),
    ("named holder without a person", create("Post", "PostInput"),
     {"source": SEEMLESS, "input": {"label": "P", "postIn": f"{ID}org/openai",
                                    "holderStatus": "NAMED"}},
     "ValidationFailed", "org:heldBy gives no person"),
    ("unnamed holder with a person", create("Post", "PostInput"),
     {"source": SEEMLESS, "input": {"label": "P", "postIn": f"{ID}org/openai",
                                    "holderStatus": "UNNAMED",
                                    "heldBy": f"{ID}person/greg-brockman"}},
     "ValidationFailed", "names no holder of this post"),
    ("reorganisation without result", create("StrategyEvent", "StrategyEventInput"),
     {"source": SEEMLESS, "input": {"label": "R", "kind": "REORGANISATION",
                                    "associatedWith": [f"{ID}org/openai"]}},
     "ValidationFailed", "at least one resulting unit"),
    ("required field cleared", update("Organisation"),
     {"id": f"{ID}org/openai", "source": SEEMLESS, "patch": {"label": None}},
     "ValidationFailed", "exactly one name"),
    ("delete a referenced node", delete("Organisation"), {"id": f"{ID}org/microsoft"},
     "ValidationFailed", "schema:provider an org:FormalOrganization"),
    ("url not http", RECORD,
     {"input": {"title": "T", "publisher": f"{ID}org/seemless", "url": "ftp://example.org/x"}},
     "ValidationFailed", "starting with http:// or https://"),
    ("empty responsibility", create("Unit", "UnitInput"),
     {"source": SEEMLESS, "input": {"label": "T", "unitOf": f"{ID}org/openai",
                                    "responsibilities": [""]}},
     "ValidationFailed", "A responsibility needs exactly one statement"),
    ("nameless person", create("Person", "PersonInput"),
     {"source": SEEMLESS, "input": {"label": ""}}, "ValidationFailed", "A person needs"),
    ("platform run by a person", create("CloudPlatform", "CloudPlatformInput"),
     {"source": SEEMLESS, "input": {"label": "C", "provider": f"{ID}person/greg-brockman"}},
     "ValidationFailed", "schema:provider an org:FormalOrganization"),
    ("relationship with a unit as customer", create("ProviderRelationship",
                                                    "ProviderRelationshipInput"),
     {"source": SEEMLESS, "input": {"label": "R", "customer": f"{ID}unit/openai-infrastructure",
                                    "provider": f"{ID}org/google", "kind": "CAPACITY_RENTAL",
                                    "status": "ACTIVE"}},
     "ValidationFailed", "exactly one customer"),
    ("initiative led by no one", create("Initiative", "InitiativeInput"),
     {"source": SEEMLESS, "input": {"label": "I", "ledBy": []}},
     "ValidationFailed", "led by at least one organisation"),
    ("empty risk", create("StrategyEvent", "StrategyEventInput"),
     {"source": SEEMLESS, "input": {"label": "E", "kind": "ANNOUNCEMENT",
                                    "associatedWith": [f"{ID}org/openai"], "risks": [""]}},
     "ValidationFailed", "A benefit or risk needs"),
    ("empty quote", create("Person", "PersonInput"),
     {"source": SEEMLESS, "input": {"label": "Q"}, "citation": {"quote": ""}},
     "ValidationFailed", "A citation needs exactly one sentence"),
    ("publisher not an organisation", RECORD,
     {"input": {"title": "T", "publisher": f"{ID}person/greg-brockman"}},
     "ValidationFailed", "at most one publisher (schema:publisher an org:FormalOrganization)"),
    ("impossible publication date", RECORD,
     {"input": {"title": "T", "publisher": f"{ID}org/seemless", "datePublished": "2026-13-01"}},
     "InvalidInput", "not a valid date"),
    ("missing node", create("Unit", "UnitInput"),
     {"source": SEEMLESS, "input": {"label": "T", "unitOf": f"{ID}org/no-such-org"}},
     "NotFound", "no-such-org"),
    ("missing source", create("Organisation", "OrganisationInput"),
     {"source": f"{ID}source/no-such-source", "input": ORG_INPUT}, "NotFound", "no-such-source"),
    ("update missing node", update("Person"),
     {"id": f"{ID}person/nobody", "source": SEEMLESS, "patch": {"label": "X"}},
     "NotFound", "person/nobody"),
    ("impossible date", create("StrategyEvent", "StrategyEventInput"),
     {"source": SEEMLESS, "input": {"label": "E", "kind": "ANNOUNCEMENT",
                                    "associatedWith": [f"{ID}org/openai"], "date": "2026-02-30"}},
     "InvalidInput", "not a valid date"),
    ("date in words", create("StrategyEvent", "StrategyEventInput"),
     {"source": SEEMLESS, "input": {"label": "E", "kind": "ANNOUNCEMENT",
                                    "associatedWith": [f"{ID}org/openai"], "date": "March 2026"}},
     "InvalidInput", "YYYY-MM-DD, YYYY-MM or YYYY"),
    ("neither id nor IRI", create("Unit", "UnitInput"),
     {"source": SEEMLESS, "input": {"label": "T", "unitOf": "org/open ai"}},
     "InvalidInput", "neither a node id"),
    ("IRI not http(s)", create("Unit", "UnitInput"),
     {"source": SEEMLESS, "input": {"label": "T", "unitOf": "urn:x:openai"}},
     "InvalidInput", "neither a node id"),
    ("source not a source IRI", create("Organisation", "OrganisationInput"),
     {"source": f"{ID}org/openai", "input": ORG_INPUT}, "InvalidInput", "not a source IRI"),
    ("oversized label", create("Organisation", "OrganisationInput"),
     {"source": SEEMLESS, "input": {"label": "x" * 1001, "kinds": ["AI_LAB"]}},
     "InvalidInput", "at most 1000"),
    ("oversized batch", RECORD,
     {"input": {"title": "T", "publisher": f"{ID}org/seemless",
                "facts": [{"person": {"label": f"P{i}"}} for i in range(1001)]}},
     "InvalidInput", "at most 1000"),
    ("unknown batch key", RECORD,
     {"input": {"title": "T", "publisher": "_:nobody"}}, "InvalidInput", "_:nobody"),
    ("fact with two nodes", RECORD,
     {"input": {"title": "T", "publisher": f"{ID}org/seemless",
                "facts": [{"person": {"label": "P"}, "organisation": ORG_INPUT}]}},
     "InvalidInput", "exactly one node"),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_gets_its_typed_error_and_writes_nothing(
    client: Client, case: tuple[str, str, dict[str, Any], str, str]
) -> None:
    _, mutation, variables, typename, text = case
    before = count_quads(client.store)

    result = client.write(mutation, **variables)

    assert result["__typename"] == typename, result
    assert text in str(result)
    if typename == "ValidationFailed":
        assert all(v["focusNode"] and v["message"] for v in result["violations"])
    assert count_quads(client.store) == before


@pytest.mark.parametrize(
    ("value", "error"),
    [(42, "String cannot represent a non string value"), ("GIANT", "GIANT")],
    ids=["number as label", "unknown enum value"],
)
def test_wrong_types_are_refused_by_the_schema(client: Client, value: Any, error: str) -> None:
    before = count_quads(client.store)
    bad = {"label": value, "kinds": ["AI_LAB"]} if value == 42 else {"label": "X", "kinds": [value]}
    errors = client.errors(create("Organisation", "OrganisationInput"), source=SEEMLESS, input=bad)
    assert any(error in e for e in errors), errors
    assert count_quads(client.store) == before


# ---------------------------------------------------------------- access control


@pytest.mark.parametrize(
    ("configured", "sent", "enabled", "text"),
    [
        (TOKEN, None, True, "Authorization: Bearer"),
        (TOKEN, "not-the-token", True, "not valid"),
        (None, TOKEN, False, "writes are disabled"),
    ],
    ids=["no token", "wrong token", "writes disabled"],
)
def test_writes_without_the_token_are_refused(
    client: Client, configured: str | None, sent: str | None, enabled: bool, text: str
) -> None:
    before = count_quads(client.store)
    result = client.write(
        create("Organisation", "OrganisationInput"),
        token=sent,
        configured=configured,
        source=SEEMLESS,
        input=ORG_INPUT,
    )
    assert result["__typename"] == "Unauthorized"
    assert result["writesEnabled"] is enabled
    assert text in result["message"]
    assert TOKEN not in str(result) and "not-the-token" not in str(result)
    assert count_quads(client.store) == before


def test_reads_need_no_token(client: Client) -> None:
    assert client.query("{ changes { id } }", token=None) == {"changes": []}


def test_an_event_update_keeps_its_type_and_date_precision_in_step(client: Client) -> None:
    event = f"{ID}event/katti-appointment"
    ok(client.write(update("StrategyEvent"), id=event, source=SEEMLESS, patch={"date": "2025"}))
    assert client.store.ask(
        f"ASK {{ GRAPH ?g {{ <{event}> <https://w3id.org/aikg/def#datePrecision> "
        "<https://w3id.org/aikg/def#PrecisionYear> } }"
    )
    refused = client.write(
        update("StrategyEvent"), id=event, source=SEEMLESS, patch={"kind": "REORGANISATION"}
    )
    assert refused["__typename"] == "ValidationFailed"
    assert "at least one resulting unit" in str(refused)
    unit = f"{ID}unit/openai-infrastructure"
    patch = {"kind": "REORGANISATION", "resultingUnits": [unit]}
    ok(client.write(update("StrategyEvent"), id=event, source=SEEMLESS, patch=patch))
    assert client.store.ask(
        f"ASK {{ GRAPH ?g {{ <{event}> a <http://www.w3.org/ns/org#ChangeEvent> }} }}"
    )
    ok(
        client.write(
            update("StrategyEvent"), id=event, source=SEEMLESS, patch={"kind": "ANNOUNCEMENT"}
        )
    )
    assert not client.store.ask(
        f"ASK {{ GRAPH ?g {{ <{event}> a <http://www.w3.org/ns/org#ChangeEvent> }} }}"
    )


def test_changes_since_lists_only_later_writes(client: Client) -> None:
    def person(label: str) -> dict[str, Any]:
        return ok(
            client.write(create("Person", "PersonInput"), source=SEEMLESS, input={"label": label})
        )

    first, second = person("First Person"), person("Second Person")
    listed = client.query("{ changes { id endedAt } }")["changes"]
    assert [c["id"] for c in listed] == [first["change"]["id"], second["change"]["id"]]
    since = listed[0]["endedAt"]
    later = client.query(f'{{ changes(since: "{since}") {{ id operation source added }} }}')
    assert later["changes"] == [
        {
            "id": second["change"]["id"],
            "operation": "createPerson",
            "source": SEEMLESS,
            "added": second["change"]["added"],
        }
    ]


def test_changes_come_in_pages_with_a_documented_maximum(client: Client) -> None:
    made = [
        ok(client.write(create("Person", "PersonInput"), source=SEEMLESS, input={"label": label}))
        for label in ("Page One", "Page Two", "Page Three")
    ]
    pages: list[list[str]] = []
    after = None
    while True:
        arg = f', after: "{after}"' if after else ""
        page = [c["id"] for c in client.query(f"{{ changes(limit: 2{arg}) {{ id }} }}")["changes"]]
        if not page:
            break
        pages.append(page)
        after = page[-1]
    assert pages == [[m["change"]["id"] for m in made[:2]], [made[2]["change"]["id"]]]

    too_many = client.errors("{ changes(limit: 1001) { id } }")
    assert too_many == ["limit must be from 1 to 1000; page on with after"]
    assert client.errors('{ changes(after: "https://w3id.org/aikg/id/change/none") { id } }') == [
        "no change <https://w3id.org/aikg/id/change/none> in the history"
    ]
