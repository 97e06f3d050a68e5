"""`World`: the query API the handlers call. `build.py` makes the parts of a world and hands them to it.

A world is immutable once built: entities are frozen, collections are tuples or `LazySeq`s, and
the only mutation after `build_world` returns is the materialization cache (a benign, idempotent
memo: every entity is a pure function of seed, clock, size and overlay).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from mockserver.world import entities as e
from mockserver.world.generate import CourseCore, Generator, RunCore
from mockserver.world.index import BlendXIndex, CourseIndex, LazySeq, SearchIndex
from mockserver.world.keys import course_of_run, is_run_key
from mockserver.world.parts import BlendXCores, Materialised, Parts, ref_active


class World:
    """One seeded, coherent dataset behind the three APIs. Build it with `build_world`.

    Lookups return None for an unknown key. Ordered collections are sequences (tuples, or lazy
    sequences that support len() and slicing).
    """

    gen: Generator
    _orgs: dict[str, e.Organization]
    _subjects: dict[str, e.Subject]
    _people: dict[str, e.Person]
    _languages: dict[str, e.LanguageTag]
    _languages_short: dict[str, e.LanguageTag]
    _course_cores: list[CourseCore]
    _run_cores: list[RunCore]
    _bx_cores: BlendXCores
    _course_idx: dict[str, int]
    _run_idx: dict[str, int]
    _patches: dict[str, dict[str, dict]]
    _programs: dict[str, e.Program]
    _catalogs: dict[int, e.Catalog]
    _course_index: CourseIndex
    _catalog_members: dict[int, list[str]]
    _catalog_active: dict[int, list[str]]
    _customers: dict[str, e.EnterpriseCustomer]
    _ent_catalogs: dict[str, e.EnterpriseCatalog]
    _enrollments: dict[str, tuple[e.Enrollment, ...]]
    _enrollment_by_id: dict[int, e.Enrollment]
    _bx_index: BlendXIndex
    _search_index: SearchIndex

    def __init__(self, parts: Parts):
        """The world made of `parts` (see `build.Parts`); `build_world` is how one is made."""
        self.seed = parts.seed
        self.clock = parts.clock
        self.n_courses = parts.n_courses
        self.gen = parts.gen
        self._orgs = parts.orgs
        self._subjects = parts.subjects
        self._people = parts.people
        self._languages = parts.languages
        self._languages_short = parts.languages_short
        self._course_cores = parts.course_cores
        self._run_cores = parts.run_cores
        self._bx_cores = parts.bx_cores
        self._course_idx = parts.course_idx
        self._run_idx = parts.run_idx
        self._patches = parts.patches
        self._programs = parts.programs
        self._catalogs = parts.catalogs
        self._course_index = parts.course_index
        self._customers = parts.customers
        self._ent_catalogs = parts.ent_catalogs
        self._enrollments = parts.enrollments
        self._enrollment_by_id = parts.enrollment_by_id
        self._bx_index = parts.bx_index
        self._search_index = parts.search_index
        # core by key (None if unknown): the lookups the build used, over the same cores and indexes
        self._course_core: Callable[[str], CourseCore | None] = parts.course_core
        self._run_core: Callable[[str], RunCore | None] = parts.run_core
        self._catalog_members = {}
        self._catalog_active = {}
        self._course_entity_by_key = Materialised(e.Course, "courses", self._patches, self._build_course)
        self._run_entity_by_key = Materialised(e.CourseRun, "runs", self._patches, self._build_run)
        self._bx_entity_by_key = Materialised(e.BlendXCourse, "blendx_courses", self._patches, self._build_blendx)
        self._bx_listing_by_key = Materialised(e.BlendXCourse, "blendx_courses", self._patches,
                                               self._build_blendx_listing, frozenset({"course_structure"}))
        self._sd_entity_by_key = parts.sd_entity_by_key
        self._items_cache: dict[str, tuple] = {}
        self._membership_cache: dict[str, tuple[frozenset, frozenset, frozenset]] = {}

    # ------------------------------------------------------------------ reference data
    @property
    def organizations(self) -> tuple[e.Organization, ...]:
        return tuple(self._orgs.values())

    def organization(self, key: str) -> e.Organization | None:
        """Organization by key (`MITx`)."""
        return self._orgs.get(key)

    @property
    def subjects(self) -> tuple[e.Subject, ...]:
        return tuple(self._subjects.values())

    def subject(self, uuid: str) -> e.Subject | None:
        return self._subjects.get(uuid)

    @property
    def people(self) -> tuple[e.Person, ...]:
        return tuple(self._people.values())

    def person(self, uuid: str) -> e.Person | None:
        return self._people.get(uuid)

    @property
    def languages(self) -> tuple[e.LanguageTag, ...]:
        return self.gen.languages

    def language(self, code: str | None) -> e.LanguageTag | None:
        """LanguageTag by discovery code (`en-us`) or 2-letter code (`en`)."""
        if code is None:
            return None
        return self._languages.get(code) or self._languages_short.get(code)

    # ------------------------------------------------------------------ courses and runs
    @property
    def courses(self) -> LazySeq[e.Course]:
        """All courses, in generation order."""
        return LazySeq([c.key for c in self._course_cores], self._course_entity_by_key)

    @property
    def runs(self) -> LazySeq[e.CourseRun]:
        """All course runs, in generation order (runs of a course are adjacent, by start)."""
        return LazySeq([r.key for r in self._run_cores], self._run_entity_by_key)

    def course(self, key: str) -> e.Course | None:
        return self._course_entity_by_key(key) if key in self._course_idx else None

    def run(self, key: str) -> e.CourseRun | None:
        return self._run_entity_by_key(key) if key in self._run_idx else None

    def course_runs(self, course_key: str) -> tuple[e.CourseRun, ...]:
        """The runs of a course, ordered by start then key."""
        core = self._course_core(course_key)
        return tuple(self._run_entity_by_key(k) for k in core.course_runs) if core else ()

    def _build_course(self, key: str) -> e.Course:
        return self.gen.course_entity(self._course_core(key))

    def _build_run(self, key: str) -> e.CourseRun:
        core = self._run_core(key)
        return self.gen.run_entity(core, self._course_core(core.course))

    # ------------------------------------------------------------------ programs
    @property
    def programs(self) -> tuple[e.Program, ...]:
        return tuple(self._programs.values())

    def program(self, uuid: str) -> e.Program | None:
        return self._programs.get(uuid)

    # ------------------------------------------------------------------ discovery catalogs
    @property
    def catalogs(self) -> tuple[e.Catalog, ...]:
        """Discovery catalogs ordered by id."""
        return tuple(self._catalogs.values())

    def catalog(self, id: int) -> e.Catalog | None:  # noqa: A002 - the API's name
        return self._catalogs.get(id)

    def _members(self, catalog: e.Catalog | int) -> list[int]:
        cid = catalog if isinstance(catalog, int) else catalog.id
        hit = self._catalog_members.get(cid)
        if hit is None:
            members = self._course_index.evaluate(self._catalogs[cid].query)
            hit = self._catalog_members[cid] = [self._course_cores[i].key for i in members]
        return hit

    def catalog_courses(self, catalog: e.Catalog | int) -> LazySeq[e.Course]:
        """Every course matching the catalog's query (what `courses_count` counts), in course order."""
        return LazySeq(self._members(catalog), self._course_entity_by_key)

    def catalog_courses_count(self, catalog: e.Catalog | int) -> int:
        return len(self._members(catalog))

    def catalog_active_courses(self, catalog: e.Catalog | int) -> LazySeq[e.Course]:
        """The catalog's active courses (what `/catalogs/{id}/courses/` lists), in course order."""
        cores = self._course_cores
        cid = catalog if isinstance(catalog, int) else catalog.id
        if self._catalogs[cid].include_archived:
            return self.catalog_courses(cid)
        keys = self._catalog_active.get(cid)
        if keys is None:
            idx = self._course_idx
            keys = self._catalog_active[cid] = [k for k in self._members(cid) if cores[idx[k]].active]
        return LazySeq(keys, self._course_entity_by_key)

    # ------------------------------------------------------------------ enterprise
    @property
    def enterprise_customers(self) -> tuple[e.EnterpriseCustomer, ...]:
        return tuple(self._customers.values())

    def enterprise_customer(self, uuid: str) -> e.EnterpriseCustomer | None:
        return self._customers.get(uuid)

    @property
    def enterprise_catalogs(self) -> tuple[e.EnterpriseCatalog, ...]:
        """Enterprise catalogs, grouped by customer in customer order."""
        return tuple(self._ent_catalogs.values())

    def enterprise_catalog(self, uuid: str) -> e.EnterpriseCatalog | None:
        return self._ent_catalogs.get(uuid)

    def enterprise_catalogs_of(self, customer_uuid: str) -> tuple[e.EnterpriseCatalog, ...]:
        return tuple(c for c in self._ent_catalogs.values() if c.enterprise_customer == customer_uuid)

    def content_entity(self, ref: e.ContentRef) -> e.Course | e.CourseRun | e.Program | None:
        """The entity a catalog content item refers to."""
        if ref.content_type == "course":
            return self.course(ref.key)
        if ref.content_type == "courserun":
            return self.run(ref.key)
        return self.program(ref.key)

    def content_active(self, ref: e.ContentRef) -> bool:
        return ref_active(ref, self._course_core, self._run_core, self._programs)

    def enterprise_catalog_items(self, catalog: e.EnterpriseCatalog | str) -> tuple:
        """The catalog's active content (what the catalog's content route serves) as entities (Course,
        CourseRun or Program), in catalog order; worked out once per catalog (the world is immutable)."""
        cat = catalog if isinstance(catalog, e.EnterpriseCatalog) else self._ent_catalogs[catalog]
        items = self._items_cache.get(cat.uuid)
        if items is None:
            items = self._items_cache[cat.uuid] = tuple(self.content_entity(ref) for ref in cat.content
                                                        if self.content_active(ref))
        return items

    def _membership(self, cat: e.EnterpriseCatalog) -> tuple[frozenset, frozenset, frozenset]:
        """(courses, runs, programs) a catalog covers, worked out once per catalog (the world is immutable)."""
        found = self._membership_cache.get(cat.uuid)
        if found is None:
            courses, runs, programs = set(), set(), set()
            for ref in cat.content:
                if ref.content_type == "course":
                    courses.add(ref.key)
                elif ref.content_type == "courserun":
                    runs.add(ref.key)
                    courses.add(course_of_run(ref.key))
                else:
                    programs.add(ref.key)
                    p = self._programs.get(ref.key)
                    if p:
                        courses.update(p.courses)
            found = self._membership_cache[cat.uuid] = (frozenset(courses), frozenset(runs), frozenset(programs))
        return found

    def enterprise_catalog_contains(self, catalog: e.EnterpriseCatalog | str, key: str) -> bool:
        """Whether an existing course key, run key or program uuid is in the catalog (edx-enterprise
        `contains_content_items`: a course covers its runs, a run its course, a program its courses)."""
        cat = catalog if isinstance(catalog, e.EnterpriseCatalog) else self._ent_catalogs.get(catalog)
        if cat is None:
            return False
        courses, runs, programs = self._membership(cat)
        if is_run_key(key):
            return key in self._run_idx and (key in runs or course_of_run(key) in courses)
        if key in programs:
            return True
        return key in courses and key in self._course_idx

    def enrollments(self, customer_uuid: str) -> tuple[e.Enrollment, ...]:
        """Learner-summary rows of a customer by `-last_activity_date` (nulls last), then enrollment_id."""
        return self._enrollments.get(customer_uuid, ())

    def enrollment(self, enrollment_id: int) -> e.Enrollment | None:
        return self._enrollment_by_id.get(enrollment_id)

    # ------------------------------------------------------------------ BlendX and search
    @property
    def blendx_courses(self) -> LazySeq[e.BlendXCourse]:
        """All BlendX courses, in run order."""
        return LazySeq([r.key for r in self._run_cores], self._bx_entity_by_key)

    def blendx_course(self, run_key: str) -> e.BlendXCourse | None:
        return self._bx_entity_by_key(run_key) if run_key in self._run_idx else None

    def _build_blendx(self, key: str, structure: bool = True) -> e.BlendXCourse:
        i = self._run_idx[key]
        bx, run = self._bx_cores[i], self._run_cores[i]
        return self.gen.blendx_entity(bx, self._course_core(run.course), self._orgs.get(bx.org or run.org), structure)

    def _build_blendx_listing(self, key: str) -> e.BlendXCourse:
        return self._build_blendx(key, structure=False)

    def blendx_query(self, search: str | None = None, orgs: Sequence[str] = (), tags: Sequence[str] = (),
                     order_by: tuple[str, str] = ("created_at", "desc"),
                     listing: bool = False) -> LazySeq[e.BlendXCourse]:
        """BlendX list: `orgs` (keys or names) and `tags` match any, `search` is a case-insensitive
        substring of display_name/short_description/overview. `order_by` = (field, "asc"|"desc"),
        field one of `index.BLENDX_ORDER_FIELDS` (unknown fields fall back to created_at); ties are
        broken by run key. `listing`: the courses without their `course_structure` (a list's fields)."""
        ids = self._bx_index.query(search, orgs, tags, order_by)
        cores, entity = self._bx_cores, self._bx_listing_by_key if listing else self._bx_entity_by_key
        return LazySeq(ids, lambda i: entity(cores[i].run.key))

    @property
    def search_docs(self) -> LazySeq[e.SearchDocument]:
        return LazySeq([r.key for r in self._run_cores], self._sd_entity_by_key)

    def search_document(self, run_key: str) -> e.SearchDocument | None:
        return self._sd_entity_by_key(run_key) if run_key in self._run_idx else None

    def search_documents(self, search_string: str | None = None, filters: dict[str, Any] | None = None,
                         now: datetime | None = None, sort_by_start: bool = False) -> LazySeq[e.SearchDocument]:
        """edx-search course discovery: documents whose enrollment window contains `now` (default:
        the clock; `enrollment_start` must exist and be <= now, `enrollment_end` >= now or absent),
        matching every word of `search_string` and every exact-match `filters` term (`org`,
        `modes`, `language` ...). Index order, or start descending with `sort_by_start`."""
        ids = self._search_index.query(search_string, filters or {}, now or self.clock, sort_by_start)
        runs = self._run_cores
        return LazySeq(ids, lambda i: self._sd_entity_by_key(runs[i].key))

    # ------------------------------------------------------------------ determinism
    def fingerprint(self) -> str:
        """blake2b over the repr of every entity and every query result; equal worlds, equal prints."""
        h = hashlib.blake2b(digest_size=16)

        def feed(x):
            h.update(repr(x).encode())

        for seq in (self.organizations, self.subjects, self.people, self.languages, self.courses, self.runs,
                    self.programs, self.catalogs, self.enterprise_customers, self.enterprise_catalogs,
                    self.blendx_courses, self.search_docs):
            for item in seq:
                feed(item)
        for c in self.catalogs:
            feed(self.catalog_courses(c).ids)
            feed(self.catalog_active_courses(c).ids)
        for c in self.enterprise_customers:
            feed(self.enrollments(c.uuid))
        feed(list(self.blendx_query().ids))
        feed(list(self.search_documents().ids))
        return h.hexdigest()
