"""Generation of world records from `(seed, clock)`.

Two layers, so that a 100,000-course world builds in seconds:

- *cores* (`CourseCore`, `RunCore`, `BlendXCore`): the few fields the indexes and queries need
  (keys, titles, dates, status, seats, tags, ratings ...), generated eagerly for every record;
- *entities* (`entities.py`): the full records with their heavy fields (HTML descriptions, staff,
  images, course structure, reviews ...), materialized on first access from the core plus a
  per-record RNG, and cached by the `World`.

Every record draws from its own `random.Random(blake2b(f"{seed}:{kind}:{i}"))` (`rng`), never from a
shared stream, so record i does not depend on how many records were generated before it or in which
order entities are materialized. Dates are laid out relative to the clock; nothing reads the wall
clock here.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from mockserver.world import entities as e
from mockserver.world.keys import (
    RunKeyParts, asset_key, block_key, course_key, run_key, split_course_key, term_run_name,
)
from mockserver.world.pools import (
    COUNTRIES, INTRO_WORD, LANG_OF, LANGUAGES, LESSON_WORD, LEVEL_TYPES, ORGANIZATIONS, POOL_SIZE,
    REVIEW_COMMENTS, SEAT_DISPLAY, SECTION_WORD, SHORT_TEMPLATES, SUBJECTS,
    TITLE_TEMPLATES, TOPICS, Pools, ascii_name, slugify,
)

UTC = timezone.utc
EDX_LMS = "https://courses.edx.org"  # the LMS root every edX URL of the world starts with
MARKETING_SITE = "https://www.edx.org"
DISCOVERY_CDN = "https://prod-discovery.edx-cdn.org"
BLENDX_HOST = "blendx.example.com"  # the BlendX deployment host (the documents' `lms_endpoint`)

# Seat profiles: (seat types, weight). Prices are drawn per course.
_SEAT_PROFILES = (
    (("audit", "verified"), 55), (("audit",), 8), (("verified",), 8), (("professional",), 8),
    (("audit", "verified", "credit"), 6), (("honor",), 8), (("no-id-professional",), 4),
    (("audit", "honor"), 3),
)
_VERIFIED_PRICES = (49, 50, 99, 139, 149, 199, 249, 300)
_PRO_PRICES = (300, 495, 750, 995, 1250, 2000)
_RUN_STATUSES = (("published", 90), ("unpublished", 4), ("reviewed", 3), ("review_by_legal", 2),
                 ("review_by_internal", 1))
_PREREQUISITES = ("High school algebra", "Basic computer literacy", "Introductory statistics",
                  "High school chemistry", "Secondary school mathematics", "English proficiency")
_RATINGS = ((5, 5), (4, 4), (3, 2), (2, 1), (1, 1))
_TAG_RE = re.compile(r"<[^>]+>")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def seed_for(seed: int, kind: str, i: int | str) -> int:
    """Stable per-record seed (blake2b; never `hash()`, which is salted per process)."""
    return int.from_bytes(hashlib.blake2b(f"{seed}:{kind}:{i}".encode(), digest_size=8).digest(), "big")


class Rand(random.Random):
    """`random.Random` with cheaper integer draws (one `random()` each).

    The stdlib's randrange/randint/choice cost ~1.5 us per call in Python code; a world draws
    millions of them. These are equally deterministic, which is all the world needs.
    """

    def randrange(self, n, *args):  # type: ignore[override]
        if args:
            return super().randrange(n, *args)
        return int(self.random() * n)

    def randint(self, a: int, b: int) -> int:  # type: ignore[override]
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq):  # type: ignore[override]
        return seq[int(self.random() * len(seq))]


def rng(seed: int, kind: str, i: int | str) -> Rand:
    return Rand(seed_for(seed, kind, i))


def new_uuid(r: random.Random) -> str:
    """A version-4 UUID string from `r` (uuid.UUID() is ~10x slower and not needed here)."""
    return uuid_string(r.getrandbits(128))


def uuid_string(bits: int | str) -> str:
    """The version-4 UUID string of 128 random bits (a string is returned as it is)."""
    if isinstance(bits, str):
        return bits
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


_SKU_BITS = 28
_SKU_MASK = (1 << _SKU_BITS) - 1


def seat_price(seat_type: str, paid_price: int) -> int:
    if seat_type in ("audit", "honor"):
        return 0
    return paid_price * 3 if seat_type == "credit" else paid_price


def draw_seat_skus(r: random.Random, profile: tuple[str, ...], paid_price: int) -> int:
    """A run's seat SKUs (and bulk SKUs of paid seats), drawn in seat order, packed into one int."""
    packed, shift = 0, 0
    for t in profile:
        packed |= r.getrandbits(_SKU_BITS) << shift
        shift += _SKU_BITS
        if seat_price(t, paid_price):
            packed |= r.getrandbits(_SKU_BITS) << shift
            shift += _SKU_BITS
    return packed


def make_seats(profile: tuple[str, ...], paid_price: int, end: datetime | None, skus: int) -> tuple[e.Seat, ...]:
    """The seats of a run: types and prices from its course's profile, deadlines from its end, SKUs drawn."""
    out = []
    shift = 0
    for t in profile:
        price = seat_price(t, paid_price)
        sku = (skus >> shift) & _SKU_MASK
        shift += _SKU_BITS
        bulk = None
        if price:
            bulk = (skus >> shift) & _SKU_MASK
            shift += _SKU_BITS
        out.append(e.Seat(
            type=t, price=money(price), currency="USD",
            upgrade_deadline=(end - timedelta(days=10)) if (t == "verified" and end is not None) else None,
            credit_provider=None, credit_hours=3 if t == "credit" else None,
            sku=f"{sku:07X}", bulk_sku=f"{bulk:07X}" if price else None,
        ))
    return tuple(out)


def hexstr(r: random.Random, n: int) -> str:
    return f"{r.getrandbits(4 * n):0{n}x}"


def text_lang(code: str | None) -> str:
    """Pool language ('en', 'es', 'fr', 'ar') of a LanguageTag code."""
    short = (code or "en").split("-")[0]
    return short if short in ("en", "es", "fr", "ar") else "en"


def short_lang(code: str | None) -> str | None:
    return code.split("-")[0] if code else None


_CUMULATIVE: dict[tuple, tuple[list[int], int]] = {}


def weighted(r: random.Random, options):
    """One value of `options` ((value, weight), ...) drawn by weight."""
    table = _CUMULATIVE.get(options)
    if table is None:
        acc, cum = 0, []
        for _, w in options:
            acc += w
            cum.append(acc)
        table = _CUMULATIVE[options] = (cum, acc)
    cum, total = table
    return options[bisect.bisect_right(cum, r.random() * total)][0]


def money(amount: float) -> str:
    return f"{amount:.2f}"


def stamp(base: datetime, r: random.Random) -> datetime:
    """A `modified`-style timestamp: DRF shows microseconds, so make sure there are some."""
    return base.replace(microsecond=r.randrange(1, 1_000_000))


def day_at(clock: datetime, days: int, hour: int) -> datetime:
    """`days` after the clock's day, at `hour`:00 UTC."""
    midnight = clock if not (clock.hour or clock.minute or clock.second or clock.microsecond) \
        else clock.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(days=days, hours=hour)


class UuidBits:
    """`uuid` of a core that keeps it as its 128 random bits in `uuid_value` (44 bytes, not an 85-byte
    string) until an overlay sets one (a mixin)."""

    __slots__ = ()

    @property
    def uuid(self) -> str:
        return uuid_string(self.uuid_value)

    @uuid.setter
    def uuid(self, value: str) -> None:
        self.uuid_value = value


@dataclass(slots=True)
class CourseCore(UuidBits):
    """Eager fields of a course (names as in `entities.Course`)."""

    i: int | str
    key: str
    uuid_value: int | str  # see UuidBits
    org: str
    title: str
    short_description: str
    lang: str
    topic: int
    par: tuple[int, ...]
    level_type: str | None
    subjects: tuple[str, ...]
    owners: tuple[str, ...]
    modified: datetime
    seat_profile: tuple[str, ...]
    paid_price: int
    course_runs: list[str] | tuple[str, ...] = field(default_factory=list)  # a tuple once the world is built
    programs: tuple[str, ...] = ()
    active: bool = False
    desc_override: str | None = None  # full_description set by an overlay


@dataclass(slots=True)
class RunCore(RunKeyParts, UuidBits):
    """Eager fields of a course run (names as in `entities.CourseRun`)."""

    key: str
    uuid_value: int | str  # see UuidBits
    course: str
    title: str
    short_description: str
    par: tuple[int, ...]
    lang: str
    start: datetime | None
    end: datetime | None
    enrollment_start: datetime | None
    enrollment_end: datetime | None
    announcement: datetime | None
    status: str
    hidden: bool
    invitation_only: bool
    catalog_visibility: str
    pacing_type: str | None
    seat_profile: tuple[str, ...]  # the course's: seat types and what the paid ones cost
    paid_price: int
    content_language: str | None
    min_effort: int | None
    max_effort: int | None
    weeks_to_complete: int | None
    type: str | None
    is_marketable: bool = True
    seat_skus: int = 0  # the seats' random SKUs, packed (see `seats`)
    seat_override: tuple[e.Seat, ...] | None = None  # seats as an overlay (or `freeze_seats`) set them
    # BlendX record seeds, drawn with the run
    bx_id_value: int | str = 0  # see `bx_id`
    bx_tags: tuple[str, ...] = ()
    bx_ratings: tuple[int, ...] = ()
    bx_created: datetime | None = None
    availability: str = "Upcoming"
    is_enrollable: bool = False
    active: bool = False
    desc_override: str | None = None

    @property
    def bx_id(self) -> str:
        return uuid_string(self.bx_id_value)

    @property
    def seats(self) -> tuple[e.Seat, ...]:
        """The run's seats, made from the course's seat profile and the run's drawn SKUs on each access (a
        100,000-course world keeps ~320,000 seats otherwise), or as an overlay set them."""
        if self.seat_override is not None:
            return self.seat_override
        return make_seats(self.seat_profile, self.paid_price, self.end, self.seat_skus)

    @seats.setter
    def seats(self, value: tuple[e.Seat, ...]) -> None:
        self.seat_override = value

    def freeze_seats(self) -> None:
        """Keep the seats as they are now (before an overlay changes `end`, which their deadlines follow)."""
        self.seat_override = self.seats

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(s.type for s in self.seats) if self.seat_override is not None else self.seat_profile


@dataclass(slots=True)
class BlendXCore:
    """Eager fields of a BlendX course (names as in `entities.BlendXCourse`)."""

    run: RunCore
    id: str
    tags: tuple[str, ...]
    created_at: datetime
    ratings: tuple[int, ...]
    avg_rating: float
    price: int
    display_name: str | None = None  # None: the run's title
    short_description: str | None = None
    org: str | None = None
    desc_override: str | None = None

    @property
    def key(self) -> str:
        return self.run.key

    def name(self) -> str:
        return self.display_name if self.display_name is not None else self.run.title


def avg(ratings) -> float:
    return round(sum(ratings) / len(ratings), 1) if ratings else 0.0


def finalize_run(core: RunCore, clock: datetime) -> None:
    """Recompute the clock-derived fields (after generation or an overlay)."""
    ended = core.end is not None and core.end < clock
    if ended:
        core.availability = "Archived"
    elif core.start is not None and core.start <= clock:
        core.availability = "Current"
    elif core.start is not None and core.start <= clock + timedelta(days=60):
        core.availability = "Starting Soon"
    else:
        core.availability = "Upcoming"
    core.is_enrollable = ((core.enrollment_start is None or core.enrollment_start <= clock)
                          and (core.enrollment_end is None or core.enrollment_end > clock))
    core.is_marketable = core.status == "published" and bool(core.modes)
    # discovery CourseRun.objects.active().enrollable().marketable()
    core.active = (not ended and (core.enrollment_end is None or core.enrollment_end > clock)
                   and core.is_marketable)


class Generator:
    """Makes cores and entities for one `(seed, clock)`; holds the small eager reference data."""

    def __init__(self, seed: int, clock: datetime, pools: Pools, n_people: int):
        self.seed = seed
        self.clock = clock
        self.pools = pools
        self.languages = tuple(e.LanguageTag(code, name, short) for code, name, short in LANGUAGES)
        self.subjects = tuple(self._subject(i, name) for i, name in enumerate(SUBJECTS))
        self.subject_by_name = {s.name: s for s in self.subjects}
        self.organizations: dict[str, e.Organization] = {}
        for i, (key, name, homepage, lang) in enumerate(ORGANIZATIONS):
            self.organizations[key] = self.organization(key, i, name=name, homepage=homepage,
                                                        language=LANG_OF[lang])
        self.generated_orgs = tuple(k for k, *_ in ORGANIZATIONS)
        self.people = [self.person(i) for i in range(n_people)]
        self._numbers: set[str] = set()
        # Equal values shared by many cores (dates on the day grid, titles, prices ...) are kept once: a
        # 100,000-course world repeats a few thousand of them hundreds of thousands of times.
        self._shared: dict = {}

    def shared(self, value):
        """`value`, or the equal value kept before (immutable values only: dates, strings, tuples)."""
        return self._shared.setdefault(value, value)

    def built(self) -> None:
        """The world's records are made: forget the values kept for sharing (the table alone is ~10 MB at
        100,000 courses; the records keep the values themselves)."""
        self._shared = {}

    # ----------------------------------------------------------------- reference data
    def _subject(self, i: int, name: str) -> e.Subject:
        r = rng(self.seed, "subject", name)
        slug = slugify(name)
        return e.Subject(
            uuid=new_uuid(r), name=name, slug=slug, subtitle=f"Learn about {name.lower()} with free online courses.",
            description=f"<p>Find online courses in {name} from top universities and institutions.</p>",
            card_image_url=f"{DISCOVERY_CDN}/media/media/subjects/card_images/{slug}.jpg",
            banner_image_url=f"{DISCOVERY_CDN}/media/media/subjects/banner_images/{slug}.jpg",
        )

    def organization(self, key: str, i: int | str, name: str | None = None, homepage: str | None = None,
                     language: str = "en-us") -> e.Organization:
        r = rng(self.seed, "org", key)
        name = name or key
        lang = text_lang(language)
        pool = self.pools.by_lang[lang]
        slug = slugify(key)
        uid = new_uuid(r)
        return e.Organization(
            uuid=uid, key=key, name=name,
            description=f"<p>{name}: {pool.paragraphs[r.randrange(POOL_SIZE)]}</p>",
            description_es=None,
            homepage_url=homepage or f"https://www.{slug}.example.org",
            logo_image_url=f"{DISCOVERY_CDN}/organization/logos/{uid}-{hexstr(r, 12)}.png",
            certificate_logo_image_url=f"{DISCOVERY_CDN}/organization/certificate_logos/{uid}-{hexstr(r, 12)}.png",
            banner_image_url=f"{DISCOVERY_CDN}/organization/banner_images/{uid}-{hexstr(r, 12)}.jpg",
            favicon_url=f"https://{BLENDX_HOST}/static/org_favicons/{slug}.ico",
            marketing_url=f"{MARKETING_SITE}/school/{slug}", slug=slug,
            tags=tuple(r.sample(("charter", "founder", "contributor", "member"), k=r.randint(0, 2))),
            organization_hex_color=f"{r.getrandbits(24):06x}" if r.random() < 0.5 else None,
            auto_generate_course_run_keys=True, language=language,
        )

    def person(self, i: int | str, uuid: str | None = None) -> e.Person:
        r = rng(self.seed, "person", i)
        lang = weighted(r, (("en", 70), ("es", 12), ("fr", 10), ("ar", 8)))
        pool = self.pools.by_lang[lang]
        given, family = pool.first_names[r.randrange(POOL_SIZE)], pool.last_names[r.randrange(POOL_SIZE)]
        org = self.organizations[r.choice(self.generated_orgs)] if self.organizations else None
        job = self.pools.jobs[r.randrange(len(self.pools.jobs))]
        uid = uuid or new_uuid(r)
        slug = slugify(f"{given} {family}") or f"person-{uid[:8]}"
        return e.Person(
            uuid=uid, salutation=r.choice(("Dr.", "Prof.", None, None)), given_name=given, family_name=family,
            bio=f"<p>{given} {family} — {job}. {pool.paragraphs[r.randrange(POOL_SIZE)]}</p>", slug=slug,
            position=e.Position(title=r.choice(("Professor", "Associate Professor", "Lecturer", "Senior Lecturer",
                                                 "Instructor", job)),
                                organization_name=org.name if org else ""),
            areas_of_expertise=tuple(r.sample([t[1] for t in TOPICS], k=r.randint(1, 3))),
            profile_image_url=f"{DISCOVERY_CDN}/media/people/profile_images/{uid}-{hexstr(r, 12)}.jpeg",
            urls=e.PersonUrls(facebook=None, twitter=f"https://twitter.com/{ascii_name(family)}" if r.random() < 0.3 else None,
                              blog=None),
            major_works="",
        )

    def subject_uuid(self, name: str) -> str:
        return self.subject_by_name[name].uuid

    # ----------------------------------------------------------------- courses and runs
    def course_core(self, i: int | str, key: str | None = None) -> tuple[CourseCore, list[RunCore]]:
        """The core of course i (or of the overlay-added course `key`) and the cores of its runs."""
        r = rng(self.seed, "course", i)
        topic = r.randrange(len(TOPICS))
        subj, t_en, t_es, t_fr, t_ar, prefix, _tags = TOPICS[topic]
        if key is None:
            org = r.choice(self.generated_orgs)
            while True:
                if org == "MITx" and r.random() < 0.5:
                    number = f"{r.randint(1, 24)}.{r.randint(0, 99):02d}{r.choice(('', '.1', '.2'))}x"
                else:
                    number = f"{prefix}{r.randint(100, 999)}{r.choice(('x', 'x', 'x', '.1x', 'X'))}"
                key = course_key(org, number)
                if key not in self._numbers:
                    break
        else:
            org = split_course_key(key)[0]
        self._numbers.add(key)
        org_entity = self.organizations.get(org)
        lang = text_lang(org_entity.language if org_entity else "en-us")
        if r.random() < 0.1:  # partners publish some courses in English whatever their language
            lang = "en"
        topic_text = {"en": t_en, "es": t_es, "fr": t_fr, "ar": t_ar}[lang]
        title = r.choice(TITLE_TEMPLATES[lang]).format(t=topic_text)
        title = self.shared(title[0].upper() + title[1:])
        pool = self.pools.by_lang[lang]
        short = self.shared(SHORT_TEMPLATES[lang].format(t=topic_text, s=pool.sentences[r.randrange(POOL_SIZE)]))
        subjects = [self.subject_uuid(subj)]
        if r.random() < 0.3:
            extra = self.subjects[r.randrange(len(self.subjects))].uuid
            if extra not in subjects:
                subjects.append(extra)
        profile = weighted(r, _SEAT_PROFILES)
        paid_price = r.choice(_PRO_PRICES if any("professional" in s for s in profile) else _VERIFIED_PRICES)
        core = CourseCore(
            i=i, key=key, uuid_value=r.getrandbits(128), org=org, title=title, short_description=short, lang=lang,
            topic=topic, par=(r.randrange(POOL_SIZE), r.randrange(POOL_SIZE), r.randrange(POOL_SIZE)),
            level_type=weighted(r, tuple((lt, 3) for lt in LEVEL_TYPES) + ((None, 1),)),
            subjects=self.shared(tuple(subjects)), owners=self.shared((org,)),
            modified=stamp(day_at(self.clock, -r.randint(1, 400), r.randint(0, 23)), r),
            seat_profile=profile, paid_price=paid_price,
        )
        n_runs = weighted(r, ((1, 4), (2, 4), (3, 2)))
        # latest run start in [-300, +250] days; earlier runs 120..220 days apart
        offsets = [r.randint(-300, 250)]
        for _ in range(n_runs - 1):
            offsets.append(offsets[-1] - r.randint(120, 220))
        style = "term" if int(hashlib.blake2b(org.encode(), digest_size=1).digest()[0]) % 3 else "year"
        runs = []
        used: set[str] = set()
        for j, off in enumerate(sorted(offsets)):
            runs.append(self.run_core(core, f"{i}.{j}", off, style, used, r=r))
        core.course_runs = [rc.key for rc in runs]
        return core, runs

    def run_core(self, course: CourseCore, i: str, offset_days: int, style: str, used: set[str],
                 key: str | None = None, r: random.Random | None = None) -> RunCore:
        # generated runs continue their course's stream (one Random per course is the main cost
        # saving at 100k courses); overlay-added runs get their own, seeded by key
        if r is None:
            r = rng(self.seed, "run", i if key is None else key)
        start = self.shared(day_at(self.clock, offset_days, r.choice((0, 5, 13, 15, 16))))
        self_paced = r.random() < 0.35
        weeks = r.randint(26, 52) if self_paced else r.randint(4, 14)
        end = None if (self_paced and r.random() < 0.1) else self.shared(start + timedelta(weeks=weeks))
        enrollment_start = self.shared(start - timedelta(days=r.randint(14, 90)))
        enrollment_end = (self.shared(end - timedelta(days=r.randint(0, 14)))
                          if end is not None and r.random() < 0.6 else None)
        if key is None:
            org, number = split_course_key(course.key)
            name = term_run_name(start.year, start.month, style)
            base, n = name, 0
            while name in used:
                n += 1
                name = f"{base}{'abcdefghij'[n % 10]}" if n < 10 else f"{base}_{n}"
            used.add(name)
            key = run_key(org, number, name)
        skus = draw_seat_skus(r, course.seat_profile, course.paid_price)
        seats = course.seat_profile
        paid = [t for t in seats if t in ("verified", "professional", "no-id-professional", "credit")]
        min_effort = r.randint(1, 6)
        core = RunCore(
            key=key, uuid_value=r.getrandbits(128), course=course.key, title=course.title,
            short_description=course.short_description, par=course.par, lang=course.lang,
            start=start, end=end, enrollment_start=enrollment_start, enrollment_end=enrollment_end,
            announcement=self.shared(enrollment_start - timedelta(days=r.randint(0, 14))),
            status=weighted(r, _RUN_STATUSES), hidden=r.random() < 0.04,
            invitation_only=r.random() < 0.04,
            catalog_visibility=weighted(r, (("both", 90), ("about", 6), ("none", 4))),
            pacing_type="self_paced" if self_paced else "instructor_paced", seat_profile=course.seat_profile,
            paid_price=course.paid_price, seat_skus=skus,
            content_language=LANG_OF[course.lang], min_effort=min_effort,
            max_effort=min_effort + r.randint(0, 6), weeks_to_complete=weeks,
            type=paid[0] if paid else (seats[0] if seats else None),
        )
        tags = list(TOPICS[course.topic][6])
        if r.random() < 0.3:
            tags.append(self.subjects[r.randrange(len(self.subjects))].slug)
        core.bx_tags = self.shared(tuple(dict.fromkeys(tags)))
        core.bx_ratings = self.shared(tuple(weighted(r, _RATINGS) for _ in range(r.randint(0, 6))))
        core.bx_created = self.shared((core.announcement or start)
                                      - timedelta(days=r.randint(1, 60), minutes=r.randint(0, 1439)))
        core.bx_id_value = r.getrandbits(128)
        finalize_run(core, self.clock)
        return core

    def full_description(self, core: CourseCore | RunCore) -> str:
        if core.desc_override is not None:
            return core.desc_override
        pool = self.pools.by_lang[core.lang]
        return "".join(f"<p>{pool.paragraphs[k]}</p>" for k in core.par[:2])

    def course_entity(self, core: CourseCore) -> e.Course:
        r = rng(self.seed, "course-detail", core.key)
        pool = self.pools.by_lang[core.lang]
        items = tuple(pool.sentences[r.randrange(POOL_SIZE)] for _ in range(r.randint(3, 5)))
        slug = slugify(core.title) or slugify(core.key)
        has_image = r.random() < 0.95
        image_src = f"{DISCOVERY_CDN}/media/course/image/{core.uuid}-{hexstr(r, 12)}.small.jpg"
        profile = core.seat_profile
        entitlement_mode = next((m for m in ("verified", "professional") if m in profile), None)
        course_type = {("audit", "verified"): "verified-audit", ("audit",): "audit", ("verified",): "verified",
                       ("professional",): "professional", ("audit", "verified", "credit"): "credit-verified-audit",
                       ("honor",): "honor", ("no-id-professional",): "professional",
                       ("audit", "honor"): "audit"}.get(profile, "verified-audit")
        sponsors = ()
        if r.random() < 0.1:
            sponsors = (r.choice(self.generated_orgs),)
        return e.Course(
            key=core.key, uuid=core.uuid, title=core.title, short_description=core.short_description,
            full_description=self.full_description(core), level_type=core.level_type, subjects=core.subjects,
            prerequisites=tuple(r.sample(_PREREQUISITES, k=r.randint(0, 2))),
            expected_learning_items=items,
            image=e.Image(src=image_src) if has_image else None,
            video=e.Video(src=f"https://www.youtube.com/watch?v={hexstr(r, 11)}") if r.random() < 0.4 else None,
            owners=core.owners, sponsors=sponsors, modified=core.modified,
            marketing_url=f"{MARKETING_SITE}/course/{slug}", url_slug=slug,
            outcome="<ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>",
            syllabus_raw="".join(f"<p>{SECTION_WORD[core.lang]} {n + 1}: {pool.sentences[r.randrange(POOL_SIZE)]}</p>"
                                 for n in range(r.randint(3, 6))),
            prerequisites_raw=f"<p>{pool.sentences[r.randrange(POOL_SIZE)]}</p>",
            entitlements=(e.Entitlement(mode=entitlement_mode, price=money(core.paid_price), currency="USD",
                                        sku=f"{r.getrandbits(28):07X}"),) if entitlement_mode else (),
            course_type=course_type, card_image_url=image_src if has_image else None,
            enrollment_count=r.randint(0, 250_000), recent_enrollment_count=r.randint(0, 5_000),
            course_runs=tuple(core.course_runs), programs=tuple(core.programs), active=core.active,
        )

    def run_entity(self, core: RunCore, course: CourseCore) -> e.CourseRun:
        r = rng(self.seed, "run-detail", core.key)
        people = self.people
        staff = tuple(people[r.randrange(len(people))].uuid for _ in range(r.randint(1, 3))) if people else ()
        langs = [core.content_language] if core.content_language else []
        for code, _n, _s in LANGUAGES:
            if code not in langs and r.random() < 0.15:
                langs.append(code)
        slug = slugify(course.title) or slugify(course.key)
        return e.CourseRun(
            key=core.key, uuid=core.uuid, course=core.course, course_uuid=course.uuid, title=core.title,
            short_description=core.short_description, full_description=self.full_description(core),
            start=core.start, end=core.end, enrollment_start=core.enrollment_start,
            enrollment_end=core.enrollment_end, announcement=core.announcement, go_live_date=core.announcement,
            image=e.Image(src=f"{EDX_LMS}/{asset_key(core.key, 'images_course_image.jpg')}"),
            video=e.Video(src=f"https://www.youtube.com/watch?v={hexstr(r, 11)}") if r.random() < 0.3 else None,
            seats=core.seats, content_language=core.content_language, transcript_languages=tuple(langs),
            staff=tuple(dict.fromkeys(staff)), pacing_type=core.pacing_type, min_effort=core.min_effort,
            max_effort=core.max_effort, weeks_to_complete=core.weeks_to_complete,
            modified=stamp(min(self.clock, (core.announcement or self.clock)) - timedelta(days=r.randint(0, 30)), r),
            status=core.status, is_marketable=core.is_marketable, type=core.type,
            mobile_available=r.random() < 0.7, hidden=core.hidden,
            reporting_type=weighted(r, (("mooc", 90), ("spoc", 4), ("test", 2), ("demo", 2), ("other", 2))),
            invitation_only=core.invitation_only, catalog_visibility=core.catalog_visibility, modes=core.modes,
            marketing_url=f"{MARKETING_SITE}/course/{slug}", level_type=course.level_type,
            outcome="", eligible_for_financial_aid=r.random() < 0.8,
            enrollment_count=r.randint(0, 50_000), recent_enrollment_count=r.randint(0, 2_000),
            programs=tuple(course.programs), availability=core.availability, is_enrollable=core.is_enrollable,
            has_enrollable_seats=core.is_enrollable and bool(core.seats), active=core.active,
        )

    # ----------------------------------------------------------------- BlendX and search
    def blendx_core(self, run: RunCore) -> BlendXCore:
        # Generated seats' prices are whole numbers, so these are the prices the seats show.
        prices = ([int(float(s.price)) for s in run.seat_override] if run.seat_override is not None
                  else [seat_price(t, run.paid_price) for t in run.seat_profile])
        return BlendXCore(run=run, id=run.bx_id, tags=run.bx_tags, created_at=run.bx_created,
                          ratings=run.bx_ratings, avg_rating=avg(run.bx_ratings),
                          price=min(prices) if prices else 0)

    def blendx_entity(self, bx: BlendXCore, course: CourseCore, org: e.Organization | None,
                      structure: bool = True) -> e.BlendXCourse:
        """The BlendX course of `bx`; without its `course_structure` (None) unless `structure`. The structure
        is drawn last, so every other field is the same either way."""
        run = bx.run
        r = rng(self.seed, "blendx-detail", run.key)
        lms = f"https://lms.{BLENDX_HOST}"
        modes = sorted(run.seats, key=lambda s: (float(s.price), s.type))
        course_modes = tuple(e.CourseMode(modeSlug=s.type, minPrice=int(float(s.price)),
                                          modeDisplayName=SEAT_DISPLAY.get(s.type, s.type.title()),
                                          currency="usd", visible=True) for s in modes)
        pool = self.pools.by_lang[run.lang]
        names = [f"{pool.first_names[r.randrange(POOL_SIZE)]} {pool.last_names[r.randrange(POOL_SIZE)]}"
                 for _ in bx.ratings]
        comments = REVIEW_COMMENTS[run.lang]
        lo = bx.created_at
        reviews = tuple(e.Review(id=new_uuid(r), user=names[k], rating=rating,
                                 comment=comments[r.randrange(len(comments))],
                                 created_at=min(self.clock, lo + timedelta(days=r.randint(1, 300),
                                                                           minutes=r.randint(0, 1439))))
                        for k, rating in enumerate(bx.ratings))
        start = run.start
        org_key = bx.org or run.org
        logo = f"https://{BLENDX_HOST}/static/org_logos/{slugify(org_key)}.png"
        favicon = org.favicon_url if org else None
        return e.BlendXCourse(
            id=bx.id, openedx_course_id=run.key, display_name=bx.name(),
            display_image=f"{lms}/{asset_key(run.key, 'images_course_image.jpg')}",
            short_description=bx.short_description if bx.short_description is not None else run.short_description,
            overview=(bx.desc_override if bx.desc_override is not None
                      else f"<section class=\"about\"><h2>About This Course</h2>{self.full_description(run)}</section>"),
            price=bx.price, currency="usd", start=start, end=run.end,
            start_display=f"{_MONTHS[start.month - 1]} {start.day}, {start.year}" if start else "",
            effort=f"{(run.max_effort or 1):02d}:00", enrollment_start=run.enrollment_start,
            enrollment_end=run.enrollment_end,
            certificate_available_date=(run.end + timedelta(days=2)) if run.end else None,
            has_any_active_web_certificate=any(s.type != "audit" for s in run.seats) and r.random() < 0.7,
            link_to_course=f"https://apps.{BLENDX_HOST}/dashboard/course/{run.key}",
            language=short_lang(run.content_language) or "en", self_paced=run.pacing_type == "self_paced",
            number=run.number, course_video_url=None, course_mode=modes[0].type if modes else "audit",
            available_course_modes=course_modes, tags=bx.tags, is_invite_only=run.invitation_only,
            is_published=run.status == "published", avg_rating=bx.avg_rating, org=org_key,
            org_logo_url=logo, org_favicon_url=favicon, organisation=org.name if org else org_key,
            organisation_id=org.uuid if org else new_uuid(r), organisation_logo_url=logo,
            organisation_favicon_url=favicon,
            course_structure=self.course_structure(run, r) if structure else None,
            reviews=reviews, created_at=bx.created_at,
        )

    def course_structure(self, run: RunCore, r: random.Random) -> e.CourseStructure:
        lang = run.lang
        pool = self.pools.by_lang[lang]
        sections = []
        for n in range(r.randint(3, 7)):
            name = INTRO_WORD[lang] if n == 0 else f"{SECTION_WORD[lang]} {n}: {pool.sentences[r.randrange(POOL_SIZE)][:40].rstrip('. ')}"
            subs = tuple(
                e.Subsection(name=f"{LESSON_WORD[lang]} {n + 1}.{m + 1}",
                             usage_key=block_key(run.key, "sequential", hexstr(r, 32)),
                             inaccessible_after_due=False, hide_from_toc=False,
                             visible_to_staff_only=r.random() < 0.03, exam=None)
                for m in range(r.randint(1, 4)))
            sections.append(e.Section(name=name, usage_key=block_key(run.key, "chapter", hexstr(r, 32)),
                                      hide_from_toc=False, visible_to_staff_only=False, subsections=subs))
        published = (run.announcement or self.clock) - timedelta(days=r.randint(1, 30))
        return e.CourseStructure(
            sections=tuple(sections),
            course_info=e.CourseInfo(course_key=run.key, title=run.title,
                                     published_at=published.replace(microsecond=0),
                                     published_version=hexstr(r, 24), days_early_for_beta=None,
                                     entrance_exam_id=None, self_paced=run.pacing_type == "self_paced",
                                     course_visibility=weighted(r, (("public", 8), ("public_outline", 1),
                                                                    ("private", 1)))),
        )

    def search_document(self, run: RunCore) -> e.SearchDocument:
        r = rng(self.seed, "search", run.key)
        pool = self.pools.by_lang[run.lang]
        if run.desc_override is not None:
            body = _TAG_RE.sub(" ", run.desc_override)
        else:
            body = " ".join(pool.paragraphs[k] for k in run.par[:2])
        overview = " About This Course " + body + " "
        image = ("/static/studio/images/pencils.jpg" if r.random() < 0.2
                 else f"/{asset_key(run.key, 'images_course_image.jpg')}")
        return e.SearchDocument(
            id=run.key, course=run.key,
            content=e.SearchContent(display_name=run.title, overview=overview, number=run.number,
                                    short_description=run.short_description),
            image_url=image, start=run.start, end=run.end, enrollment_start=run.enrollment_start,
            enrollment_end=run.enrollment_end, effort=f"{(run.max_effort or 1):02d}:00", number=run.number,
            org=run.org, modes=run.modes, language=short_lang(run.content_language),
            invitation_only=run.invitation_only, catalog_visibility=run.catalog_visibility,
        )

    # ----------------------------------------------------------------- programs, catalogs, enterprise
    def program(self, i: int | str, courses: list[CourseCore], uuid: str | None = None) -> e.Program:
        r = rng(self.seed, "program", i)
        lead = courses[0] if courses else None
        lang = lead.lang if lead else "en"
        ptype = weighted(r, (("MicroMasters", 3), ("XSeries", 3), ("Professional Certificate", 4),
                             ("MicroBachelors", 1), ("Masters", 1)))
        topic = TOPICS[lead.topic] if lead else TOPICS[0]
        title = {"en": topic[1], "es": topic[2], "fr": topic[3], "ar": topic[4]}[lang]
        title = title[0].upper() + title[1:] + r.choice(("", " Essentials", " for Professionals", " Leadership"))
        uid = uuid or new_uuid(r)
        slug = slugify(title) or uid[:8]
        weeks = sum(r.randint(4, 10) for _ in courses) or None
        lo_effort = r.randint(2, 6)
        pool = self.pools.by_lang[lang]
        price = float(sum(c.paid_price for c in courses))
        orgs = tuple(dict.fromkeys(c.org for c in courses)) or (r.choice(self.generated_orgs),)
        return e.Program(
            uuid=uid, title=title, subtitle=pool.sentences[r.randrange(POOL_SIZE)], type=ptype,
            status=weighted(r, (("active", 85), ("unpublished", 8), ("retired", 5), ("deleted", 2))),
            marketing_slug=slug, marketing_url=f"{MARKETING_SITE}/{slugify(ptype)}/{slug}",
            courses=tuple(c.key for c in courses), authoring_organizations=orgs,
            card_image_url=f"{DISCOVERY_CDN}/media/programs/card_images/{uid}-{hexstr(r, 12)}.jpg",
            banner_image_url=f"{DISCOVERY_CDN}/media/programs/banner_images/{uid}-{hexstr(r, 12)}.jpg",
            languages=(LANG_OF[lang],), transcript_languages=(LANG_OF[lang],),
            weeks_to_complete=weeks, weeks_to_complete_min=weeks, weeks_to_complete_max=(weeks + 8) if weeks else None,
            min_hours_effort_per_week=lo_effort, max_hours_effort_per_week=lo_effort + r.randint(1, 6),
            total_hours_of_effort=(weeks or 0) * lo_effort or None,
            overview=f"<p>{pool.paragraphs[r.randrange(POOL_SIZE)]}</p>",
            marketing_hook=pool.sentences[r.randrange(POOL_SIZE)],
            expected_learning_items=tuple(pool.sentences[r.randrange(POOL_SIZE)] for _ in range(3)),
            subjects=tuple(dict.fromkeys(s for c in courses for s in c.subjects)),
            staff=tuple(self.people[r.randrange(len(self.people))].uuid for _ in range(2)) if self.people else (),
            price_ranges=(e.PriceRange(currency="USD", min=min((c.paid_price for c in courses), default=0),
                                       max=max((c.paid_price for c in courses), default=0), total=price),),
            hidden=r.random() < 0.05, is_program_eligible_for_one_click_purchase=r.random() < 0.7,
            enrollment_count=r.randint(0, 100_000), recent_enrollment_count=r.randint(0, 3_000),
            modified=stamp(day_at(self.clock, -r.randint(1, 300), r.randint(0, 23)), r),
        )

    def catalog(self, cid: int, query: str, name: str) -> e.Catalog:
        r = rng(self.seed, "catalog", cid)
        viewers = []
        for _ in range(r.randint(0, 3)):
            pool = self.pools.by_lang["en"]
            viewers.append(ascii_name(pool.first_names[r.randrange(POOL_SIZE)])
                           + ascii_name(pool.last_names[r.randrange(POOL_SIZE)])[:1] + str(r.randint(1, 99)))
        return e.Catalog(id=cid, name=name, query=query, viewers=tuple(viewers))

    def enterprise_customer(self, i: int | str, uuid: str | None = None,
                            taken: set[str] = frozenset()) -> e.EnterpriseCustomer:
        r = rng(self.seed, "customer", i)
        companies = self.pools.companies
        pick = r.randrange(len(companies))
        while slugify(companies[pick]) in taken:  # slugs are unique, like the real model's
            pick = (pick + 1) % len(companies)
        name = companies[pick]
        created = stamp(day_at(self.clock, -r.randint(200, 2000), r.randint(0, 23)), r)
        return e.EnterpriseCustomer(
            uuid=uuid or new_uuid(r), name=name, slug=slugify(name), active=True,
            country=r.choice(COUNTRIES), identity_provider=f"{slugify(name)}-sso" if r.random() < 0.6 else None,
            created=created, modified=stamp(created + timedelta(days=r.randint(1, 150)), r),
        )

    def enterprise_catalog(self, i: int | str, customer: str, title: str | None = None,
                           uuid: str | None = None) -> e.EnterpriseCatalog:
        r = rng(self.seed, "ent-catalog", i)
        created = stamp(day_at(self.clock, -r.randint(30, 900), r.randint(0, 23)), r)
        return e.EnterpriseCatalog(
            uuid=uuid or new_uuid(r),
            title=title or r.choice(("All Content", "Leadership Development", "Technical Upskilling",
                                     "Data & Analytics", "Onboarding", "Business Essentials",
                                     "Subscription Catalog", "Learner Credit Catalog")),
            enterprise_customer=customer,
            enterprise_catalog_query=r.randint(1, 60) if r.random() < 0.7 else None,
            created=created, modified=stamp(min(self.clock, created + timedelta(days=r.randint(0, 25))), r),
        )


@dataclass(frozen=True)
class Learner:
    """An enterprise learner: the user fields repeated on each of their learner-summary rows."""

    enterprise_user_id: int
    user_username: str
    user_email: str
    user_first_name: str
    user_last_name: str
    user_account_creation_date: datetime
    user_country_code: str
    enterprise_sso_uid: str | None


def learner(gen: Generator, customer: e.EnterpriseCustomer, user_id: int) -> Learner:
    r = rng(gen.seed, "learner", user_id)
    lang = weighted(r, (("en", 70), ("es", 15), ("fr", 15)))
    pool = gen.pools.by_lang[lang]
    first, last = pool.first_names[r.randrange(POOL_SIZE)], pool.last_names[r.randrange(POOL_SIZE)]
    username = f"{ascii_name(first)}{ascii_name(last)[:1]}{user_id % 1000}"
    return Learner(
        enterprise_user_id=user_id, user_username=username,
        user_email=f"{ascii_name(first)}.{ascii_name(last)}@{customer.slug or 'example'}.example.com",
        user_first_name=first, user_last_name=last,
        user_account_creation_date=stamp(day_at(gen.clock, -r.randint(120, 2500), r.randint(0, 23)), r),
        user_country_code=r.choice(COUNTRIES),
        enterprise_sso_uid=f"{username}@{customer.identity_provider}" if customer.identity_provider else None,
    )


def enrollment(gen: Generator, enrollment_id: int, customer: e.EnterpriseCustomer, who: Learner,
               run: RunCore, course: CourseCore, program: e.Program | None, subject: str | None,
               forced: str | None = None) -> e.Enrollment:
    """One learner-summary row; `forced` is one of Passed/Failed/In Progress/unenrolled/no-consent."""
    r = rng(gen.seed, "enrollment", enrollment_id)
    clock = gen.clock
    today = clock.date()
    start, end = run.start, run.end
    ended = end is not None and end < clock
    started = start is not None and start <= clock
    lo = (start or clock) - timedelta(days=40)
    enrolled = min(clock - timedelta(days=1), lo + timedelta(days=r.randint(0, 60)))
    enrolled = max(enrolled, who.user_account_creation_date)
    passing = r.choice((0.5, 0.6, 0.7))
    status = forced if forced in ("Passed", "Failed", "In Progress") else None
    if status is None:
        status = (("Passed" if r.random() < 0.55 else "Failed") if ended
                  else ("Passed" if started and r.random() < 0.1 else "In Progress"))
    if status == "Passed":
        grade = round(r.uniform(passing, 1.0), 2)
        hi = min(clock, end) if end else clock
        lo_pass = max(enrolled, start or enrolled)
        span = max(0, (hi - lo_pass).days)
        passed = (lo_pass + timedelta(days=r.randint(0, span))).date() if hi >= lo_pass else today
        letter = r.choice(("Pass", "A", "B"))
    elif status == "Failed":
        grade, passed, letter = round(r.uniform(0.0, passing - 0.01), 2), None, None
    else:
        grade = round(r.uniform(0.0, passing * 0.9), 2) if started else 0.0
        passed, letter = None, None
    last_activity = None
    if started or status == "Passed":
        act_hi = min(clock, end) if end else clock
        act_lo = max(enrolled, start or enrolled)
        if act_hi >= act_lo:
            last_activity = (act_lo + timedelta(days=r.randint(0, (act_hi - act_lo).days))).date()
        if passed is not None and (last_activity is None or last_activity < passed):
            last_activity = passed
    paid_seats = [s for s in run.seats if float(s.price) > 0]
    seat = paid_seats[0] if paid_seats else (run.seats[0] if run.seats else None)
    mode = seat.type if seat else "audit"
    list_price = float(seat.price) if seat else 0.0
    paid_by = "Enterprise" if r.random() < 0.8 else "Learner"
    delivery = weighted(r, (("Subscription", 5), ("Learner Credit", 3), ("Code", 1), ("Offer", 1)))
    refund_deadline = (max(enrolled, start or enrolled) + timedelta(days=14)).date()
    unenrolled = forced == "unenrolled" or (forced is None and r.random() < 0.08)
    unenroll_date = None
    refunded: bool | None = None if list_price == 0 else False
    if unenrolled:
        if forced == "unenrolled":
            # the guaranteed unenrolled row is also the guaranteed refunded one: unenrolled in time
            unenroll_date = min(today, refund_deadline, (enrolled + timedelta(days=1)).date())
        else:
            unenroll_date = min(today, (enrolled + timedelta(days=r.randint(1, 30))).date())
        unenroll_date = max(unenroll_date, enrolled.date())
        if list_price:
            refunded = unenroll_date <= refund_deadline
        if status == "Passed":
            status = "In Progress"
        if status == "In Progress":
            passed, letter = None, None
    consent = not (forced == "no-consent" or (forced is None and r.random() < 0.08))
    weeks = run.weeks_to_complete
    return e.Enrollment(
        enrollment_id=enrollment_id, enterprise_enrollment_id=enrollment_id + 40_000,
        is_consent_granted=consent, paid_by=paid_by, user_current_enrollment_mode=mode,
        enrollment_date=enrolled.date(), unenrollment_date=unenroll_date,
        unenrollment_end_within_date=refund_deadline, is_refunded=refunded,
        seat_delivery_method=delivery,
        offer_id=str(r.randint(1000, 9999)) if delivery == "Offer" else None,
        offer_name=f"{customer.name} Offer" if delivery == "Offer" else None,
        offer_type=f"Percentage, 100 (#{r.randint(1000, 9999)})" if delivery == "Offer" else None,
        coupon_code="".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16)) if delivery == "Code" else None,
        coupon_name=f"{customer.name} Codes" if delivery == "Code" else None,
        contract_id=f"C-{r.randint(100000, 999999)}" if delivery == "Subscription" else None,
        course_list_price=list_price,
        amount_learner_paid=list_price if paid_by == "Learner" else 0.0,
        course_key=course.key, courserun_key=run.key, course_title=run.title,
        course_pacing_type=run.pacing_type,
        course_start_date=start.date() if start else None, course_end_date=end.date() if end else None,
        course_duration_weeks=weeks, course_max_effort=run.max_effort, course_min_effort=run.min_effort,
        course_primary_program=program.title if program else None,
        primary_program_type=program.type if program else None, course_primary_subject=subject,
        has_passed=status == "Passed", last_activity_date=last_activity, progress_status=status,
        passed_date=passed, current_grade=grade, letter_grade=letter,
        enterprise_user_id=who.enterprise_user_id, user_email=who.user_email,
        user_account_creation_date=who.user_account_creation_date, user_country_code=who.user_country_code,
        user_username=who.user_username, user_first_name=who.user_first_name, user_last_name=who.user_last_name,
        enterprise_name=customer.name, enterprise_customer_uuid=customer.uuid,
        enterprise_sso_uid=who.enterprise_sso_uid,
        created=stamp(clock - timedelta(hours=r.randint(1, 23)), r),
        course_api_url=f"/enterprise/v1/enterprise-catalogs/{customer.uuid}/courses/{run.key}",
        total_learning_time_hours=round(grade * (weeks or 4) * (run.min_effort or 2), 2),
        is_subsidy=paid_by == "Enterprise", course_product_line="OCM",
        budget_id=new_uuid(r) if delivery == "Learner Credit" else None,
        enterprise_flex_group_name=None, enterprise_flex_group_uuid=None,
        course_progress=round(min(1.0, grade / passing), 2) if grade else 0.0,
        course_passing_grade=passing,
    )
