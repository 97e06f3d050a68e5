"""The entities of the seeded world: frozen dataclasses, one per real-world record type.

Fields are named after the real API field names (ground truth E1–E12) so that the API modules can
shape them into JSON with little renaming. Conventions, so that shaping stays mechanical:

- datetimes are timezone-aware UTC `datetime`s; the API modules render them in each producer's
  format (DRF `Z` with microseconds only when non-zero, edx-search `+00:00`, ...). `date` fields are
  `datetime.date`.
- prices follow the producer: discovery seats/entitlements hold 2-dp decimal *strings* ("150.00"),
  learner-summary prices are floats, BlendX prices are ints.
- cross-references hold natural keys, never nested copies: organizations by `key`, subjects, people
  and programs by `uuid`, courses and runs by `key`, languages by LanguageTag `code`. Resolve them
  with the `World` lookups (`world.organization(key)`, `world.subject(uuid)`, ...).
- sequences are tuples (entities are immutable and hashable).
- fields computed from the clock (`availability`, `is_enrollable`, `active` ...) are computed once
  when the world is built, against the world's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from mockserver.world.keys import RunKeyParts, split_course_key


@dataclass(frozen=True, slots=True)
class Image:
    """Discovery `ImageField`: `{src, description, height, width}`; height/width null in current deployments."""

    src: str
    description: str | None = None
    height: int | None = None
    width: int | None = None


@dataclass(frozen=True, slots=True)
class Video:
    """Discovery video: `{src, description, image}`."""

    src: str
    description: str | None = None
    image: Image | None = None


@dataclass(frozen=True, slots=True)
class Organization:
    """A discovery Organization (course owner/sponsor, program authoring organization).

    `key` is the short code used in course keys (`MITx`); `favicon_url` feeds BlendX's
    `org_favicon_url`/`organisation_favicon_url`. `language` is the LanguageTag code most of its
    courses are taught in (drives Spanish/French/Arabic content).
    """

    uuid: str
    key: str
    name: str
    description: str
    description_es: str | None
    homepage_url: str
    logo_image_url: str | None
    certificate_logo_image_url: str | None
    banner_image_url: str | None
    favicon_url: str | None
    marketing_url: str
    slug: str
    tags: tuple[str, ...]
    organization_hex_color: str | None
    auto_generate_course_run_keys: bool
    language: str


@dataclass(frozen=True, slots=True)
class Subject:
    """A discovery Subject; `name` is the real display name ("Computer Science"), `slug` its slug."""

    uuid: str
    name: str
    slug: str
    subtitle: str
    description: str
    card_image_url: str
    banner_image_url: str


@dataclass(frozen=True, slots=True)
class Position:
    """`MinimalPersonSerializer.position`."""

    title: str
    organization_name: str


@dataclass(frozen=True, slots=True)
class PersonUrls:
    """`MinimalPersonSerializer.urls`."""

    facebook: str | None
    twitter: str | None
    blog: str | None


@dataclass(frozen=True, slots=True)
class Person:
    """Course staff (`MinimalPersonSerializer`). `profile_image_url` is the medium variant; the API
    modules build the `profile_image` size dict from it."""

    uuid: str
    salutation: str | None
    given_name: str
    family_name: str
    bio: str
    slug: str
    position: Position
    areas_of_expertise: tuple[str, ...]
    profile_image_url: str
    urls: PersonUrls
    major_works: str
    published: bool = True


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """A language: discovery LanguageTag `code` (`en-us`) and `name` (`English`), plus the 2-letter
    `short` code edx-search and BlendX use (`en`)."""

    code: str
    name: str
    short: str


@dataclass(frozen=True, slots=True)
class Seat:
    """A course run seat (discovery `SeatSerializer`): `price` is a 2-dp decimal string."""

    type: str
    price: str
    currency: str
    upgrade_deadline: datetime | None
    credit_provider: str | None
    credit_hours: int | None
    sku: str
    bulk_sku: str | None = None


@dataclass(frozen=True, slots=True)
class Entitlement:
    """A course entitlement (discovery `CourseEntitlementSerializer`)."""

    mode: str
    price: str
    currency: str
    sku: str
    expires: datetime | None = None


@dataclass(frozen=True, slots=True)
class CourseRun(RunKeyParts):
    """A course run, `course-v1:Org+Number+Run` (discovery `CourseRunSerializer`, current shape).

    `course` is the parent course key. `staff` holds person uuids. `content_language` and
    `transcript_languages` hold LanguageTag codes. `type` is the run's legacy type slug (the paid
    seat type or None). `modes` are the enrollment mode slugs (the seat types, in seat order) that
    edx-search indexes. `availability`, `is_enrollable`, `has_enrollable_seats` and `active` are
    computed from the world's clock; `active` is discovery's active().enrollable().marketable().
    `programs` holds the uuids of programs whose courses include this run's course.
    """

    key: str
    uuid: str
    course: str
    course_uuid: str
    title: str
    short_description: str
    full_description: str
    start: datetime | None
    end: datetime | None
    enrollment_start: datetime | None
    enrollment_end: datetime | None
    announcement: datetime | None
    go_live_date: datetime | None
    image: Image | None
    video: Video | None
    seats: tuple[Seat, ...]
    content_language: str | None
    transcript_languages: tuple[str, ...]
    staff: tuple[str, ...]
    pacing_type: str | None
    min_effort: int | None
    max_effort: int | None
    weeks_to_complete: int | None
    modified: datetime
    status: str
    is_marketable: bool
    type: str | None
    mobile_available: bool
    hidden: bool
    reporting_type: str
    invitation_only: bool
    catalog_visibility: str
    modes: tuple[str, ...]
    marketing_url: str | None
    level_type: str | None
    outcome: str
    eligible_for_financial_aid: bool
    enrollment_count: int
    recent_enrollment_count: int
    programs: tuple[str, ...]
    # computed from the clock
    availability: str = "Upcoming"
    is_enrollable: bool = True
    has_enrollable_seats: bool = True
    active: bool = False

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def seat_types(self) -> tuple[str, ...]:
        return tuple(s.type for s in self.seats)

    @property
    def first_enrollable_paid_seat_price(self) -> int | None:
        paid = [float(s.price) for s in self.seats if float(s.price) > 0]
        return int(min(paid)) if paid else None


@dataclass(frozen=True, slots=True)
class Course:
    """A course, `Org+Number` (discovery `CourseSerializer`, current shape).

    `subjects` are subject uuids, `owners`/`sponsors` organization keys, `prerequisites` names (the
    API's `[{name}]`), `course_runs` the run keys ordered by start then key, `programs` program
    uuids. `marketing_url` has no utm parameters (the API modules append them per caller).
    `active` is true when one of its runs is active (E3).
    """

    key: str
    uuid: str
    title: str
    short_description: str
    full_description: str
    level_type: str | None
    subjects: tuple[str, ...]
    prerequisites: tuple[str, ...]
    expected_learning_items: tuple[str, ...]
    image: Image | None
    video: Video | None
    owners: tuple[str, ...]
    sponsors: tuple[str, ...]
    modified: datetime
    marketing_url: str | None
    url_slug: str
    outcome: str
    syllabus_raw: str
    prerequisites_raw: str
    entitlements: tuple[Entitlement, ...]
    course_type: str
    card_image_url: str | None
    enrollment_count: int
    recent_enrollment_count: int
    course_runs: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    active: bool = False

    @property
    def org(self) -> str:
        return split_course_key(self.key)[0]

    @property
    def number(self) -> str:
        return split_course_key(self.key)[1]


@dataclass(frozen=True, slots=True)
class PriceRange:
    """Program `price_ranges` item."""

    currency: str
    min: float
    max: float
    total: float


@dataclass(frozen=True, slots=True)
class Program:
    """A program (discovery `ProgramSerializer` / program search document).

    `type` is the program type name (`MicroMasters` ...). `courses` are course keys in program
    order, `authoring_organizations` organization keys, `languages` LanguageTag codes, `subjects`
    subject uuids, `staff` person uuids. `active` is `status == "active"`.
    """

    uuid: str
    title: str
    subtitle: str
    type: str
    status: str
    marketing_slug: str
    marketing_url: str
    courses: tuple[str, ...]
    authoring_organizations: tuple[str, ...]
    card_image_url: str
    banner_image_url: str
    languages: tuple[str, ...]
    transcript_languages: tuple[str, ...]
    weeks_to_complete: int | None
    weeks_to_complete_min: int | None
    weeks_to_complete_max: int | None
    min_hours_effort_per_week: int | None
    max_hours_effort_per_week: int | None
    total_hours_of_effort: int | None
    overview: str
    marketing_hook: str
    expected_learning_items: tuple[str, ...]
    subjects: tuple[str, ...]
    staff: tuple[str, ...]
    price_ranges: tuple[PriceRange, ...]
    hidden: bool
    is_program_eligible_for_one_click_purchase: bool
    enrollment_count: int
    recent_enrollment_count: int
    modified: datetime

    @property
    def published(self) -> bool:
        return self.status == "active"

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class Catalog:
    """A discovery catalog (`CatalogSerializer`). Membership is `query` (Elasticsearch
    query_string syntax) evaluated over the courses: use `world.catalog_courses(catalog)`."""

    id: int
    name: str
    query: str
    viewers: tuple[str, ...]
    include_archived: bool = False


@dataclass(frozen=True, slots=True)
class EnterpriseCustomer:
    """An enterprise customer (edx-enterprise `EnterpriseCustomer`)."""

    uuid: str
    name: str
    slug: str
    active: bool
    country: str
    identity_provider: str | None
    created: datetime
    modified: datetime


@dataclass(frozen=True, slots=True)
class ContentRef:
    """One item of an enterprise catalog: `content_type` is `course`, `courserun` or `program`;
    `key` is a course key, a run key or a program uuid respectively."""

    content_type: str
    key: str


@dataclass(frozen=True, slots=True)
class EnterpriseCatalog:
    """An enterprise catalog (`EnterpriseCustomerCatalogSerializer` + its content, in order).

    `enterprise_customer` is the customer uuid. `content` is the full, ordered membership; the
    served list keeps only active items (`world.enterprise_catalog_items(catalog)`).
    """

    uuid: str
    title: str
    enterprise_customer: str
    enterprise_catalog_query: int | None
    created: datetime
    modified: datetime
    content: tuple[ContentRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Enrollment:
    """One learner-summary row (edx-enterprise-data v1 `EnterpriseLearnerEnrollment`, E9 names).

    Natural key: `enrollment_id`. `courserun_key` is a run of a course in one of the customer's
    catalogs. Prices are floats, dates `date`, timestamps `datetime`.
    """

    enrollment_id: int
    enterprise_enrollment_id: int
    is_consent_granted: bool
    paid_by: str | None
    user_current_enrollment_mode: str
    enrollment_date: date
    unenrollment_date: date | None
    unenrollment_end_within_date: date | None
    is_refunded: bool | None
    seat_delivery_method: str | None
    offer_id: str | None
    offer_name: str | None
    offer_type: str | None
    coupon_code: str | None
    coupon_name: str | None
    contract_id: str | None
    course_list_price: float | None
    amount_learner_paid: float | None
    course_key: str
    courserun_key: str
    course_title: str | None
    course_pacing_type: str | None
    course_start_date: date | None
    course_end_date: date | None
    course_duration_weeks: int | None
    course_max_effort: int | None
    course_min_effort: int | None
    course_primary_program: str | None
    primary_program_type: str | None
    course_primary_subject: str | None
    has_passed: bool
    last_activity_date: date | None
    progress_status: str | None
    passed_date: date | None
    current_grade: float | None
    letter_grade: str | None
    enterprise_user_id: int | None
    user_email: str | None
    user_account_creation_date: datetime | None
    user_country_code: str | None
    user_username: str | None
    user_first_name: str | None
    user_last_name: str | None
    enterprise_name: str
    enterprise_customer_uuid: str
    enterprise_sso_uid: str | None
    created: datetime | None
    course_api_url: str
    total_learning_time_hours: float
    is_subsidy: bool
    course_product_line: str | None
    budget_id: str | None
    enterprise_flex_group_name: str | None
    enterprise_flex_group_uuid: str | None
    course_progress: float | None
    course_passing_grade: float | None


@dataclass(frozen=True, slots=True)
class CourseMode:
    """BlendX `available_course_modes` item; camelCase as the API spells it."""

    modeSlug: str  # noqa: N815 - the API's own spelling
    minPrice: int  # noqa: N815
    modeDisplayName: str  # noqa: N815
    currency: str
    visible: bool


@dataclass(frozen=True, slots=True)
class Subsection:
    """BlendX `course_structure.sections[].subsections[]`."""

    name: str
    usage_key: str
    inaccessible_after_due: bool
    hide_from_toc: bool
    visible_to_staff_only: bool
    exam: str | None


@dataclass(frozen=True, slots=True)
class Section:
    """BlendX `course_structure.sections[]` (a chapter block)."""

    name: str
    usage_key: str
    hide_from_toc: bool
    visible_to_staff_only: bool
    subsections: tuple[Subsection, ...]


@dataclass(frozen=True, slots=True)
class CourseInfo:
    """BlendX `course_structure.course_info`."""

    course_key: str
    title: str
    published_at: datetime
    published_version: str
    days_early_for_beta: int | None
    entrance_exam_id: str | None
    self_paced: bool
    course_visibility: str


@dataclass(frozen=True, slots=True)
class CourseStructure:
    """BlendX `course_structure`; `total_sections`/`total_subsections` count `sections`."""

    sections: tuple[Section, ...]
    course_info: CourseInfo

    @property
    def total_sections(self) -> int:
        return len(self.sections)

    @property
    def total_subsections(self) -> int:
        return sum(len(s.subsections) for s in self.sections)


@dataclass(frozen=True, slots=True)
class Review:
    """BlendX review; `rating` 1..5."""

    id: str
    user: str
    rating: int
    comment: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BlendXCourse:
    """A BlendX course record, one per course run (`openedx_course_id` is the run key).

    Same run as the catalog run and the search document: `display_name` = run title, same dates,
    `org` = the run key's org. `display_image` is the list field; the detail calls it
    `course_image_url` (same value). `price` is the lowest mode price (int), `course_mode` that
    mode's slug. `avg_rating` is the mean of `reviews` ratings rounded to 1 dp (0 when none).
    `created_at` drives the default ordering. `course_structure` is None in the entities a list is shaped
    from (`World.blendx_query(listing=True)`): a list never shows it, and it is most of a course's cost.
    """

    id: str
    openedx_course_id: str
    display_name: str
    display_image: str
    short_description: str
    overview: str
    price: int
    currency: str
    start: datetime | None
    end: datetime | None
    start_display: str
    effort: str
    enrollment_start: datetime | None
    enrollment_end: datetime | None
    certificate_available_date: datetime | None
    has_any_active_web_certificate: bool
    link_to_course: str
    language: str
    self_paced: bool
    number: str
    course_video_url: str | None
    course_mode: str
    available_course_modes: tuple[CourseMode, ...]
    tags: tuple[str, ...]
    is_invite_only: bool
    is_published: bool
    avg_rating: float
    org: str
    org_logo_url: str | None
    org_favicon_url: str | None
    organisation: str
    organisation_id: str
    organisation_logo_url: str | None
    organisation_favicon_url: str | None
    course_structure: CourseStructure  # None in a listing entity (see above); a scenario cannot set it so
    reviews: tuple[Review, ...]
    created_at: datetime

    @property
    def course_image_url(self) -> str:
        return self.display_image


@dataclass(frozen=True, slots=True)
class SearchContent:
    """edx-search document `content`."""

    display_name: str
    overview: str
    number: str
    short_description: str


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """An edx-search course_info document (E12 "Indexed course document"), one per run.

    `id` = `course` = the run key; `language` is the 2-letter code; `image_url` is often relative.
    """

    id: str
    course: str
    content: SearchContent
    image_url: str
    start: datetime | None
    end: datetime | None
    enrollment_start: datetime | None
    enrollment_end: datetime | None
    effort: str | None
    number: str
    org: str
    modes: tuple[str, ...]
    language: str | None
    invitation_only: bool
    catalog_visibility: str
