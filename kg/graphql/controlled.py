"""The controlled values of the ontology (its SKOS concept schemes) as GraphQL enums.

Each enum's values are the local names of the concepts of one scheme (``kg:<value>``, or a
CURIE such as ``org:Head`` for a reused concept); a field
declares its enum in ``kg.graphql.types`` and ``tests/test_graphql_mapping.py`` holds every enum
against the ``sh:in`` list of the shapes and the concepts of the ontology.
"""

from enum import Enum

import strawberry


@strawberry.enum(description="Kinds of organisation (kg:OrganizationKinds).")
class OrganisationKind(Enum):
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


@strawberry.enum(
    description="What an event's date is the date of: the event or its first report (kg:DateBases)."
)
class DateBasis(Enum):
    OCCURRED_ON = "OccurredOn"
    FIRST_REPORTED_ON = "FirstReportedOn"


@strawberry.enum(description="How a source hedges the facts it states (kg:Hedges).")
class Hedge(Enum):
    REPORTEDLY = "Reportedly"
    POTENTIALLY = "Potentially"
    MORE = "More"


@strawberry.enum(description="Whom a source credits for the facts it states (kg:Attributions).")
class Attribution(Enum):
    INSIDER_SOURCES = "InsiderSources"
    EARLIER_REPORT = "EarlierReport"
    OFFICIAL_STATEMENT = "OfficialStatement"
