"""Pydantic models of the OB 3.0 / VC 2.0 objects the issuer builds (and displays).

Field docstrings cite the spec anchor (OB = Open Badges 3.0, `OB#achievement` style;
VCDM = VC Data Model 2.0; BSL = Bitstring Status List 1.0). JSON names come from camelCase
aliases; dump with `model_dump(by_alias=True, exclude_none=True)`: empty lists are
omitted too (OB App. A.1). Every model allows extra fields and wraps a scalar `type`
into a list, so foreign credentials parse for display; building never relies on that.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_serializer
from pydantic.alias_generators import to_camel

OB_SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CONTEXTS = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
)


def format_datetime_z(value: datetime) -> str:
    """UTC, seconds precision, `Z` suffix (OB DateTimeZ; naive values are taken as UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


DateTimeZ = Annotated[datetime, PlainSerializer(format_datetime_z, return_type=str)]
TypeList = Annotated[list[str], BeforeValidator(_as_list)]
ExtString = Annotated[str, Field(pattern=r"^ext:[a-zA-Z0-9.\-_]+$")]

AchievementTypeName = Literal[
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award",
    "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification",
    "CommunityService", "Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree",
    "Fieldwork", "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
    "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate",
    "MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
]
AlignmentTargetType = Literal[
    "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
    "CFRubricCriterionLevel", "CTDL",
]
ResultTypeName = Literal[
    "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore", "RawScore",
    "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status",
]


class SpecModel(BaseModel):
    """Common config: camelCase aliases, extras kept, attribute docstrings as descriptions."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="allow", use_attribute_docstrings=True
    )

    @model_serializer(mode="wrap")
    def _omit_empty(self, handler: Any) -> Any:
        data = handler(self)
        return {k: v for k, v in data.items() if v != []} if isinstance(data, dict) else data

    def to_json(self) -> dict[str, Any]:
        """The JSON object (aliases, no nulls, no empty lists)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class Image(SpecModel):
    id: str
    """OB#image: URI or data: URI of the image."""
    type: Literal["Image"] = "Image"
    """OB#image: MUST be the IRI 'Image' (a single string)."""
    caption: str | None = None
    """OB#image: the caption of the image."""


class Profile(SpecModel):
    id: str
    """OB#profile: unique URI of the person or organization."""
    type: TypeList = ["Profile"]
    """OB#profile: MUST contain 'Profile'."""
    name: str | None = None
    """OB#profile: name of the entity or organization."""
    url: str | None = None
    """OB#profile: homepage or social media profile."""
    email: str | None = None
    """OB#profile: contact address of the individual or organization."""
    image: Image | None = None
    """OB#profile: image representing the entity."""
    description: str | None = None
    """OB#profile: short description."""


class IdentityObject(SpecModel):
    type: Literal["IdentityObject"] = "IdentityObject"
    """OB#identityobject: MUST be the IRI 'IdentityObject'."""
    hashed: bool
    """OB#identityobject: whether identityHash is hashed."""
    identity_hash: str
    """OB#identityhash: `sha256$<hex>` of identifier+salt, or the plaintext when not hashed."""
    identity_type: str
    """OB#identifiertypeenum: e.g. emailAddress, name, or ext:*."""
    salt: str | None = None
    """OB#identityobject: salt appended to the identifier before hashing."""


class Criteria(SpecModel):
    id: str | None = None
    """OB#criteria: URI of a human-readable criteria page."""
    narrative: str | None = None
    """OB#criteria: Markdown narrative of what is required."""


class Alignment(SpecModel):
    type: TypeList = ["Alignment"]
    """OB#alignment: MUST contain 'Alignment'."""
    target_name: str
    """OB#alignment: name of the target node."""
    target_url: str
    """OB#alignment: URL of the target node."""
    target_code: str | None = None
    """OB#alignment: locally unique code of the target in its framework."""
    target_description: str | None = None
    """OB#alignment: short description of the target."""
    target_framework: str | None = None
    """OB#alignment: name of the framework the target belongs to."""
    target_type: AlignmentTargetType | ExtString | None = None
    """OB#alignmenttargettype: type of the target node (e.g. CFItem, CFRubricCriterionLevel, ext:*)."""


class RubricCriterionLevel(SpecModel):
    id: str
    """OB#rubriccriterionlevel: URI, referenced by Result.achievedLevel."""
    type: TypeList = ["RubricCriterionLevel"]
    """OB#rubriccriterionlevel: MUST contain 'RubricCriterionLevel'."""
    name: str
    """OB#rubriccriterionlevel: name of the level."""
    description: str | None = None
    """OB#rubriccriterionlevel: description of the level."""
    level: str | None = None
    """OB#rubriccriterionlevel: the rubric performance level, e.g. '3'."""
    points: str | None = None
    """OB#rubriccriterionlevel: points associated with the level."""
    alignment: list[Alignment] = []
    """OB#rubriccriterionlevel: alignments of the level."""


class ResultDescription(SpecModel):
    id: str
    """OB#resultdescription: URI, referenced by Result.resultDescription."""
    type: TypeList = ["ResultDescription"]
    """OB#resultdescription: MUST contain 'ResultDescription'."""
    name: str
    """OB#resultdescription: name of the result."""
    result_type: ResultTypeName | ExtString
    """OB#resulttype: type of result (RubricCriterionLevel here)."""
    required_level: str | None = None
    """OB#resultdescription: id of the RubricCriterionLevel required to earn the achievement."""
    required_value: str | None = None
    """OB#resultdescription: value required to earn the achievement."""
    rubric_criterion_level: list[RubricCriterionLevel] = []
    """OB#resultdescription: rubric levels, ordered LOW to HIGH."""
    allowed_value: list[str] = []
    """OB#resultdescription: ordered list of allowed values (low to high)."""
    value_min: str | None = None
    """OB#resultdescription: minimum possible value."""
    value_max: str | None = None
    """OB#resultdescription: maximum possible value."""
    alignment: list[Alignment] = []
    """OB#resultdescription: alignments of the result."""


class Result(SpecModel):
    type: TypeList = ["Result"]
    """OB#result: MUST contain 'Result'."""
    result_description: str | None = None
    """OB#result: id of a ResultDescription in this credential's achievement."""
    achieved_level: str | None = None
    """OB#result: id of the RubricCriterionLevel achieved."""
    status: Literal["Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"] | None = None
    """OB#resultstatustype: status of the achievement."""
    value: str | None = None
    """OB#result: the value of the result."""
    alignment: list[Alignment] = []
    """OB#result: alignments added to the ResultDescription's."""


class Achievement(SpecModel):
    id: str
    """OB#achievement: unique URI (one per framework version and level here)."""
    type: TypeList = ["Achievement"]
    """OB#achievement: MUST contain 'Achievement'."""
    achievement_type: AchievementTypeName | ExtString | None = None
    """OB#achievementtype: e.g. 'Competency'."""
    name: str
    """OB#achievement: name of the achievement."""
    description: str
    """OB#achievement: short description."""
    criteria: Criteria
    """OB#criteria: criteria for earning the achievement."""
    image: Image | None = None
    """OB#achievement: the (unbaked) badge image."""
    version: str | None = None
    """OB#achievement: version property (the framework version here)."""
    human_code: str | None = None
    """OB#achievement: human-readable code, e.g. PT-L3."""
    tag: list[str] = []
    """OB#achievement: searchable keywords."""
    in_language: str | None = None
    """OB#achievement: BCP47 language of the achievement."""
    creator: Profile | None = None
    """OB#achievement: who defined the achievement."""
    alignment: list[Alignment] = []
    """OB#alignment: frameworks, levels and statements the achievement aligns to."""
    result_description: list[ResultDescription] = []
    """OB#resultdescription: possible results (the rubric of levels)."""


class AchievementSubject(SpecModel):
    id: str | None = None
    """OB#achievementsubject: the holder's identifier (a DID); id or identifier is REQUIRED."""
    type: TypeList = ["AchievementSubject"]
    """OB#achievementsubject: MUST contain 'AchievementSubject'."""
    identifier: list[IdentityObject] = []
    """OB#achievementsubject: identities of the subject (hashed email, name)."""
    achievement: Achievement
    """OB#achievementsubject: the achievement being awarded."""
    result: list[Result] = []
    """OB#achievementsubject: results achieved (the level reached)."""
    source: Profile | None = None
    """OB#achievementsubject: the organization that assessed on the issuer's behalf."""
    activity_start_date: DateTimeZ | None = None
    """OB#achievementsubject: when the activity started."""
    activity_end_date: DateTimeZ | None = None
    """OB#achievementsubject: when the activity ended."""
    image: Image | None = None
    """OB#achievementsubject: baked image of the credential."""


class Evidence(SpecModel):
    id: str | None = None
    """OB#evidence: URL of the evidence (or a data: URI)."""
    type: TypeList = ["Evidence"]
    """OB#evidence / VCDM §5.6: MUST contain 'Evidence'."""
    name: str | None = None
    """OB#evidence: descriptive title."""
    description: str | None = None
    """OB#evidence: longer description."""
    narrative: str | None = None
    """OB#evidence: Markdown narrative of the evidence and process."""
    genre: str | None = None
    """OB#evidence: type or category, e.g. 'Assessment'."""
    audience: str | None = None
    """OB#evidence: intended audience."""


class CredentialSchema(SpecModel):
    id: str = OB_SCHEMA_URL
    """OB#credentialschema: URL of the JSON schema."""
    type: str = "1EdTechJsonSchemaValidator2019"
    """OB#credentialschema: the validator type (a single string)."""


class BitstringStatusListEntry(SpecModel):
    id: str | None = None
    """BSL §2.1: optional; MUST NOT equal the list URL (convention `<list>#<index>`)."""
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    """BSL §2.1: the entry type."""
    status_purpose: Literal["revocation", "suspension", "refresh", "message"]
    """BSL §2.1: what the bit means."""
    status_list_index: Annotated[str, Field(pattern=r"^(0|[1-9][0-9]*)$")]
    """BSL §2.1: base-10 string index into the list."""
    status_list_credential: str
    """BSL §2.1: URL of the BitstringStatusListCredential."""
    status_size: int | None = Field(default=None, ge=1)
    """BSL §2.1: bits per entry (default 1)."""


class CredentialStatus(SpecModel):
    """Any other status mechanism (display of foreign credentials)."""

    id: str | None = None
    """VCDM §4.10: optional id of the status entry."""
    type: str
    """VCDM §4.10: the status mechanism."""


class RelatedResource(SpecModel):
    id: str
    """VCDM §5.3: URL of the related resource."""
    digest_sri: str | None = Field(default=None, alias="digestSRI")
    """VCDM §5.3: `sha256-<base64>` digest of the resource bytes."""
    digest_multibase: str | None = None
    """VCDM §5.3: multibase digest of the resource."""
    media_type: str | None = None
    """VCDM §5.3: media type of the resource."""


class AchievementCredential(SpecModel):
    context: list[str] = Field(default_factory=lambda: list(CONTEXTS), alias="@context")
    """OB#achievementcredential / VCDM §4.3: ordered contexts, VC v2 then OB."""
    id: str
    """OB#achievementcredential: unambiguous URI of the credential."""
    type: TypeList = ["VerifiableCredential", "OpenBadgeCredential"]
    """OB#achievementcredential: VerifiableCredential and OpenBadgeCredential/AchievementCredential."""
    name: str | None = None
    """OB#achievementcredential: display name of the credential."""
    description: str | None = None
    """OB#achievementcredential: short description."""
    image: Image | None = None
    """OB#achievementcredential: image representing the credential."""
    issuer: Profile | str
    """OB#achievementcredential: the issuer Profile (or its URI)."""
    valid_from: DateTimeZ
    """OB#achievementcredential / VCDM §4.9: when the credential becomes valid."""
    valid_until: DateTimeZ | None = None
    """OB#achievementcredential / VCDM §4.9: when the credential stops being valid."""
    awarded_date: DateTimeZ | None = None
    """OB#achievementcredential: when the credential was first awarded."""
    credential_subject: AchievementSubject
    """OB#achievementsubject: the recipient and the achievement."""
    evidence: list[Evidence] = []
    """OB#evidence: assessments that demonstrated the achievement."""
    related_resource: list[RelatedResource] = []
    """VCDM §5.3: resources pinned by digest (the framework document)."""
    credential_schema: list[CredentialSchema] = []
    """OB#credentialschema: schemas to validate against."""
    credential_status: BitstringStatusListEntry | CredentialStatus | None = None
    """OB#achievementcredential / BSL §2.1: one status entry."""
    proof: list[dict[str, Any]] | dict[str, Any] | None = None
    """OB#proof / DI §2.1: proof(s); never set by the builder (signing adds it)."""
