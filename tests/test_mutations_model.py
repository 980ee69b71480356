"""Mutations write the kinds and fields of the data model as declared: unnamed groups, sites,
shareholdings, spending expectations, a provider named only as an example or only as a group,
kind and stage not stated, the basis of an event's date, and the hedges and attribution of a
citation; what the shapes refuse is refused with their message and nothing is written.

Every test runs on the embedded store and on a real Oxigraph server (``article_store``).
"""

from __future__ import annotations

from typing import Any

from tests.plugins.graphql_client import Client, count_quads
from tests.test_mutations import ID, RECORD, SEEMLESS, create, ok, update

OPENAI = "org/openai"


def node(client: Client, node_id: str, fields: str) -> dict[str, Any]:
    found: dict[str, Any] = client.query(f'{{ node(id: "{node_id}") {{ {fields} }} }}')["node"]
    assert found is not None, node_id
    return found


def refused(result: dict[str, Any], typename: str) -> dict[str, Any]:
    assert result["__typename"] == typename, result
    return result


def test_an_unnamed_provider_group_with_kind_and_stage_not_stated(client: Client) -> None:
    group = ok(
        client.write(
            create("UnnamedGroup", "UnnamedGroupInput"),
            source=SEEMLESS,
            input={"label": "several cloud providers", "memberKind": "CLOUD_PROVIDER"},
        )
    )
    relationship = ok(
        client.write(
            create("ProviderRelationship", "ProviderRelationshipInput"),
            source=SEEMLESS,
            input={
                "label": "OpenAI and several cloud providers",
                "customer": OPENAI,
                "providerGroup": group["id"],
                "kind": "NOT_STATED",
                "status": "NOT_STATED",
            },
        )
    )
    read = node(
        client,
        relationship["id"],
        "... on ProviderRelationship { provider { id } providerGroup { name memberKind { key } }"
        " kind { key } status { key } namedAsExample }",
    )
    assert read == {
        "provider": None,
        "providerGroup": {
            "name": "several cloud providers",
            "memberKind": {"key": "CloudProvider"},
        },
        "kind": {"key": "KindNotStated"},
        "status": {"key": "StatusNotStated"},
        "namedAsExample": None,
    }


def test_a_provider_named_as_an_example(client: Client) -> None:
    created = ok(
        client.write(
            create("Organisation", "OrganisationInput"),
            source=SEEMLESS,
            input={"label": "Example Cloud Co", "kinds": ["CLOUD_PROVIDER"]},
        )
    )
    relationship = ok(
        client.write(
            create("ProviderRelationship", "ProviderRelationshipInput"),
            source=SEEMLESS,
            input={
                "label": "OpenAI and Example Cloud Co",
                "customer": OPENAI,
                "provider": created["id"],
                "namedAsExample": True,
                "kind": "CAPACITY_RENTAL",
                "status": "POTENTIAL",
            },
        )
    )
    fields = "... on ProviderRelationship { provider { name } namedAsExample }"
    assert node(client, relationship["id"], fields) == {
        "provider": {"name": "Example Cloud Co"},
        "namedAsExample": True,
    }
    ok(
        client.write(
            update("ProviderRelationship"),
            id=relationship["id"],
            source=SEEMLESS,
            patch={"namedAsExample": None},
        )
    )
    assert node(client, relationship["id"], fields)["namedAsExample"] is None


def test_a_provider_and_a_provider_group_together_are_refused(client: Client) -> None:
    group = ok(
        client.write(
            create("UnnamedGroup", "UnnamedGroupInput"),
            source=SEEMLESS,
            input={"label": "some providers"},
        )
    )
    before = count_quads(client.store)
    result = client.write(
        create("ProviderRelationship", "ProviderRelationshipInput"),
        source=SEEMLESS,
        input={
            "label": "Both sides named",
            "customer": OPENAI,
            "provider": OPENAI,
            "providerGroup": group["id"],
            "kind": "CAPACITY_RENTAL",
            "status": "ACTIVE",
        },
    )
    failed = refused(result, "ValidationFailed")
    assert any("not both" in v["message"] for v in failed["violations"]), failed
    assert count_quads(client.store) == before


def test_an_event_date_and_its_basis(client: Client) -> None:
    event = ok(
        client.write(
            create("StrategyEvent", "StrategyEventInput"),
            source=SEEMLESS,
            input={
                "label": "A reported shift",
                "kind": "STRATEGY_SHIFT",
                "associatedWith": [OPENAI],
                "date": "2025-06",
                "dateBasis": "FIRST_REPORTED_ON",
            },
        )
    )
    read = node(
        client,
        event["id"],
        "... on StrategyEvent { date datePrecision { key } dateBasis { key } }",
    )
    assert read == {
        "date": "2025-06",
        "datePrecision": {"key": "PrecisionMonth"},
        "dateBasis": {"key": "FirstReportedOn"},
    }
    before = count_quads(client.store)
    result = client.write(
        update("StrategyEvent"), id=event["id"], source=SEEMLESS, patch={"date": None}
    )
    failed = refused(result, "ValidationFailed")
    assert any("date basis" in v["message"] for v in failed["violations"]), failed
    assert count_quads(client.store) == before


def test_hedges_and_attribution_of_a_citation(client: Client) -> None:
    org = ok(
        client.write(
            create("Organisation", "OrganisationInput"),
            source=SEEMLESS,
            input={"label": "Hedged Compute", "kinds": ["CLOUD_PROVIDER"]},
            citation={
                "quote": "Hedged Compute reportedly rents capacity.",
                "verbatim": False,
                "hedges": ["REPORTEDLY"],
                "attribution": "INSIDER_SOURCES",
            },
        )
    )
    read = node(
        client,
        org["id"].removeprefix(ID),
        "sources { quote hedges { key } attribution { key } creditedTo { id } }",
    )
    assert read["sources"] == [
        {
            "quote": "Hedged Compute reportedly rents capacity.",
            "hedges": [{"key": "Reportedly"}],
            "attribution": {"key": "InsiderSources"},
            "creditedTo": None,
        }
    ]


def test_a_unit_inside_a_unit_needs_no_organisation(client: Client) -> None:
    outer = ok(
        client.write(
            create("Unit", "UnitInput"),
            source=SEEMLESS,
            input={"label": "Outer team", "unitOf": OPENAI},
        )
    )
    inner = ok(
        client.write(
            create("Unit", "UnitInput"),
            source=SEEMLESS,
            input={"label": "Inner team", "parent": outer["id"]},
        )
    )
    read = node(client, inner["id"], "... on Unit { organisation { id } parent { name } }")
    assert read == {"organisation": None, "parent": {"name": "Outer team"}}
    before = count_quads(client.store)
    result = client.write(
        create("Unit", "UnitInput"), source=SEEMLESS, input={"label": "Nowhere team"}
    )
    failed = refused(result, "ValidationFailed")
    assert any("must belong somewhere" in v["message"] for v in failed["violations"]), failed
    assert count_quads(client.store) == before


def test_sites_shareholdings_and_spending(client: Client) -> None:
    site = ok(
        client.write(
            create("Site", "SiteInput"),
            source=SEEMLESS,
            input={"label": "Example campus", "builtFor": [OPENAI]},
        )
    )
    initiative = ok(
        client.write(
            create("Initiative", "InitiativeInput"),
            source=SEEMLESS,
            input={
                "label": "Example programme",
                "ledBy": [OPENAI],
                "technologyPartners": [OPENAI],
                "firstSite": site["id"],
            },
        )
    )
    read = node(
        client,
        initiative["id"],
        "... on Initiative { firstSite { name builtFor { id } } technologyPartners { id } }",
    )
    assert read == {
        "firstSite": {"name": "Example campus", "builtFor": [{"id": OPENAI}]},
        "technologyPartners": [{"id": OPENAI}],
    }
    share = ok(
        client.write(
            create("Shareholding", "ShareholdingInput"),
            source=SEEMLESS,
            input={"label": "A share", "shareholder": OPENAI, "shareIn": OPENAI, "percent": "12.5"},
        )
    )
    assert node(client, share["id"], "... on Shareholding { percent }") == {"percent": "12.5"}
    spending = ok(
        client.write(
            create("SpendingExpectation", "SpendingExpectationInput"),
            source=SEEMLESS,
            input={
                "label": "Compute spending",
                "spender": OPENAI,
                "upTo": "100",
                "currency": "USD",
                "spentOn": "compute",
                "through": "2030",
            },
        )
    )
    read = node(client, spending["id"], "... on SpendingExpectation { upTo currency through }")
    assert read == {"upTo": "100", "currency": "USD", "through": "2030"}


def test_bad_decimals_years_and_currencies_are_refused(client: Client) -> None:
    before = count_quads(client.store)
    share = {"label": "A share", "shareholder": OPENAI, "shareIn": OPENAI}
    result = client.write(
        create("Shareholding", "ShareholdingInput"),
        source=SEEMLESS,
        input={**share, "percent": "about 12"},
    )
    assert refused(result, "InvalidInput")["field"] == "percent"
    spending = {
        "label": "Spending",
        "spender": OPENAI,
        "upTo": "100",
        "currency": "USD",
        "spentOn": "compute",
    }
    result = client.write(
        create("SpendingExpectation", "SpendingExpectationInput"),
        source=SEEMLESS,
        input={**spending, "through": "2030-01"},
    )
    assert refused(result, "InvalidInput")["field"] == "through"
    result = client.write(
        create("SpendingExpectation", "SpendingExpectationInput"),
        source=SEEMLESS,
        input={**spending, "currency": "dollars"},
    )
    failed = refused(result, "ValidationFailed")
    assert any("ISO 4217" in v["message"] for v in failed["violations"]), failed
    assert count_quads(client.store) == before


def test_a_batch_names_an_unnamed_provider_group_by_its_key(client: Client) -> None:
    result = ok(
        client.write(
            RECORD,
            input={
                "title": "Group report",
                "publisher": "org/seemless",
                "facts": [
                    {"key": "g", "unnamedGroup": {"label": "other providers"},
                     "quote": {"quote": "Other providers may help.", "verbatim": False,
                               "hedges": ["POTENTIALLY"]}},
                    {"providerRelationship": {"label": "OpenAI and other providers",
                                              "customer": OPENAI, "providerGroup": "_:g",
                                              "kind": "NOT_STATED", "status": "POTENTIAL"}},
                ],
            },
        )
    )  # fmt: skip
    group, relationship = (
        f"{ID}group/other-providers",
        f"{ID}relationship/openai-and-other-providers",
    )
    assert {group, relationship} <= set(result["created"])
    read = node(
        client,
        relationship.removeprefix(ID),
        "... on ProviderRelationship { providerGroup { id sources { hedges { key } } } }",
    )
    assert read == {
        "providerGroup": {
            "id": "group/other-providers",
            "sources": [{"hedges": [{"key": "Potentially"}]}],
        }
    }


def test_record_an_editorial_source_with_its_text(client: Client) -> None:
    """kg's own notes: a work with no publisher, the Editorial role and its text kept with kg;
    a verbatim quotation of it is checked against that text."""
    notes = "Example Cloud is run by Example Corp. The sources do not say so."
    result = ok(
        client.write(
            RECORD,
            input={
                "title": "Editorial notes on Example Cloud",
                "kind": "CREATIVE_WORK",
                "role": "EDITORIAL",
                "text": notes,
                "facts": [
                    {"organisation": {"label": "Example Corp", "kinds": ["TECHNOLOGY_COMPANY"]},
                     "quote": {"quote": "Example Cloud is run by Example Corp.",
                               "verbatim": True}},
                ],
            },
        )
    )  # fmt: skip
    read = node(
        client,
        result["id"],
        "... on Source { title role { key } publisher { id } text reportedText }",
    )
    assert read == {
        "title": "Editorial notes on Example Cloud",
        "role": {"key": "Editorial"},
        "publisher": None,
        "text": notes,
        "reportedText": None,
    }


def test_a_verbatim_quotation_missing_from_the_sources_text_is_refused(client: Client) -> None:
    before = count_quads(client.store)
    result = refused(
        client.write(
            RECORD,
            input={
                "title": "A report with its text",
                "publisher": f"{ID}org/seemless",
                "text": "Example Lab rents capacity.",
                "facts": [
                    {"organisation": {"label": "Example Lab", "kinds": ["AI_LAB"]},
                     "quote": {"quote": "Example Lab builds data centres.", "verbatim": True}},
                ],
            },
        ),
        "ValidationFailed",
    )  # fmt: skip
    assert any("not in the text of its source" in v["message"] for v in result["violations"])
    assert count_quads(client.store) == before


def test_a_reported_source_keeps_what_was_reported_of_it(client: Client) -> None:
    result = ok(
        client.write(
            RECORD,
            input={
                "title": "A paywalled report",
                "publisher": f"{ID}org/seemless",
                "reportedText": "Example Lab was reported to rent capacity.",
                "facts": [
                    {"organisation": {"label": "Example Lab", "kinds": ["AI_LAB"]},
                     "quote": {"quote": "Example Lab was reported to rent capacity.",
                               "verbatim": False}},
                ],
            },
        )
    )  # fmt: skip
    read = node(client, result["id"], "... on Source { role { key } text reportedText }")
    assert read == {
        "role": {"key": "Reported"},
        "text": None,
        "reportedText": "Example Lab was reported to rent capacity.",
    }


def test_a_news_article_without_a_publisher_is_refused(client: Client) -> None:
    before = count_quads(client.store)
    result = refused(
        client.write(RECORD, input={"title": "An article from nowhere", "facts": []}),
        "ValidationFailed",
    )
    assert any("needs a publisher" in v["message"] for v in result["violations"])
    assert count_quads(client.store) == before
