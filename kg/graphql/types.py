"""The node kinds: each GraphQL type with its RDF classes, each field with its RDF path, and
what mutations write (``kg.graphql.mapping`` explains the declarations; everything else about a
kind is derived from them).

Objects of these types are plain values: the loader (``kg.graphql.loader``) fills the fields a
request selects, level by level, so every field here is read by strawberry's default resolver.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Union

import strawberry

from kg.graphql import controlled as c
from kg.graphql.mapping import (
    NODE_KINDS,
    NodeKind,
    Writable,
    Writes,
    concept,
    holder,
    iris,
    link,
    literal,
    rdf_type,
)
from kg.model.namespaces import DCT, KG, OA, ORG, PROV, SCHEMA

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

#: The label as mutations write it (``label`` in every Input).
LABEL = Writable(input="label", required=True)
#: Written as given.
W = Writable()


@strawberry.type(description="A controlled value (a SKOS concept of the ontology).")
class Concept:
    iri: str = strawberry.field(description="The concept's IRI.")
    key: str = strawberry.field(description="The concept's local name, e.g. `CloudProvider`.")
    label: str | None = strawberry.field(description="Its skos:prefLabel.", default=None)


@strawberry.interface(
    description="Anything with an IRI. `id` is derived from the IRI; every ID argument takes "
    "either the id or the full IRI."
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Stable id: the IRI without `https://w3id.org/aikg/id/`."
    )
    iri: str = strawberry.field(description="The node's IRI.")
    sources: list[Citation] = link(
        str(KG.about),
        "Who says so: the citations of sources that state facts about this node, each with "
        "its sentence.",
        inverse=True,
        many=True,
    )


@rdf_type(str(ORG.FormalOrganization), writes=Writes("organisation", "org"))
@strawberry.type(description="An organisation (org:FormalOrganization).")
class Organisation(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="", write=LABEL)
    kinds: list[Concept] = concept(
        str(ORG.classification),
        "Its kinds.",
        many=True,
        write=Writable(required=True, values=c.OrganisationKind),
    )
    description: str | None = literal(str(DCT.description), "What the sources say it is.", write=W)
    unnamed: bool | None = literal(
        str(KG.unnamed), "True when the source does not name it.", datatype="boolean", write=W
    )
    funders: list[Organisation] = link(str(SCHEMA.funder), "Who funds it.", many=True, write=W)
    units: list[Unit] = link(str(ORG.unitOf), "Its units.", inverse=True, many=True)
    posts: list[Post] = link(
        str(ORG.postIn), "Posts directly in the organisation.", inverse=True, many=True
    )
    cloud_platforms: list[CloudPlatform] = link(
        str(SCHEMA.provider), "Cloud platforms it runs.", inverse=True, many=True
    )
    provider_relationships: list[ProviderRelationship] = link(
        str(KG.customer),
        "Relationships in which it is the customer: the providers it turns to.",
        inverse=True,
        many=True,
    )
    customer_relationships: list[ProviderRelationship] = link(
        str(KG.provider), "Relationships in which it is the provider.", inverse=True, many=True
    )
    initiatives: list[Initiative] = link(
        str(KG.ledBy), "Initiatives it leads.", inverse=True, many=True
    )
    events: list[StrategyEvent] = link(
        str(PROV.wasAssociatedWith), "Strategy events it takes part in.", inverse=True, many=True
    )


@rdf_type(str(ORG.OrganizationalUnit), writes=Writes("unit", "unit"))
@strawberry.type(description="A unit or team of an organisation (org:OrganizationalUnit).")
class Unit(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="", write=LABEL)
    description: str | None = literal(str(DCT.description), "What the sources say it is.", write=W)
    organisation: Organisation | None = link(
        str(ORG.unitOf),
        "The organisation it is a unit of; null for a unit inside another unit (see `parent`).",
        write=Writable(input="unit_of"),
    )
    parent: Unit | None = link(str(ORG.subOrganizationOf), "The unit it is part of.", write=W)
    sub_units: list[Unit] = link(
        str(ORG.subOrganizationOf), "Units that are part of it.", inverse=True, many=True
    )
    responsibilities: list[Responsibility] = link(
        str(ORG.purpose),
        "What it is responsible for.",
        many=True,
        write=Writable(minted=("responsibility", str(KG.Responsibility))),
    )
    posts: list[Post] = link(str(ORG.postIn), "Posts in the unit.", inverse=True, many=True)
    managed_relationships: list[ProviderRelationship] = link(
        str(KG.managedBy), "Provider relationships it manages.", inverse=True, many=True
    )


@rdf_type(str(KG.Responsibility))
@strawberry.type(description="Something a unit is responsible for, as the source states it.")
class Responsibility(Node):
    statement: str = literal(RDFS_LABEL, "The responsibility.", default="")


@rdf_type(str(SCHEMA.Person), writes=Writes("person", "person"))
@strawberry.type(description="A person (schema:Person).")
class Person(Node):
    name: str = literal(RDFS_LABEL, "Their name.", default="", write=LABEL)
    description: str | None = literal(
        str(DCT.description), "What the sources say about them.", write=W
    )
    posts: list[Post] = link(str(ORG.heldBy), "Posts they hold.", inverse=True, many=True)
    appointments: list[StrategyEvent] = link(
        str(KG.appointee), "Appointments of this person.", inverse=True, many=True
    )


@strawberry.type(description="The source says the post is filled but does not name the holder.")
class UnnamedHolder:
    status: Concept = strawberry.field(description="The holder status (kg:HolderUnnamed).")
    explanation: str = strawberry.field(description="Why there is no name.")


@strawberry.type(description="The source says nobody holds the post.")
class VacantPost:
    status: Concept = strawberry.field(description="The holder status (kg:HolderVacant).")
    explanation: str = strawberry.field(description="What the source says.")


@rdf_type(str(KG.CloudPlatform), writes=Writes("cloud platform", "platform"))
@strawberry.type(description="A cloud platform that rents compute capacity.")
class CloudPlatform(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="", write=LABEL)
    provider: Organisation = link(
        str(SCHEMA.provider), "The organisation that runs it.", write=Writable(required=True)
    )
    relationships: list[ProviderRelationship] = link(
        str(KG.platform), "Provider relationships through it.", inverse=True, many=True
    )


@rdf_type(str(KG.ProviderRelationship), writes=Writes("provider relationship", "relationship"))
@strawberry.type(description="A customer's relationship with a compute provider.")
class ProviderRelationship(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="", write=LABEL)
    description: str | None = literal(
        str(DCT.description), "What the sources say about it.", write=W
    )
    customer: Organisation = link(str(KG.customer), "Who buys.", write=Writable(required=True))
    # provider or provider_group: the shapes want exactly one of them
    provider: Organisation | None = link(
        str(KG.provider),
        "The provider organisation; null when the source names none (see `providerGroup`). "
        "Check `sources` for who says so: it may be kg's editorial notes, not a news source.",
        write=W,
    )
    provider_group: UnnamedGroup | None = link(
        str(KG.providerGroup),
        "The unnamed group on the provider's side, when no one is named.",
        write=W,
    )
    platform: CloudPlatform | None = link(
        str(KG.platform), "Through which cloud platform.", write=W
    )
    named_as_example: bool | None = literal(
        str(KG.namedAsExample),
        "True when the source names the provider only as an example ('cloud providers like "
        "...'), not in a complete list.",
        datatype="boolean",
        write=W,
    )
    kind: Concept = concept(
        str(KG.relationshipKind),
        "What is supplied; the concept `KindNotStated` when no source states it.",
        write=Writable(required=True, values=c.ProviderRelationshipKind),
    )
    status: Concept = concept(
        str(KG.relationshipStatus),
        "How far it has come (its stage); `StatusNotStated` when no source states it.",
        write=Writable(required=True, values=c.ProviderRelationshipStatus),
    )
    managed_by: Unit | None = link(str(KG.managedBy), "The team that manages it.", write=W)


@rdf_type(str(KG.Initiative), writes=Writes("initiative", "initiative"))
@strawberry.type(description="A long-running programme of an organisation.")
class Initiative(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="", write=LABEL)
    alternate_names: list[str] = literal(
        str(SCHEMA.alternateName), "Other names.", default=[], write=W
    )
    description: str | None = literal(str(DCT.description), "What the sources say it is.", write=W)
    led_by: list[Organisation] = link(
        str(KG.ledBy),
        "Who runs it or has operational responsibility for it.",
        many=True,
        write=Writable(required=True),
    )
    financial_responsibility: list[Organisation] = link(
        str(KG.financialResponsibility),
        "Who has financial responsibility for it.",
        many=True,
        write=W,
    )
    funders: list[Organisation] = link(str(SCHEMA.funder), "Who funds it.", many=True, write=W)
    technology_partners: list[Organisation] = link(
        str(KG.technologyPartner), "Its technology partners.", many=True, write=W
    )
    incorporated_as: Organisation | None = link(
        str(KG.incorporatedAs), "The company it is incorporated as.", write=W
    )
    first_site: Site | None = link(str(KG.firstSite), "Its first site.", write=W)
    posts: list[Post] = link(
        str(ORG.postIn), "Posts in it (e.g. its chair).", inverse=True, many=True
    )
    former_strategies: list[Concept] = concept(
        str(KG.formerStrategy),
        "Strategies it followed before.",
        many=True,
        write=Writable(values=c.Strategy),
    )
    current_strategy: Concept | None = concept(
        str(KG.currentStrategy), "Its strategy now.", write=Writable(values=c.Strategy)
    )
    events: list[StrategyEvent] = link(
        str(KG.concerns), "Events that concern it.", inverse=True, many=True
    )


PostHolder = Annotated[
    Person | UnnamedHolder | VacantPost,
    strawberry.union("PostHolder", description="Who holds a post, or why no one is named."),
]
OrganisationOrUnit = Annotated[
    Organisation | Unit | Initiative,
    strawberry.union(
        "OrganisationOrUnit", description="Where a post is: an organisation, unit or initiative."
    ),
]


@rdf_type(str(ORG.Post), writes=Writes("post", "post"))
@strawberry.type(description="A post in an organisation or unit (org:Post).")
class Post(Node):
    title: str = literal(RDFS_LABEL, "Its title.", default="", write=LABEL)
    description: str | None = literal(
        str(DCT.description), "What the sources say about it.", write=W
    )
    within: OrganisationOrUnit = link(
        str(ORG.postIn),
        "The organisation or unit it is in.",
        write=Writable(input="post_in", required=True),
    )
    role: Concept | None = concept(str(ORG.role), "Its role.", write=Writable(values=c.PostRole))
    holder_status: Concept = concept(
        str(KG.holderStatus),
        "Whether the source names the holder, does not, or says vacant.",
        write=Writable(required=True, values=c.HolderStatus),
    )
    held_by: Person | None = link(
        str(ORG.heldBy), "The named holder; null when unnamed or vacant (see `holder`).", write=W
    )
    holder: PostHolder = holder(
        str(ORG.heldBy), "The holder: a person, or an explanation of why none is named."
    )
    reports_to: list[Post] = link(
        str(ORG.reportsTo),
        "Posts it reports to (org:reportsTo), as a source states.",
        many=True,
        write=W,
    )
    reporting: list[Post] = link(
        str(ORG.reportsTo), "Posts that report to it.", inverse=True, many=True
    )
    reporting_groups: list[UnnamedGroup] = link(
        str(ORG.reportsTo),
        "Unnamed groups (e.g. 'several leaders') that report to it.",
        inverse=True,
        many=True,
    )


@rdf_type(str(KG.UnnamedGroup), writes=Writes("unnamed group", "group"))
@strawberry.type(
    description="Organisations or people a source refers to as a group without naming any: "
    "not an organisation of its own."
)
class UnnamedGroup(Node):
    name: str = literal(RDFS_LABEL, "How the source refers to the group.", default="", write=LABEL)
    description: str | None = literal(
        str(DCT.description), "What the sources say about it.", write=W
    )
    member_kind: Concept | None = concept(
        str(KG.memberKind), "What its members are.", write=Writable(values=c.OrganisationKind)
    )
    reports_to: list[Post] = link(str(ORG.reportsTo), "Posts it reports to.", many=True, write=W)


@rdf_type(str(ORG.Site), writes=Writes("site", "site"))
@strawberry.type(description="A site (org:Site), such as a data-centre location.")
class Site(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="", write=LABEL)
    built_by: list[Organisation] = link(str(KG.builtBy), "Who builds it.", many=True, write=W)
    built_for: list[Organisation] = link(
        str(KG.builtFor), "Whom it is built for.", many=True, write=W
    )


@rdf_type(str(KG.Shareholding), writes=Writes("shareholding", "shareholding"))
@strawberry.type(description="A share an organisation holds in another, as reported.")
class Shareholding(Node):
    name: str = literal(RDFS_LABEL, "What it is.", default="", write=LABEL)
    shareholder: Organisation = link(
        str(KG.shareholder), "Who holds the share.", write=Writable(required=True)
    )
    share_in: Organisation = link(
        str(KG.shareIn), "The organisation it is a share of.", write=Writable(required=True)
    )
    percent: str = literal(
        str(KG.ownershipShare),
        "The share in percent.",
        default="",
        write=Writable(required=True, literal="decimal"),
    )


@rdf_type(str(KG.SpendingExpectation), writes=Writes("spending expectation", "expectation"))
@strawberry.type(description="What an organisation expects to spend, as reported.")
class SpendingExpectation(Node):
    name: str = literal(RDFS_LABEL, "What it is.", default="", write=LABEL)
    spender: Organisation = link(
        str(KG.spender), "Who expects to spend.", write=Writable(required=True)
    )
    up_to: str = literal(
        str(SCHEMA.maxValue),
        "The amount, an upper bound ('up to').",
        default="",
        write=Writable(required=True, literal="decimal"),
    )
    currency: str = literal(
        str(SCHEMA.currency), "Its currency (ISO 4217).", default="", write=Writable(required=True)
    )
    spent_on: str = literal(
        str(KG.spentOn),
        "What for, in the source's words.",
        default="",
        write=Writable(required=True),
    )
    through: str | None = literal(
        str(KG.through), "The last year it covers.", write=Writable(literal="year")
    )


@rdf_type(str(KG.Benefit), str(KG.Risk))
@strawberry.type(description="A stated benefit or risk of a strategy event.")
class Consideration(Node):
    statement: str = literal(RDFS_LABEL, "The benefit or risk.", default="")


def _event_types(values: Any) -> list[str]:
    """A reorganisation is also an ``org:ChangeEvent``."""
    kind = getattr(values, "kind", None)
    reorganisation = isinstance(kind, Enum) and kind is c.EventKind.REORGANISATION
    return [str(ORG.ChangeEvent)] if reorganisation else []


@rdf_type(
    str(KG.StrategyEvent),
    writes=Writes(
        "strategy event",
        "event",
        extra_types=_event_types,
        description="A strategy event. date is YYYY-MM-DD, YYYY-MM or YYYY; datePrecision "
        "defaults to the precision of date (NOT_STATED without one).",
    ),
)
@strawberry.type(description="A change of strategy or structure: shift, reorganisation, ...")
class StrategyEvent(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="", write=LABEL)
    description: str | None = literal(str(DCT.description), "What happened.", write=W)
    kind: Concept = concept(
        str(KG.eventKind),
        "The kind of event.",
        write=Writable(required=True, values=c.EventKind),
    )
    organisations: list[Organisation] = link(
        str(PROV.wasAssociatedWith),
        "Organisations involved.",
        many=True,
        write=Writable(input="associated_with"),
    )
    date: str | None = literal(
        str(KG.date),
        "Its date as the source gives it: YYYY-MM-DD, YYYY-MM or YYYY.",
        write=Writable(literal="date"),
    )
    # not required: written from the precision of `date` when left out
    date_precision: Concept = concept(
        str(KG.datePrecision),
        "How precise `date` is (`NotStated`: no source dates it).",
        write=Writable(values=c.DatePrecision),
    )
    date_basis: Concept | None = concept(
        str(KG.dateBasis),
        "What `date` is the date of: the event (`OccurredOn`) or only its first report "
        "(`FirstReportedOn`).",
        write=Writable(values=c.DateBasis),
    )
    concerns: list[Node] = link(str(KG.concerns), "What it is about.", many=True, write=W)
    from_strategy: Concept | None = concept(
        str(KG.fromStrategy), "The strategy it moves from.", write=Writable(values=c.Strategy)
    )
    to_strategy: Concept | None = concept(
        str(KG.toStrategy), "The strategy it moves to.", write=Writable(values=c.Strategy)
    )
    benefits: list[Consideration] = link(
        str(KG.benefit),
        "Stated benefits.",
        many=True,
        write=Writable(minted=("benefit", str(KG.Benefit))),
    )
    risks: list[Consideration] = link(
        str(KG.risk), "Stated risks.", many=True, write=Writable(minted=("risk", str(KG.Risk)))
    )
    original_units: list[Unit] = link(
        str(ORG.originalOrganization), "Units before a reorganisation.", many=True, write=W
    )
    resulting_units: list[Unit] = link(
        str(ORG.resultingOrganization), "Units a reorganisation produced.", many=True, write=W
    )
    appointed_to: list[Post] = link(str(KG.appointedTo), "Posts filled.", many=True, write=W)
    appointees: list[Person] = link(str(KG.appointee), "People appointed.", many=True, write=W)


@rdf_type(str(SCHEMA.NewsArticle), str(SCHEMA.Article), str(SCHEMA.CreativeWork))
@strawberry.type(
    description="A source: a news article or article (reported), or kg's editorial notes."
)
class Source(Node):
    label: str = literal(RDFS_LABEL, "What it is.", default="")
    title: str | None = literal(str(DCT.title), "Its title, when known.")
    role: Concept | None = concept(
        str(KG.sourceRole),
        "`Reported` (a publication's reporting) or `Editorial` (kg's own notes: background "
        "knowledge the curators add, not stated by a news source).",
    )
    publisher: Organisation | None = link(
        str(SCHEMA.publisher), "Who published it; null for kg's editorial notes."
    )
    text: str | None = literal(
        str(SCHEMA.text),
        "Its text as kept with kg; verbatim quotations of it are checked against it. Null "
        "when kg does not hold its text (see `reportedText`).",
    )
    reported_text: str | None = literal(
        str(KG.reportedText),
        "What was reported of it, as found, when kg does not hold its own words: its "
        "quotations come from this text and are not verbatim.",
    )
    date_published: str | None = literal(str(SCHEMA.datePublished), "When it was published.")
    url: str | None = literal(str(SCHEMA.url), "Where it is.")
    citations: list[Citation] = link(
        str(PROV.wasDerivedFrom),
        "The facts it states, with their sentences.",
        inverse=True,
        many=True,
    )


@rdf_type(str(KG.Citation))
@strawberry.type(description="Facts about one node, the source that states them and the sentence.")
class Citation(Node):
    about: Node = link(str(KG.about), "The node the facts are about.")
    source: Source = link(str(PROV.wasDerivedFrom), "The source that states them.")
    quote: str = literal(str(KG.quote), "The sentence they rest on.", default="")
    verbatim: bool = literal(
        str(KG.verbatim),
        "True when `quote` is the source's own words.",
        datatype="boolean",
        default=False,
    )
    supports: list[str] = iris(str(KG.supports), "The properties the sentence states (CURIEs).")
    attribution: Concept | None = concept(
        str(KG.attribution),
        "Whom the source credits (e.g. insider sources).",
        write=Writable(values=c.Attribution),
    )
    hedges: list[Concept] = concept(
        str(KG.hedge),
        "How the source hedges the facts ('reportedly', 'potentially', 'more'): they hold only "
        "as hedged.",
        many=True,
        write=Writable(values=c.Hedge),
    )
    quoted_from: Quotation | None = link(
        str(PROV.wasQuotedFrom), "Where the verbatim quote is in the source's text."
    )
    credited_to: Organisation | None = link(
        str(KG.creditedTo), "The publication credited with reporting it first.", write=W
    )


@rdf_type(str(OA.SpecificResource), searchable=False)
@strawberry.type(
    description="A place in a source's text (W3C Web Annotation oa:SpecificResource with an "
    "oa:TextQuoteSelector and an oa:TextPositionSelector)."
)
class Quotation(Node):
    source: Source = link(str(OA.hasSource), "The source whose text it is in.")


#: Every node kind declared above, by GraphQL type name, in declaration order.
DECLARED: dict[str, NodeKind] = dict(NODE_KINDS)
#: Every node type, by GraphQL name.
NODE_TYPES: dict[str, type] = {name: kind.cls for name, kind in DECLARED.items()}

#: The node types ``search`` finds (all but citations and quotations).
SearchResult: Any = Annotated[
    Union[tuple(k.cls for k in DECLARED.values() if k.searchable)],  # noqa: UP007
    strawberry.union("SearchResult", description="A node whose name or description matches."),
]
