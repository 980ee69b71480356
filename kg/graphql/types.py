"""The GraphQL types, each with its RDF class and each field with its RDF path (one place).

Objects of these types are plain values: the loader (``kg.graphql.loader``) fills the fields a
request selects, level by level, so every field here is read by strawberry's default resolver.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from kg.graphql.mapping import concept, holder, iris, link, literal, rdf_type
from kg.model.namespaces import DCT, KG, OA, ORG, PROV, SCHEMA

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


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


@rdf_type(str(ORG.FormalOrganization))
@strawberry.type(description="An organisation (org:FormalOrganization).")
class Organisation(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="")
    kinds: list[Concept] = concept(str(ORG.classification), "Its kinds.", many=True)
    description: str | None = literal(str(DCT.description), "What the sources say it is.")
    unnamed: bool | None = literal(
        str(KG.unnamed), "True when the source does not name it.", datatype="boolean"
    )
    funders: list[Organisation] = link(str(SCHEMA.funder), "Who funds it.", many=True)
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


@rdf_type(str(ORG.OrganizationalUnit))
@strawberry.type(description="A unit or team of an organisation (org:OrganizationalUnit).")
class Unit(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="")
    description: str | None = literal(str(DCT.description), "What the sources say it is.")
    organisation: Organisation | None = link(
        str(ORG.unitOf),
        "The organisation it is a unit of; null for a unit inside another unit (see `parent`).",
    )
    parent: Unit | None = link(str(ORG.subOrganizationOf), "The unit it is part of.")
    sub_units: list[Unit] = link(
        str(ORG.subOrganizationOf), "Units that are part of it.", inverse=True, many=True
    )
    responsibilities: list[Responsibility] = link(
        str(ORG.purpose), "What it is responsible for.", many=True
    )
    posts: list[Post] = link(str(ORG.postIn), "Posts in the unit.", inverse=True, many=True)
    managed_relationships: list[ProviderRelationship] = link(
        str(KG.managedBy), "Provider relationships it manages.", inverse=True, many=True
    )


@rdf_type(str(KG.Responsibility))
@strawberry.type(description="Something a unit is responsible for, as the source states it.")
class Responsibility(Node):
    statement: str = literal(RDFS_LABEL, "The responsibility.", default="")


@rdf_type(str(SCHEMA.Person))
@strawberry.type(description="A person (schema:Person).")
class Person(Node):
    name: str = literal(RDFS_LABEL, "Their name.", default="")
    description: str | None = literal(str(DCT.description), "What the sources say about them.")
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


@rdf_type(str(KG.CloudPlatform))
@strawberry.type(description="A cloud platform that rents compute capacity.")
class CloudPlatform(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="")
    provider: Organisation = link(str(SCHEMA.provider), "The organisation that runs it.")
    relationships: list[ProviderRelationship] = link(
        str(KG.platform), "Provider relationships through it.", inverse=True, many=True
    )


@rdf_type(str(KG.ProviderRelationship))
@strawberry.type(description="A customer's relationship with a compute provider.")
class ProviderRelationship(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="")
    description: str | None = literal(str(DCT.description), "What the sources say about it.")
    customer: Organisation = link(str(KG.customer), "Who buys.")
    provider: Organisation | None = link(
        str(KG.provider),
        "The provider organisation; null when the source names none (see `providerGroup`). "
        "Check `sources` for who says so: it may be kg's editorial notes, not a news source.",
    )
    provider_group: UnnamedGroup | None = link(
        str(KG.providerGroup), "The unnamed group on the provider's side, when no one is named."
    )
    platform: CloudPlatform | None = link(str(KG.platform), "Through which cloud platform.")
    named_as_example: bool | None = literal(
        str(KG.namedAsExample),
        "True when the source names the provider only as an example ('cloud providers like "
        "...'), not in a complete list.",
        datatype="boolean",
    )
    kind: Concept = concept(
        str(KG.relationshipKind),
        "What is supplied; the concept `KindNotStated` when no source states it.",
    )
    status: Concept = concept(
        str(KG.relationshipStatus),
        "How far it has come (its stage); `StatusNotStated` when no source states it.",
    )
    managed_by: Unit | None = link(str(KG.managedBy), "The team that manages it.")


@rdf_type(str(KG.Initiative))
@strawberry.type(description="A long-running programme of an organisation.")
class Initiative(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="")
    alternate_names: list[str] = literal(str(SCHEMA.alternateName), "Other names.", default=[])
    description: str | None = literal(str(DCT.description), "What the sources say it is.")
    led_by: list[Organisation] = link(
        str(KG.ledBy), "Who runs it or has operational responsibility for it.", many=True
    )
    financial_responsibility: list[Organisation] = link(
        str(KG.financialResponsibility), "Who has financial responsibility for it.", many=True
    )
    funders: list[Organisation] = link(str(SCHEMA.funder), "Who funds it.", many=True)
    technology_partners: list[Organisation] = link(
        str(KG.technologyPartner), "Its technology partners.", many=True
    )
    incorporated_as: Organisation | None = link(
        str(KG.incorporatedAs), "The company it is incorporated as."
    )
    first_site: Site | None = link(str(KG.firstSite), "Its first site.")
    posts: list[Post] = link(
        str(ORG.postIn), "Posts in it (e.g. its chair).", inverse=True, many=True
    )
    former_strategies: list[Concept] = concept(
        str(KG.formerStrategy), "Strategies it followed before.", many=True
    )
    current_strategy: Concept | None = concept(str(KG.currentStrategy), "Its strategy now.")
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


@rdf_type(str(ORG.Post))
@strawberry.type(description="A post in an organisation or unit (org:Post).")
class Post(Node):
    title: str = literal(RDFS_LABEL, "Its title.", default="")
    description: str | None = literal(str(DCT.description), "What the sources say about it.")
    within: OrganisationOrUnit = link(str(ORG.postIn), "The organisation or unit it is in.")
    role: Concept | None = concept(str(ORG.role), "Its role.")
    holder_status: Concept = concept(
        str(KG.holderStatus), "Whether the source names the holder, does not, or says vacant."
    )
    held_by: Person | None = link(
        str(ORG.heldBy), "The named holder; null when unnamed or vacant (see `holder`)."
    )
    holder: PostHolder = holder(
        str(ORG.heldBy), "The holder: a person, or an explanation of why none is named."
    )
    reports_to: list[Post] = link(
        str(ORG.reportsTo), "Posts it reports to (org:reportsTo), as a source states.", many=True
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


@rdf_type(str(KG.UnnamedGroup))
@strawberry.type(
    description="Organisations or people a source refers to as a group without naming any: "
    "not an organisation of its own."
)
class UnnamedGroup(Node):
    name: str = literal(RDFS_LABEL, "How the source refers to the group.", default="")
    description: str | None = literal(str(DCT.description), "What the sources say about it.")
    member_kind: Concept | None = concept(str(KG.memberKind), "What its members are.")
    reports_to: list[Post] = link(str(ORG.reportsTo), "Posts it reports to.", many=True)


@rdf_type(str(ORG.Site))
@strawberry.type(description="A site (org:Site), such as a data-centre location.")
class Site(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="")
    built_by: list[Organisation] = link(str(KG.builtBy), "Who builds it.", many=True)
    built_for: list[Organisation] = link(str(KG.builtFor), "Whom it is built for.", many=True)


@rdf_type(str(KG.Shareholding))
@strawberry.type(description="A share an organisation holds in another, as reported.")
class Shareholding(Node):
    name: str = literal(RDFS_LABEL, "What it is.", default="")
    shareholder: Organisation = link(str(KG.shareholder), "Who holds the share.")
    share_in: Organisation = link(str(KG.shareIn), "The organisation it is a share of.")
    percent: str = literal(str(KG.ownershipShare), "The share in percent.", default="")


@rdf_type(str(KG.SpendingExpectation))
@strawberry.type(description="What an organisation expects to spend, as reported.")
class SpendingExpectation(Node):
    name: str = literal(RDFS_LABEL, "What it is.", default="")
    spender: Organisation = link(str(KG.spender), "Who expects to spend.")
    up_to: str = literal(str(SCHEMA.maxValue), "The amount, an upper bound ('up to').", default="")
    currency: str = literal(str(SCHEMA.currency), "Its currency (ISO 4217).", default="")
    spent_on: str = literal(str(KG.spentOn), "What for, in the source's words.", default="")
    through: str | None = literal(str(KG.through), "The last year it covers.")


@rdf_type(str(KG.Benefit), str(KG.Risk))
@strawberry.type(description="A stated benefit or risk of a strategy event.")
class Consideration(Node):
    statement: str = literal(RDFS_LABEL, "The benefit or risk.", default="")


@rdf_type(str(KG.StrategyEvent))
@strawberry.type(description="A change of strategy or structure: shift, reorganisation, ...")
class StrategyEvent(Node):
    name: str = literal(RDFS_LABEL, "Its name.", default="")
    description: str | None = literal(str(DCT.description), "What happened.")
    kind: Concept = concept(str(KG.eventKind), "The kind of event.")
    organisations: list[Organisation] = link(
        str(PROV.wasAssociatedWith), "Organisations involved.", many=True
    )
    date: str | None = literal(
        str(KG.date), "Its date as the source gives it: YYYY-MM-DD, YYYY-MM or YYYY."
    )
    date_precision: Concept = concept(
        str(KG.datePrecision), "How precise `date` is (`NotStated`: no source dates it)."
    )
    date_basis: Concept | None = concept(
        str(KG.dateBasis),
        "What `date` is the date of: the event (`OccurredOn`) or only its first report "
        "(`FirstReportedOn`).",
    )
    concerns: list[Node] = link(str(KG.concerns), "What it is about.", many=True)
    from_strategy: Concept | None = concept(str(KG.fromStrategy), "The strategy it moves from.")
    to_strategy: Concept | None = concept(str(KG.toStrategy), "The strategy it moves to.")
    benefits: list[Consideration] = link(str(KG.benefit), "Stated benefits.", many=True)
    risks: list[Consideration] = link(str(KG.risk), "Stated risks.", many=True)
    original_units: list[Unit] = link(
        str(ORG.originalOrganization), "Units before a reorganisation.", many=True
    )
    resulting_units: list[Unit] = link(
        str(ORG.resultingOrganization), "Units a reorganisation produced.", many=True
    )
    appointed_to: list[Post] = link(str(KG.appointedTo), "Posts filled.", many=True)
    appointees: list[Person] = link(str(KG.appointee), "People appointed.", many=True)


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
        str(KG.attribution), "Whom the source credits (e.g. insider sources)."
    )
    hedges: list[Concept] = concept(
        str(KG.hedge),
        "How the source hedges the facts ('reportedly', 'potentially', 'more'): they hold only "
        "as hedged.",
        many=True,
    )
    quoted_from: Quotation | None = link(
        str(PROV.wasQuotedFrom), "Where the verbatim quote is in the source's text."
    )
    credited_to: Organisation | None = link(
        str(KG.creditedTo), "The publication credited with reporting it first."
    )


@rdf_type(str(OA.SpecificResource))
@strawberry.type(
    description="A place in a source's text (W3C Web Annotation oa:SpecificResource with an "
    "oa:TextQuoteSelector and an oa:TextPositionSelector)."
)
class Quotation(Node):
    source: Source = link(str(OA.hasSource), "The source whose text it is in.")


#: Every node type, by GraphQL name.
NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Organisation,
        Unit,
        Responsibility,
        Person,
        Post,
        CloudPlatform,
        ProviderRelationship,
        Initiative,
        Consideration,
        StrategyEvent,
        Source,
        Citation,
        UnnamedGroup,
        Site,
        Shareholding,
        SpendingExpectation,
        Quotation,
    )
}

SearchResult = Annotated[
    Organisation
    | Unit
    | Responsibility
    | Person
    | Post
    | CloudPlatform
    | ProviderRelationship
    | Initiative
    | Consideration
    | StrategyEvent
    | Source
    | UnnamedGroup
    | Site
    | Shareholding
    | SpendingExpectation,
    strawberry.union("SearchResult", description="A node whose name or description matches."),
]
