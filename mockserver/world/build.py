"""Building a world: generation, then the landmarks and the scenario overlay, then the indexes.

`build_world` accumulates everything the world is made of in a `Parts` (reference data, the cores of
`generate.py`, the overlay's patches, programs, catalogs, enterprise data, indexes) and hands it to
`World(parts)` at the end (`parts.py`); `World` (world.py) only answers queries. The checks that an overlay's
records name entities that exist are in `references.py`.
"""

from __future__ import annotations

import dataclasses
import gc
from datetime import date, datetime, timezone

from mockserver.world import entities as e
from mockserver.world import landmarks as lm
from mockserver.world.generate import (
    BlendXCore, CourseCore, Generator, RunCore, avg, enrollment, finalize_run, learner, rng, short_lang,
)
from mockserver.world.index import (
    BlendXIndex, CatalogQuery, CourseIndex, QuerySyntaxError, SearchIndex, key_query,
)
from mockserver.world.keys import course_of_run, is_course_key, is_run_key, is_uuid, split_course_key
from mockserver.world.overlay import Overlay, WorldError, check_fields, coerce, coerce_patch
from mockserver.world.pools import SUBJECTS, get_pools
from mockserver.world.parts import BlendXCores, Parts
from mockserver.world.references import content_ref, require
from mockserver.world.world import World

UTC = timezone.utc
SIZES = {"small": 30, "default": 300, "large": 10_000}

_COURSE_DERIVED = frozenset({"key", "course_runs", "programs", "active"})
_RUN_DERIVED = frozenset({"key", "course", "course_uuid", "programs", "availability", "is_enrollable",
                          "has_enrollable_seats", "active", "modes", "is_marketable"})
_RUN_CORE = ("title", "short_description", "start", "end", "enrollment_start", "enrollment_end",
             "announcement", "status", "hidden", "invitation_only", "catalog_visibility", "pacing_type",
             "seats", "content_language", "min_effort", "max_effort", "weeks_to_complete", "type", "uuid")
_COURSE_CORE = ("title", "short_description", "level_type", "subjects", "owners", "modified", "uuid")
_BX_CORE = ("tags", "created_at", "price", "avg_rating", "display_name", "short_description", "org", "id")


def start_of_day(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def build_world(seed: int = 1, clock: datetime | None = None, size: str | int = "default",
                overlay: Overlay | None = None, landmarks: bool = True) -> World:
    """Build the world for `(seed, clock, size)`, apply the landmarks and `overlay`, build indexes.

    `clock` defaults to the start of the current UTC day (a naive clock is taken as UTC); `size`
    is "small" (30 generated courses), "default" (300), "large" (10,000) or a number of generated
    courses; the landmarks (8 courses) come on top unless `landmarks=False`. Size 0 generates nothing (no
    courses, landmarks, programs, catalogs, customers or learners): the world holds only the overlay's
    records, on the seed's reference data (organizations, subjects, people, languages). Recorded scenarios
    use it so that lists answer exactly what was recorded.
    Raises `WorldError` when the overlay names an unknown field or a record that does not exist.
    """
    # Building allocates millions of long-lived objects; the cyclic GC would rescan them again
    # and again (half the build time at 10k courses) and there are no cycles to find. A large
    # world is then frozen out of the GC's generations, otherwise the first full collection on the
    # request path stalls for most of a second at 100k courses (gc.freeze is process-wide, so
    # small worlds, built often by tests, are left alone).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        world = _build(seed, clock, size, overlay, landmarks)
    finally:
        if was_enabled:
            gc.enable()
    if world.n_courses >= SIZES["large"]:
        gc.freeze()
    return world


def _build(seed: int, clock: datetime | None, size: str | int, overlay: Overlay | None,
           landmarks: bool) -> World:
    if isinstance(size, str):
        if size not in SIZES:
            raise ValueError(f"unknown world size {size!r}; use one of {sorted(SIZES)} or an int")
        n = SIZES[size]
    else:
        n = int(size)
        if n < 0:
            raise ValueError("a world size is a number of courses, 0 or more")
    clock = start_of_day() if clock is None else (clock.replace(tzinfo=UTC) if clock.tzinfo is None
                                                 else clock.astimezone(UTC))
    small = n < SIZES["default"]
    gen = Generator(seed, clock, get_pools(), n_people=min(2000, max(40, n // 5)))
    w = Parts(seed, clock, n, gen)
    ov = (lm.landmark_overlay(clock) if landmarks and n else Overlay()).merged(overlay)

    _apply_orgs_people(w, gen, ov)
    course_cores: list[CourseCore] = []
    run_cores: list[RunCore] = []
    for i in range(n):
        core, runs = gen.course_core(i)
        course_cores.append(core)
        run_cores.extend(runs)
    w.course_cores, w.run_cores = course_cores, run_cores
    w.course_idx = {c.key: i for i, c in enumerate(course_cores)}
    w.run_idx = {r.key: i for i, r in enumerate(run_cores)}
    _apply_courses_runs(w, gen, ov)
    _build_programs(w, gen, ov)
    _build_catalogs(w, gen, ov, small)
    _build_enterprise(w, gen, ov, small)
    _build_blendx_search(w, gen, ov)
    gen.built()
    return World(w)


# A record kind's key rule: (the test its key must pass, what a refusal says).
UUID_KEY = (is_uuid, "not a lowercase hyphenated uuid")
COURSE_KEY = (is_course_key, "not a course key (Org+Number)")
RUN_KEY = (is_run_key, "not a course run key (course-v1:Org+Number+Run)")
CATALOG_ID = (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "catalog ids are positive integers")
ENROLLMENT_ID = (lambda v: isinstance(v, int) and not isinstance(v, bool), "enrollment ids are integers")


def _checked(kind: str, name, patch: dict, cls, *, key: tuple | None = None, **fields) -> str:
    """`kind[name]`, the record's name in problems, once its key passes `key`'s rule and its fields `cls`'s."""
    rec = f"{kind}[{name}]"
    if key is not None and not key[0](name):
        raise WorldError(rec, None, key[1])
    check_fields(cls, rec, patch, **fields)
    return rec


def _apply_orgs_people(w: Parts, gen: Generator, ov: Overlay) -> None:
    for key, patch in ov.organizations.items():
        rec = _checked("organizations", key, patch, e.Organization, derived=frozenset({"key"}))
        base = gen.organizations.get(key) or gen.organization(
            key, key, name=patch.get("name"), homepage=patch.get("homepage_url"),
            language=patch.get("language", "en-us"))
        gen.organizations[key] = dataclasses.replace(base, **coerce_patch(e.Organization, patch, rec, base))
    w.orgs = gen.organizations
    subjects = {s.uuid: s for s in gen.subjects}
    for uuid, patch in ov.subjects.items():
        rec = _checked("subjects", uuid, patch, e.Subject, derived=frozenset({"uuid"}), key=UUID_KEY)
        base = subjects.get(uuid)
        if base is None:
            if not isinstance(patch.get("name"), str) or not patch["name"]:
                raise WorldError(rec, "name", "a new subject needs its name")
            base = dataclasses.replace(gen._subject(len(subjects), patch["name"]), uuid=uuid)
        subjects[uuid] = dataclasses.replace(base, **coerce_patch(e.Subject, patch, rec, base))
    w.subjects = subjects
    w.languages = {lt.code: lt for lt in gen.languages}
    w.languages_short = {}
    for lt in gen.languages:
        w.languages_short.setdefault(lt.short, lt)
    for uuid, patch in ov.people.items():
        rec = _checked("people", uuid, patch, e.Person, derived=frozenset({"uuid"}))
        existing = next((p for p in gen.people if p.uuid == uuid), None)
        base = existing or gen.person(uuid, uuid=uuid)
        person = dataclasses.replace(base, **coerce_patch(e.Person, patch, rec, base))
        if existing:
            gen.people[gen.people.index(existing)] = person
        else:
            gen.people.append(person)
    w.people = {p.uuid: p for p in gen.people}


def _set_core(core, names, patch: dict, cls, rec: str) -> None:
    """Copy the fields of `patch` that the core keeps (for the indexes) onto the core, and a patched
    `full_description` as the core's description override."""
    hints_patch = {k: v for k, v in patch.items() if k in names}
    for k, v in coerce_patch(cls, hints_patch, rec).items():
        setattr(core, k, v)
    if "full_description" in patch:
        core.desc_override = coerce(str, patch["full_description"], rec, "full_description")


def _apply_courses_runs(w: Parts, gen: Generator, ov: Overlay) -> None:
    cores, runs = w.course_cores, w.run_cores
    for key, patch in ov.courses.items():
        rec = _checked("courses", key, patch, e.Course, derived=_COURSE_DERIVED, key=COURSE_KEY)
        require(w.subjects, patch.get("subjects"), rec, "subjects", "no subject with uuid {!r}")
        for field_name in ("owners", "sponsors"):
            require(w.orgs, patch.get(field_name), rec, field_name, "no organization {!r}")
        if key not in w.course_idx:
            require(w.orgs, (split_course_key(key)[0],), rec, None, "organization {!r} does not exist")
            core, new_runs = gen.course_core(key, key=key)
            if any(r.key in ov.runs for r in new_runs) or any(is_run_key(k) and course_of_run(k) == key
                                                              for k in ov.runs):
                new_runs = []  # the overlay gives this course its runs
                core.course_runs = []
            w.course_idx[key] = len(cores)
            cores.append(core)
            for r in new_runs:
                w.run_idx[r.key] = len(runs)
                runs.append(r)
        core = cores[w.course_idx[key]]
        _set_core(core, _COURSE_CORE, patch, e.Course, rec)
        w.patches["courses"][key] = patch
        # runs repeat their course's texts unless the overlay gives the run its own
        for rk in core.course_runs:
            rc = runs[w.run_idx[rk]]
            own = ov.runs.get(rk, {})
            for name in ("title", "short_description"):
                if name in patch and name not in own:
                    setattr(rc, name, getattr(core, name))
            if "full_description" in patch and "full_description" not in own:
                rc.desc_override = core.desc_override
    for key, patch in ov.runs.items():
        rec = _checked("runs", key, patch, e.CourseRun, derived=_RUN_DERIVED, key=RUN_KEY)
        require(w.people, patch.get("staff"), rec, "staff", "no person with uuid {!r}")
        parent = course_of_run(key)
        require(w.course_idx, (parent,), rec, None, "course {!r} does not exist (add it under courses)")
        course = cores[w.course_idx[parent]]
        if key not in w.run_idx:
            rc = gen.run_core(course, key, 30, "term", set(), key=key)
            w.run_idx[key] = len(runs)
            runs.append(rc)
            course.course_runs.append(key)
        rc = runs[w.run_idx[key]]
        rc.freeze_seats()  # their deadlines follow the generated end, not a patched one
        _set_core(rc, _RUN_CORE, patch, e.CourseRun, rec)
        finalize_run(rc, w.clock)
        w.patches["runs"][key] = patch
    far = datetime.max.replace(tzinfo=UTC)
    for core in cores:
        ordered = sorted((runs[w.run_idx[k]] for k in core.course_runs), key=lambda r: (r.start or far, r.key))
        core.course_runs = tuple(r.key for r in ordered)
        core.active = any(r.active for r in ordered)


def _build_programs(w: Parts, gen: Generator, ov: Overlay) -> None:
    cores = w.course_cores
    by_org: dict[str, list[int]] = {}
    for i, c in enumerate(cores[: w.n_courses]):
        by_org.setdefault(c.org, []).append(i)
    programs: dict[str, e.Program] = {}
    for p in range(max(4, w.n_courses // 8) if w.n_courses else 0):
        r = rng(w.seed, "program-pick", p)
        first = r.randrange(w.n_courses)
        same_org = by_org[cores[first].org]
        picks = [first] + [same_org[r.randrange(len(same_org))] for _ in range(r.randint(1, 4))]
        members = [cores[i] for i in dict.fromkeys(picks)]
        prog = gen.program(p, members)
        programs[prog.uuid] = prog
    for uuid, patch in ov.programs.items():
        rec = _checked("programs", uuid, patch, e.Program, derived=frozenset({"uuid"}), key=UUID_KEY)
        require(w.course_idx, patch.get("courses"), rec, "courses", "course {!r} does not exist")
        require(w.orgs, patch.get("authoring_organizations"), rec, "authoring_organizations",
                "no organization {!r}")
        base = programs.get(uuid) or gen.program(
            uuid, [cores[w.course_idx[k]] for k in patch.get("courses") or ()], uuid=uuid)
        programs[uuid] = dataclasses.replace(base, **coerce_patch(e.Program, patch, rec, base))
    members: dict[int, list[str]] = {}
    for prog in programs.values():
        for k in prog.courses:
            members.setdefault(w.course_idx[k], []).append(prog.uuid)
    for i, core in enumerate(cores):  # tuples (most courses share the empty one)
        core.programs = tuple(members.get(i, ()))
    w.programs = programs


def _build_catalogs(w: Parts, gen: Generator, ov: Overlay, small: bool) -> None:
    r = rng(w.seed, "catalogs", 0)
    orgs = list(gen.generated_orgs)
    catalogs: dict[int, e.Catalog] = {1: gen.catalog(1, "*:*", "All Courses")} if w.n_courses else {}
    specs: list[tuple[str, str]] = []
    for org in r.sample(orgs, k=6):
        specs.append((f"org:{org}", f"{gen.organizations[org].name} Courses"))
    for subj in r.sample(SUBJECTS[:], k=6):
        specs.append((f'subjects:"{subj}"', subj))
    for _ in range(4):
        a, b = r.sample(orgs, k=2)
        specs.append((f"org:{a} OR org:{b}", f"{a} and {b}"))
    specs.append(("level_type:Introductory", "Introductory Courses"))
    specs.append(("level_type:Advanced AND subjects:computer-science", "Advanced Computer Science"))
    specs.append(("language:es OR language:fr", "Cursos en español y en francés"))
    specs.append(("language:ar", "Arabic Courses"))
    specs.append(("subjects:data-analysis-statistics OR subjects:computer-science", "Data & Computing"))
    specs.append(("NOT org:MITx", "Everything but MITx"))
    specs.append(("org:StanfordOnline", "Retired partner (empty)"))
    specs.append(("*:*", "Partner Full Catalog"))
    if small:
        specs = specs[:7] if w.n_courses else []
    for cid, (query, name) in enumerate(specs, start=2):
        catalogs[cid] = gen.catalog(cid, query, name)
    for cid, patch in ov.catalogs.items():
        rec = _checked("catalogs", cid, patch, e.Catalog, key=CATALOG_ID, extra=frozenset({"courses"}),
                       derived=frozenset({"id"}))
        patch = dict(patch)
        if "courses" in patch:
            keys = patch.pop("courses")
            if not isinstance(keys, (list, tuple)):
                raise WorldError(rec, "courses", "expected a list of course keys")
            require(w.course_idx, keys, rec, "courses", "course {!r} does not exist")
            patch["query"] = key_query(list(keys))
        if "query" in patch:
            try:
                CatalogQuery(coerce(str, patch["query"], rec, "query"))
            except QuerySyntaxError as exc:
                raise WorldError(rec, "query", str(exc)) from None
        base = catalogs.get(cid) or gen.catalog(cid, "NOT *:*", f"Catalog {cid}")
        catalogs[cid] = dataclasses.replace(base, **coerce_patch(e.Catalog, patch, rec, base))
    w.catalogs = dict(sorted(catalogs.items()))
    names = {s.uuid: (s.name, s.slug) for s in w.subjects.values()}
    w.course_index = CourseIndex(w.course_cores, names)


def _fill_content(w: Parts, r, fixed: list[e.ContentRef], n_active: int, n_inactive: int) -> tuple:
    """`fixed` followed by active courses, runs and programs (each kind present) and a few
    inactive courses, shuffled, so that the served (active) list mixes all three kinds."""
    cores, runs = w.course_cores, w.run_cores
    pools = {"course": [c.key for c in cores if c.active], "courserun": [x.key for x in runs if x.active],
             "program": [p.uuid for p in w.programs.values() if p.active]}
    inactive = [c.key for c in cores if not c.active]
    seen = {ref.key for ref in fixed}
    n_active -= sum(1 for ref in fixed if w.content_active(ref))
    n_programs = max(1, n_active // 6)
    n_runs = max(1, n_active // 4)
    quota = {"program": n_programs, "courserun": n_runs, "course": max(1, n_active - n_programs - n_runs)}
    picked: list[e.ContentRef] = []
    for kind, count in quota.items():
        pool = pools[kind]
        for _ in range(min(count, len(pool)) * 4):
            if count <= 0:
                break
            key = pool[r.randrange(len(pool))]
            if key not in seen:
                seen.add(key)
                picked.append(e.ContentRef(kind, key))
                count -= 1
    for _ in range(n_inactive):
        if inactive:
            key = inactive[r.randrange(len(inactive))]
            if key not in seen:
                seen.add(key)
                picked.append(e.ContentRef("course", key))
    r.shuffle(picked)
    return tuple(fixed) + tuple(picked)


def _build_enterprise(w: Parts, gen: Generator, ov: Overlay, small: bool) -> None:
    customers: dict[str, e.EnterpriseCustomer] = {}
    ent: dict[str, e.EnterpriseCatalog] = {}
    landmark = lm.ENTERPRISE_CUSTOMER_UUID in ov.enterprise_customers and w.n_courses > 0
    if landmark:
        customers[lm.ENTERPRISE_CUSTOMER_UUID] = gen.enterprise_customer("landmark", uuid=lm.ENTERPRISE_CUSTOMER_UUID)
    taken = {lm.ENTERPRISE_CUSTOMER_SLUG}
    for k in range((2 if small else 5) if w.n_courses else 0):
        c = gen.enterprise_customer(k, taken=taken)
        taken.add(c.slug)
        customers[c.uuid] = c
    for uuid, patch in ov.enterprise_customers.items():
        rec = _checked("enterprise_customers", uuid, patch, e.EnterpriseCustomer, key=UUID_KEY,
                       derived=frozenset({"uuid"}))
        base = customers.get(uuid) or gen.enterprise_customer(uuid, uuid=uuid)
        customers[uuid] = dataclasses.replace(base, **coerce_patch(e.EnterpriseCustomer, patch, rec, base))
    for cust in customers.values():
        if landmark and cust.uuid == lm.ENTERPRISE_CUSTOMER_UUID:
            for n, (uuid, title, fixed) in enumerate(lm.ENTERPRISE_CATALOGS):
                cat = gen.enterprise_catalog(f"landmark-{n}", cust.uuid, title=title, uuid=uuid)
                refs = [content_ref(f, f"enterprise_catalogs[{uuid}]", w) for f in fixed]
                r = rng(w.seed, "ent-content", uuid)
                want = lm.ALL_CONTENT_ACTIVE_COUNT if uuid == lm.ENTERPRISE_CATALOG_ALL_CONTENT else r.randint(12, 18)
                ent[uuid] = dataclasses.replace(cat, content=_fill_content(w, r, refs, want, r.randint(1, 3)))
            continue
        for n in range(2 if w.n_courses else 0):
            cat = gen.enterprise_catalog(f"{cust.uuid}:{n}", cust.uuid)
            r = rng(w.seed, "ent-content", cat.uuid)
            ent[cat.uuid] = dataclasses.replace(cat, content=_fill_content(w, r, [], r.randint(12, 20), r.randint(1, 3)))
    for uuid, patch in ov.enterprise_catalogs.items():
        rec = _checked("enterprise_catalogs", uuid, patch, e.EnterpriseCatalog, key=UUID_KEY,
                       derived=frozenset({"uuid"}))
        patch = dict(patch)
        content = None
        if "content" in patch:
            items = patch.pop("content")
            if not isinstance(items, (list, tuple)):
                raise WorldError(rec, "content", "expected a list of content items")
            content = tuple(content_ref(x, rec, w) for x in items)
        cust = patch.get("enterprise_customer")
        if cust is not None:
            require(customers, (cust,), rec, "enterprise_customer", "enterprise customer {!r} does not exist")
        base = ent.get(uuid)
        if base is None:
            if cust is None:
                raise WorldError(rec, "enterprise_customer", "a new enterprise catalog needs its customer uuid")
            base = gen.enterprise_catalog(uuid, cust, uuid=uuid)
        cat = dataclasses.replace(base, **coerce_patch(e.EnterpriseCatalog, patch, rec, base))
        ent[uuid] = dataclasses.replace(cat, content=content) if content is not None else cat
    # customers in order, each followed by its catalogs
    w.customers = customers
    w.ent_catalogs = {c.uuid: c for cust in customers for c in ent.values() if c.enterprise_customer == cust}
    _build_enrollments(w, gen, ov)


def _customer_runs(w: Parts, customer: str) -> list[RunCore]:
    keys: dict[str, None] = {}
    for cat in w.ent_catalogs.values():
        if cat.enterprise_customer != customer:
            continue
        for ref in cat.content:
            if ref.content_type == "courserun":
                keys[ref.key] = None
            elif ref.content_type == "course":
                keys.update(dict.fromkeys(w.course_cores[w.course_idx[ref.key]].course_runs))
            else:
                for ck in w.programs[ref.key].courses:
                    keys.update(dict.fromkeys(w.course_cores[w.course_idx[ck]].course_runs))
    return [w.run_cores[w.run_idx[k]] for k in keys]


def _build_enrollments(w: Parts, gen: Generator, ov: Overlay) -> None:
    rows: dict[int, e.Enrollment] = {}
    learners_of: dict[str, list] = {}
    next_id, next_user = 100_001, 5_001
    clock = w.clock
    for cust in w.customers.values():
        runs = _customer_runs(w, cust.uuid) if w.n_courses else ()
        if not runs:
            continue
        r = rng(w.seed, "enrollments", cust.uuid)
        people = []
        for _ in range(r.randint(6, 10)):
            people.append(learner(gen, cust, next_user))
            next_user += 1
        learners_of[cust.uuid] = people
        ended = [x for x in runs if x.end is not None and x.end < clock]
        started = [x for x in runs if x.start is not None and x.start <= clock] or runs
        paid = [x for x in started if any(float(s.price) > 0 for s in x.seats)] or started
        forced = ["Passed", "Failed", "In Progress", "unenrolled", "no-consent"]
        n_rows = r.randint(14, 26)
        for k in range(n_rows):
            force = forced[k] if k < len(forced) else None
            pool = (ended if force in ("Passed", "Failed") and ended else paid if force == "unenrolled"
                    else started if force else runs)
            run = pool[r.randrange(len(pool))]
            course = w.course_cores[w.course_idx[run.course]]
            program = w.programs[course.programs[0]] if course.programs else None
            subject = w.subjects[course.subjects[0]].name if course.subjects else None
            rows[next_id] = enrollment(gen, next_id, cust, people[k % len(people)] if k < len(people)
                                       else people[r.randrange(len(people))], run, course, program, subject, force)
            next_id += 1
    for eid, patch in ov.enrollments.items():
        rec = _checked("enrollments", eid, patch, e.Enrollment, derived=frozenset({"enrollment_id"}), key=ENROLLMENT_ID)
        base = rows.get(eid)
        cust_uuid = patch.get("enterprise_customer_uuid") or (base.enterprise_customer_uuid if base else None)
        if cust_uuid is None:
            raise WorldError(rec, "enterprise_customer_uuid", "a new enrollment needs its customer uuid")
        require(w.customers, (cust_uuid,), rec, "enterprise_customer_uuid", "enterprise customer {!r} does not exist")
        cust = w.customers[cust_uuid]
        run_key = patch.get("courserun_key")
        if run_key is not None:
            require(w.run_idx, (run_key,), rec, "courserun_key", "course run {!r} does not exist")
        if base is None or run_key is not None or cust_uuid != base.enterprise_customer_uuid:
            runs = _customer_runs(w, cust.uuid) or w.run_cores
            run = w.run_cores[w.run_idx[run_key]] if run_key else runs[rng(w.seed, "enr-pick", eid).randrange(len(runs))]
            course = w.course_cores[w.course_idx[run.course]]
            people = learners_of.get(cust.uuid) or [learner(gen, cust, next_user)]
            who = people[eid % len(people)]
            if base is not None:
                who = next((p for p in people if p.enterprise_user_id == base.enterprise_user_id), who)
            program = w.programs[course.programs[0]] if course.programs else None
            subject = w.subjects[course.subjects[0]].name if course.subjects else None
            base = enrollment(gen, eid, cust, who, run, course, program, subject)
        values = coerce_patch(e.Enrollment, patch, rec, base)
        status = values.get("progress_status", base.progress_status)
        if "progress_status" in values:
            values.setdefault("has_passed", status == "Passed")
            if status != "Passed":
                values.setdefault("passed_date", None)
                values.setdefault("letter_grade", None)
            elif base.passed_date is None:
                values.setdefault("passed_date", clock.date())
                values.setdefault("letter_grade", "Pass")
        rows[eid] = dataclasses.replace(base, **values)
    by_customer: dict[str, list[e.Enrollment]] = {}
    for row in rows.values():
        by_customer.setdefault(row.enterprise_customer_uuid, []).append(row)
    w.enrollments = {
        cust: tuple(sorted(items, key=lambda x: (x.last_activity_date is None,
                                                 -(x.last_activity_date or date.min).toordinal(),
                                                 x.enrollment_id)))
        for cust, items in by_customer.items()
    }
    w.enrollment_by_id = rows


def _build_blendx_search(w: Parts, gen: Generator, ov: Overlay) -> None:
    runs = w.run_cores
    patched: dict[int, BlendXCore] = {}
    for key, patch in ov.blendx_courses.items():
        rec = _checked("blendx_courses", key, patch, e.BlendXCourse, derived=frozenset({"openedx_course_id"}))
        require(w.run_idx, (key,), rec, None, "course run {!r} does not exist (BlendX courses are one per run)")
        patch = dict(patch)
        i = w.run_idx[key]
        core = patched.get(i) or patched.setdefault(i, gen.blendx_core(runs[i]))
        if "reviews" in patch:
            reviews = coerce_patch(e.BlendXCourse, {"reviews": patch["reviews"]}, rec)["reviews"]
            core.ratings = tuple(x.rating for x in reviews)
            patch.setdefault("avg_rating", avg(core.ratings))
        if "org" in patch:
            require(w.orgs, (patch["org"],), rec, "org", "no organization {!r}")
        _set_core(core, _BX_CORE, patch, e.BlendXCourse, rec)
        if "overview" in patch:
            core.desc_override = coerce(str, patch["overview"], rec, "overview")
        w.patches["blendx_courses"][key] = patch
    w.bx_cores = bx_cores = BlendXCores(gen, runs, patched)
    pools = gen.pools

    def tail(core: BlendXCore) -> tuple[str, ...]:
        if core.desc_override is not None:
            return (core.desc_override.lower(),)
        run = core.run
        if run.desc_override is not None:
            return (run.desc_override.lower(),)
        lower = pools.by_lang[run.lang].paragraphs_lower
        return tuple(lower[k] for k in run.par[:2])

    aliases = {}
    for o in w.orgs.values():
        aliases[o.key.lower()] = o.key
        aliases.setdefault(o.name.lower(), o.key)
    w.bx_index = BlendXIndex(bx_cores, tail, aliases)

    sd_patched: dict[int, e.SearchDocument] = {}
    for key, patch in ov.search_documents.items():
        rec = _checked("search_documents", key, patch, e.SearchDocument, derived=frozenset({"id", "course"}))
        require(w.run_idx, (key,), rec, None, "course run {!r} does not exist (search documents are one per run)")
        w.patches["search_documents"][key] = patch
        sd_patched[w.run_idx[key]] = w.sd_entity_by_key(key)

    run_fields = {
        "org": lambda run: run.org, "modes": lambda run: run.modes,
        "language": lambda run: short_lang(run.content_language), "number": lambda run: run.number,
        "invitation_only": lambda run: run.invitation_only,
        "catalog_visibility": lambda run: run.catalog_visibility, "start": lambda run: run.start,
        "end": lambda run: run.end, "id": lambda run: run.key, "course": lambda run: run.key,
    }

    def value(i: int, name: str):
        doc = sd_patched.get(i)
        if doc is None:
            getter = run_fields.get(name)
            if getter is not None:
                return getter(runs[i])
            doc = w.sd_entity_by_key(runs[i].key)
        return getattr(doc, name, None)

    def fragments(i: int) -> tuple[str, ...]:
        doc = sd_patched.get(i)
        if doc is not None:
            c = doc.content
            return (c.display_name, c.short_description, c.overview, c.number, doc.org)
        run = runs[i]
        if run.desc_override is not None:
            body: tuple[str, ...] = (run.desc_override,)
        else:
            paragraphs = pools.by_lang[run.lang].paragraphs
            body = tuple(paragraphs[k] for k in run.par[:2])
        return (run.title, run.short_description, "About This Course", *body, run.number, run.org)

    def start(i: int):
        doc = sd_patched.get(i)
        return doc.start if doc is not None else runs[i].start

    def content(i: int) -> tuple[str, ...]:
        doc = sd_patched.get(i)
        run = runs[i]
        if doc is None and run.desc_override is not None:
            doc = w.sd_entity_by_key(run.key)  # its overview strips the override's HTML
        if doc is not None:
            c = doc.content
            return (c.display_name or "", c.overview or "", c.number or "", c.short_description or "")
        paragraphs = pools.by_lang[run.lang].paragraphs
        overview = " About This Course " + " ".join(paragraphs[k] for k in run.par[:2]) + " "
        return (run.title, overview, run.number, run.short_description or "")

    es = [r.enrollment_start for r in runs]
    ee = [r.enrollment_end for r in runs]
    for i, doc in sd_patched.items():
        es[i], ee[i] = doc.enrollment_start, doc.enrollment_end
    w.search_index = SearchIndex(es, ee, value, fragments, start, content)
