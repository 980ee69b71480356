"""GraphQL input types of the mutations: one ``<Kind>Input`` to create, one ``<Kind>Patch`` to
update (a field left out keeps its values; ``null`` clears it), and the controlled values as
enums whose values are the local names of the SKOS concepts in the ontology (``kg:<value>``, or
a CURIE such as ``org:Head`` for a reused concept).

Python field names are snake_case; GraphQL shows them in camelCase (``unit_of`` is ``unitOf``).
References to other nodes are IRIs (``ID``); inside ``recordSource`` they may also be ``_:key``,
the key of a fact created earlier in the same batch.
"""

from enum import Enum

import strawberry
from strawberry import UNSET

ID = strawberry.ID


@strawberry.enum(description="Kinds of organisation (kg:OrganizationKinds).")
class OrganizationKind(Enum):
    AI_LAB = "AILab"
    CLOUD_PROVIDER = "CloudProvider"
    CHIP_MANUFACTURER = "ChipManufacturer"
    PUBLISHER = "Publisher"
    INVESTOR = "Investor"
    TECHNOLOGY_COMPANY = "TechnologyCompany"
    JOINT_VENTURE = "JointVenture"
    DATA_CENTRE_BUILDER = "DataCentreBuilder"


@strawberry.enum(description="Roles of posts (kg:Roles; `HEAD` is W3C ORG's org:Head).")
class PostRole(Enum):
    HEAD = "org:Head"
    HEAD_OF_INFRASTRUCTURE = "HeadOfInfrastructure"
    PRESIDENT = "President"
    CHIEF_FINANCIAL_OFFICER = "ChiefFinancialOfficer"
    CHAIR = "Chair"


@strawberry.enum(description="What the source says about who holds a post (kg:HolderStatuses).")
class HolderStatus(Enum):
    NAMED = "HolderNamed"
    UNNAMED = "HolderUnnamed"
    VACANT = "HolderVacant"


@strawberry.enum(description="What a provider supplies (kg:ProviderRelationshipKinds).")
class ProviderRelationshipKind(Enum):
    CAPACITY_RENTAL = "CapacityRental"
    HARDWARE_SUPPLY = "HardwareSupply"
    NOT_STATED = "KindNotStated"


@strawberry.enum(
    description="How far a provider relationship has come (kg:ProviderRelationshipStatuses)."
)
class ProviderRelationshipStatus(Enum):
    ACTIVE = "Active"
    PLANNED = "Planned"
    POTENTIAL = "Potential"
    NOT_STATED = "StatusNotStated"


@strawberry.enum(description="Ways an organisation can obtain its compute (kg:Strategies).")
class Strategy(Enum):
    BUILD_OWN_DATA_CENTRES = "BuildOwnDataCentres"
    RENT_CLOUD_CAPACITY = "RentCloudCapacity"
    HYBRID_PARTNERSHIP_DRIVEN = "HybridPartnershipDriven"


@strawberry.enum(description="Kinds of strategy event (kg:EventKinds).")
class EventKind(Enum):
    STRATEGY_SHIFT = "StrategyShift"
    REORGANISATION = "Reorganisation"
    LEADERSHIP_APPOINTMENT = "LeadershipAppointment"
    ANNOUNCEMENT = "Announcement"
    PUBLIC_STATEMENT = "PublicStatement"


@strawberry.enum(description="How precisely a source dates an event (kg:DatePrecisions).")
class DatePrecision(Enum):
    DAY = "PrecisionDay"
    MONTH = "PrecisionMonth"
    YEAR = "PrecisionYear"
    NOT_STATED = "NotStated"


@strawberry.enum(description="What a source is: a news article or another article.")
class SourceKind(Enum):
    NEWS_ARTICLE = "NewsArticle"
    ARTICLE = "Article"


@strawberry.input(description="The sentence of the source the written facts rest on.")
class CitationInput:
    quote: str
    verbatim: bool = True


# ---------------------------------------------------------------- create


@strawberry.input
class OrganizationInput:
    label: str
    kinds: list[OrganizationKind]
    description: str | None = None
    unnamed: bool | None = None
    funders: list[ID] | None = None


@strawberry.input
class UnitInput:
    label: str
    unit_of: ID
    parent: ID | None = None
    responsibilities: list[str] | None = None
    description: str | None = None


@strawberry.input
class PostInput:
    label: str
    post_in: ID
    holder_status: HolderStatus
    role: PostRole | None = None
    held_by: ID | None = None
    description: str | None = None


@strawberry.input
class PersonInput:
    label: str
    description: str | None = None


@strawberry.input
class CloudPlatformInput:
    label: str
    provider: ID


@strawberry.input
class ProviderRelationshipInput:
    label: str
    customer: ID
    provider: ID
    kind: ProviderRelationshipKind
    status: ProviderRelationshipStatus
    platform: ID | None = None
    managed_by: ID | None = None
    description: str | None = None


@strawberry.input
class InitiativeInput:
    label: str
    led_by: list[ID]
    former_strategies: list[Strategy] | None = None
    current_strategy: Strategy | None = None
    alternate_names: list[str] | None = None
    description: str | None = None


@strawberry.input(
    description="A strategy event. date is YYYY-MM-DD, YYYY-MM or YYYY; datePrecision defaults "
    "to the precision of date (NOT_STATED without one)."
)
class StrategyEventInput:
    label: str
    kind: EventKind
    associated_with: list[ID]
    date: str | None = None
    date_precision: DatePrecision | None = None
    concerns: list[ID] | None = None
    from_strategy: Strategy | None = None
    to_strategy: Strategy | None = None
    benefits: list[str] | None = None
    risks: list[str] | None = None
    original_units: list[ID] | None = None
    resulting_units: list[ID] | None = None
    appointed_to: list[ID] | None = None
    appointees: list[ID] | None = None
    description: str | None = None


# ---------------------------------------------------------------- update (left out: unchanged)


@strawberry.input
class OrganizationPatch:
    label: str | None = UNSET
    kinds: list[OrganizationKind] | None = UNSET
    description: str | None = UNSET
    unnamed: bool | None = UNSET
    funders: list[ID] | None = UNSET


@strawberry.input
class UnitPatch:
    label: str | None = UNSET
    unit_of: ID | None = UNSET
    parent: ID | None = UNSET
    responsibilities: list[str] | None = UNSET
    description: str | None = UNSET


@strawberry.input
class PostPatch:
    label: str | None = UNSET
    post_in: ID | None = UNSET
    holder_status: HolderStatus | None = UNSET
    role: PostRole | None = UNSET
    held_by: ID | None = UNSET
    description: str | None = UNSET


@strawberry.input
class PersonPatch:
    label: str | None = UNSET
    description: str | None = UNSET


@strawberry.input
class CloudPlatformPatch:
    label: str | None = UNSET
    provider: ID | None = UNSET


@strawberry.input
class ProviderRelationshipPatch:
    label: str | None = UNSET
    customer: ID | None = UNSET
    provider: ID | None = UNSET
    kind: ProviderRelationshipKind | None = UNSET
    status: ProviderRelationshipStatus | None = UNSET
    platform: ID | None = UNSET
    managed_by: ID | None = UNSET
    description: str | None = UNSET


@strawberry.input
class InitiativePatch:
    label: str | None = UNSET
    led_by: list[ID] | None = UNSET
    former_strategies: list[Strategy] | None = UNSET
    current_strategy: Strategy | None = UNSET
    alternate_names: list[str] | None = UNSET
    description: str | None = UNSET


@strawberry.input
class StrategyEventPatch:
    label: str | None = UNSET
    kind: EventKind | None = UNSET
    associated_with: list[ID] | None = UNSET
    date: str | None = UNSET
    date_precision: DatePrecision | None = UNSET
    concerns: list[ID] | None = UNSET
    from_strategy: Strategy | None = UNSET
    to_strategy: Strategy | None = UNSET
    benefits: list[str] | None = UNSET
    risks: list[str] | None = UNSET
    original_units: list[ID] | None = UNSET
    resulting_units: list[ID] | None = UNSET
    appointed_to: list[ID] | None = UNSET
    appointees: list[ID] | None = UNSET
    description: str | None = UNSET


# ---------------------------------------------------------------- recordSource


@strawberry.input(
    description="One fact of recordSource: exactly one of the node fields. key names the new "
    "node for later facts of the batch (refer to it as _:key); quote cites the sentence."
)
class FactInput:
    key: str | None = None
    quote: CitationInput | None = None
    organization: OrganizationInput | None = None
    unit: UnitInput | None = None
    post: PostInput | None = None
    person: PersonInput | None = None
    cloud_platform: CloudPlatformInput | None = None
    provider_relationship: ProviderRelationshipInput | None = None
    initiative: InitiativeInput | None = None
    strategy_event: StrategyEventInput | None = None


FACT_KINDS = (
    "organization",
    "unit",
    "post",
    "person",
    "cloud_platform",
    "provider_relationship",
    "initiative",
    "strategy_event",
)


@strawberry.input(
    description="A source and the facts that rest on it, written all together or not at all. "
    "publisher is the id or IRI of an organisation (or _:key of one among facts); "
    "datePublished is YYYY-MM-DD or an ISO dateTime; url starts with http:// or https://."
)
class SourceInput:
    title: str
    publisher: ID
    label: str | None = None
    date_published: str | None = None
    url: str | None = None
    kind: SourceKind = SourceKind.NEWS_ARTICLE
    facts: list[FactInput] = strawberry.field(default_factory=list)
