"""Conversion of recorded answers into scenario records, by natural key.

Each operation's answer is read by one reader (`READERS`, data keyed by operationId) that hands entity
fields to a `Records` collector: organizations, people, subjects, courses, runs, programs, discovery
catalogs with their exact contents, enterprise customers and catalogs with their contents, learners'
enrollments, BlendX courses with structure and reviews, and search documents. Field names are the
entities' (`mockserver/world/entities.py`), so a reader is mostly a list of names to copy; the few
values the APIs render differently from the entity (organization objects for org keys, caller-specific
utm parameters on marketing URLs, image objects) are undone here.

The same record is often seen several times (a course in a catalog page and on its detail route): details
win over list items, and a list item only fills fields no detail gave. What the records cannot say is not
guessed here: `verify.py` replays every request against the recording and reports each field that differs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mockserver.record.exchange import Exchange, path_params
from mockserver.record.summary import Summary
from mockserver.world.keys import is_run_key

__all__ = ["Records", "convert"]

# How much a source is trusted when two say different things of one field: a detail route, a list item, or a
# hint (the same run as seen by another API, an owner inferred from a key).
DETAIL, ITEM, HINT = 2, 1, 0
# Query parameters the APIs add per caller (course-discovery affiliate, edx-enterprise utm): not data.
CALLER_PARAMS = frozenset({"utm_source", "utm_medium"})
ORDER = ("organizations", "people", "subjects", "courses", "runs", "programs", "catalogs", "enterprise_customers",
         "enterprise_catalogs", "enrollments", "blendx_courses", "search_documents")


def bare_url(url: Any) -> Any:
    """`url` without the caller's utm parameters (the mock adds the current caller's back)."""
    if not isinstance(url, str) or "?" not in url:
        return url
    scheme, netloc, path, query, fragment = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in CALLER_PARAMS]
    return urlunsplit((scheme, netloc, path, urlencode(kept), fragment))


def utm_source(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    return dict(parse_qsl(urlsplit(url).query)).get("utm_source")


def pick(body: dict, names: tuple[str, ...]) -> dict:
    return {name: body[name] for name in names if name in body}


class Records:
    """Records by kind and natural key, each field remembered with the priority of its source."""

    def __init__(self) -> None:
        self._fields: dict[str, dict[Any, dict[str, tuple[int, Any]]]] = defaultdict(dict)

    def put(self, kind: str, key: Any, fields: dict, priority: int = DETAIL) -> None:
        if key is None or key == "":
            return
        record = self._fields[kind].setdefault(key, {})
        for name, value in fields.items():
            held = record.get(name)
            if held is None or priority > held[0]:
                record[name] = (priority, value)

    def get(self, kind: str, key: Any) -> dict | None:
        record = self._fields.get(kind, {}).get(key)
        return None if record is None else {name: value for name, (_, value) in record.items()}

    def keys(self, kind: str) -> list:
        return list(self._fields.get(kind, {}))

    def as_records(self, sequences: dict[str, list[list]]) -> dict:
        """`records` for the scenario: kinds in a fixed order, fields sorted, keys in the target's order.

        Key order is data for the world (a catalog lists its courses, edx-search its documents, in the
        order the records come), so keys follow the orders the target showed (`sequences`, merged), then
        first-seen order. The same target crawled the same way gives the same file."""
        out = {}
        for kind in ORDER:
            items = self._fields.get(kind)
            if items:
                keys = merge_orders(sequences.get(kind, []), list(items))
                out[kind] = {str(key): {name: value for name, (_, value) in sorted(items[key].items())}
                             for key in keys}
        return out


def merge_orders(sequences: list[list], fallback: list) -> list:
    """One order consistent with every observed sequence (a stable topological sort), then the rest."""
    rank = {key: n for n, key in enumerate(fallback)}
    known = set(rank)
    after: dict = defaultdict(set)
    before_count: dict = defaultdict(int)
    for seq in sequences:
        seq = [k for k in dict.fromkeys(seq) if k in known]
        for a, b in zip(seq, seq[1:]):
            if b not in after[a]:
                after[a].add(b)
                before_count[b] += 1
    import heapq

    ready = [(rank[k], k) for k in fallback if before_count[k] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, key = heapq.heappop(ready)
        out.append(key)
        for nxt in after[key]:
            before_count[nxt] -= 1
            if before_count[nxt] == 0:
                heapq.heappush(ready, (rank[nxt], nxt))
    if len(out) < len(fallback):  # contradictory orders (a cycle): keep first-seen order for the rest
        placed = set(out)
        out += [k for k in fallback if k not in placed]
    return out


# ------------------------------------------------------------------------------------------------ discovery shapes

_ORG_FIELDS = ("uuid", "name", "description", "description_es", "homepage_url", "logo_image_url",
               "certificate_logo_image_url", "banner_image_url", "marketing_url", "slug", "tags",
               "organization_hex_color", "auto_generate_course_run_keys")
_SUBJECT_FIELDS = ("uuid", "name", "slug", "subtitle", "description", "card_image_url", "banner_image_url")
_PERSON_FIELDS = ("salutation", "given_name", "family_name", "bio", "slug", "profile_image_url", "major_works",
                  "published")
_COURSE_FIELDS = ("uuid", "title", "short_description", "full_description", "level_type",
                  "expected_learning_items", "image", "video", "modified", "url_slug", "outcome", "syllabus_raw",
                  "prerequisites_raw", "course_type", "card_image_url", "enrollment_count",
                  "recent_enrollment_count")
_RUN_FIELDS = ("uuid", "title", "short_description", "full_description", "start", "end", "enrollment_start",
               "enrollment_end", "announcement", "go_live_date", "image", "video", "content_language",
               "transcript_languages", "pacing_type", "min_effort", "max_effort", "weeks_to_complete", "modified",
               "status", "type", "mobile_available", "hidden", "reporting_type", "level_type", "outcome",
               "eligible_for_financial_aid", "enrollment_count", "recent_enrollment_count")
_SEAT_FIELDS = ("type", "price", "currency", "upgrade_deadline", "credit_provider", "credit_hours", "sku", "bulk_sku")
_ENTITLEMENT_FIELDS = ("mode", "price", "currency", "sku")
_PROGRAM_FIELDS = ("title", "subtitle", "type", "status", "marketing_slug", "card_image_url", "hidden",
                   "is_program_eligible_for_one_click_purchase", "overview", "weeks_to_complete",
                   "weeks_to_complete_min", "weeks_to_complete_max", "min_hours_effort_per_week",
                   "max_hours_effort_per_week", "total_hours_of_effort", "expected_learning_items", "languages",
                   "transcript_languages", "marketing_hook", "enrollment_count", "recent_enrollment_count")


def _image(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return pick(value, ("src", "description", "height", "width"))


def _video(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = pick(value, ("src", "description"))
    if "image" in value:
        out["image"] = _image(value["image"])
    return out


def _orgs(records: Records, items: Any, priority: int = DETAIL) -> list[str]:
    keys = []
    for org in items or []:
        if isinstance(org, dict) and org.get("key"):
            records.put("organizations", org["key"], pick(org, _ORG_FIELDS), priority)
            keys.append(org["key"])
    return keys


def _subjects(records: Records, items: Any) -> list[str]:
    uuids = []
    for subject in items or []:
        if isinstance(subject, dict) and subject.get("uuid"):
            records.put("subjects", subject["uuid"], pick(subject, _SUBJECT_FIELDS[1:]))
            uuids.append(subject["uuid"])
    return uuids


def _people(records: Records, items: Any) -> list[str]:
    uuids = []
    for person in items or []:
        if not isinstance(person, dict) or not person.get("uuid"):
            continue
        fields = pick(person, _PERSON_FIELDS)
        if isinstance(person.get("position"), dict):
            fields["position"] = pick(person["position"], ("title", "organization_name"))
        if isinstance(person.get("urls"), dict):
            fields["urls"] = pick(person["urls"], ("facebook", "twitter", "blog"))
        if isinstance(person.get("areas_of_expertise"), list):
            fields["areas_of_expertise"] = [a.get("value") for a in person["areas_of_expertise"] if isinstance(a, dict)]
        records.put("people", person["uuid"], fields)
        uuids.append(person["uuid"])
    return uuids


def _discovery_fields(body: dict, names: tuple[str, ...]) -> dict:
    """`names` of a discovery course or run, with its image, video and marketing URL as the records hold them."""
    fields = pick(body, names)
    if "image" in fields:
        fields["image"] = _image(fields["image"])
    if "video" in fields:
        fields["video"] = _video(fields["video"])
    if "marketing_url" in body:
        fields["marketing_url"] = bare_url(body["marketing_url"])
    return fields


def read_run(records: Records, run: dict, priority: int = DETAIL) -> None:
    key = run.get("key")
    if not is_run_key(str(key or "")):
        return
    fields = _discovery_fields(run, _RUN_FIELDS)
    if isinstance(run.get("seats"), list):
        fields["seats"] = [pick(s, _SEAT_FIELDS) for s in run["seats"] if isinstance(s, dict)]
    if isinstance(run.get("staff"), list):
        fields["staff"] = _people(records, run["staff"])
    records.put("runs", key, fields, priority)
    if run.get("course") and run.get("course_uuid"):
        records.put("courses", run["course"], {"uuid": run["course_uuid"]}, ITEM)


def read_course(records: Records, course: dict, priority: int = DETAIL) -> None:
    key = course.get("key")
    if not key:
        return
    fields = _discovery_fields(course, _COURSE_FIELDS)
    if "owners" in course:
        fields["owners"] = _orgs(records, course["owners"], priority)
    if "sponsors" in course:
        fields["sponsors"] = _orgs(records, course["sponsors"], priority)
    if "subjects" in course and all(isinstance(s, dict) for s in course["subjects"] or []):
        fields["subjects"] = _subjects(records, course["subjects"])
    if isinstance(course.get("prerequisites"), list):
        fields["prerequisites"] = [p.get("name") for p in course["prerequisites"] if isinstance(p, dict)]
    if isinstance(course.get("entitlements"), list):
        fields["entitlements"] = [pick(x, _ENTITLEMENT_FIELDS) for x in course["entitlements"] if isinstance(x, dict)]
    records.put("courses", key, fields, priority)
    for run in course.get("course_runs") or []:
        if isinstance(run, dict):
            read_run(records, run, priority)


def read_program(records: Records, program: dict, priority: int = DETAIL) -> None:
    uuid = program.get("uuid")
    if not uuid:
        return
    fields = pick(program, _PROGRAM_FIELDS)
    if "marketing_url" in program:
        fields["marketing_url"] = bare_url(program["marketing_url"])
    banner = program.get("banner_image")
    if isinstance(banner, dict) and isinstance(banner.get("large"), dict):
        fields["banner_image_url"] = banner["large"].get("url")
    if "authoring_organizations" in program:
        fields["authoring_organizations"] = _orgs(records, program["authoring_organizations"], priority)
    if "subjects" in program:
        fields["subjects"] = _subjects(records, program["subjects"])
    if "staff" in program:
        fields["staff"] = _people(records, program["staff"])
    if isinstance(program.get("price_ranges"), list):
        fields["price_ranges"] = [pick(r, ("currency", "min", "max", "total")) for r in program["price_ranges"]]
    if isinstance(program.get("courses"), list):
        fields["courses"] = [c.get("key") for c in program["courses"] if isinstance(c, dict)]
        for course in program["courses"]:
            if isinstance(course, dict):
                # The program's minimal course: owners are minimal organizations, runs are partial.
                minimal = {k: v for k, v in course.items() if k != "owners"}
                minimal["owners"] = [o for o in course.get("owners") or [] if isinstance(o, dict)]
                read_course(records, minimal, ITEM)
    if "content_last_modified" in program:
        fields["modified"] = program["content_last_modified"]
    records.put("programs", uuid, fields, priority)


# ------------------------------------------------------------------------------------------------ readers per operation

def _results(body: Any) -> list:
    return [item for item in (body.get("results") if isinstance(body, dict) else None) or [] if isinstance(item, dict)]


def _catalog(records: Records, exchange: Exchange, body: dict, state: dict) -> None:
    for catalog in ([body] if exchange.operation == "catalog.get_catalog" else _results(body)):
        if isinstance(catalog.get("id"), int):
            records.put("catalogs", catalog["id"], pick(catalog, ("name", "viewers")))
            state["catalog_query"][catalog["id"]] = catalog.get("query")


def _catalog_courses(records: Records, exchange: Exchange, body: dict, state: dict) -> None:
    catalog = int(path_params(exchange)["id"])
    page = state["catalog_pages"].setdefault(catalog, {})
    query = dict(exchange.query)
    page[(int(query.get("offset") or 0), int(query.get("page") or 1))] = [c.get("key") for c in _results(body)]
    if body.get("next") is None:
        state["catalog_complete"].add(catalog)
    for course in _results(body):
        read_course(records, course)


def _enterprise_catalogs(records: Records, exchange: Exchange, body: dict, state: dict) -> None:
    for catalog in _results(body):
        if catalog.get("uuid"):
            state["enterprise_catalog_order"].append(catalog["uuid"])
            if catalog.get("enterprise_customer"):
                state["customer_order"].append(catalog["enterprise_customer"])
            records.put("enterprise_catalogs", catalog["uuid"],
                        pick(catalog, ("title", "enterprise_customer", "enterprise_catalog_query", "created",
                                       "modified")))
            if catalog.get("enterprise_customer"):
                records.put("enterprise_customers", catalog["enterprise_customer"], {}, ITEM)


FREE_SEATS = frozenset({"audit", "honor"})


def _language_codes(names) -> list | None:
    """Language names as the search index shows them -> the LanguageTag codes the records hold."""
    from mockserver.world.pools import LANGUAGES

    codes = {name: code for code, name, _ in LANGUAGES}
    if not isinstance(names, list) or not all(name in codes for name in names):
        return None
    return [codes[name] for name in names]


def _run_item(records: Records, item: dict) -> None:
    """A `courserun` content item: the run's own fields, and what it says of seats, staff and languages."""
    run = {k: v for k, v in item.items() if k not in ("language", "transcript_languages")}
    run["image"] = {"src": item["image_url"]} if item.get("image_url") else None
    run["modified"] = item.get("content_last_modified")
    if isinstance(item.get("staff_uuids"), list):
        run["staff"] = [{"uuid": u} for u in item["staff_uuids"]]
    read_run(records, run, ITEM)
    fields = {}
    language = _language_codes([item["language"]] if item.get("language") else [])
    if language is not None:
        fields["content_language"] = language[0] if language else None
    transcripts = _language_codes(item.get("transcript_languages"))
    if transcripts is not None:
        fields["transcript_languages"] = transcripts
    types = item.get("seat_types")
    paid = [t for t in types or [] if t not in FREE_SEATS]
    # Seats only when the item says all there is to say: free ones, and at most one paid one with its price.
    if isinstance(types, list) and len(paid) <= 1 and (not paid or item.get("first_enrollable_paid_seat_price")):
        fields["seats"] = [{"type": t, "price": "0.00"} if t in FREE_SEATS else
                           {"type": t, "price": f"{float(item['first_enrollable_paid_seat_price']):.2f}",
                            "sku": item.get("first_enrollable_paid_seat_sku") or ""} for t in types]
    records.put("runs", item.get("key"), fields, ITEM)


def _program_item(records: Records, item: dict) -> None:
    program = {k: v for k, v in item.items() if k not in ("subjects", "language", "staff")}
    if isinstance(item.get("staff_uuids"), list):
        program["staff"] = [{"uuid": u} for u in item["staff_uuids"]]
    read_program(records, program, ITEM)
    languages = _language_codes(item.get("language"))
    if languages is not None:
        records.put("programs", item.get("uuid"), {"languages": languages}, ITEM)


_ITEM_READERS = {
    "course": lambda records, item: (read_course(records, {**{k: v for k, v in item.items()
                                                                if k not in ("subjects", "course_runs")},
                                                             "image": {"src": item["image_url"]}
                                                             if item.get("image_url") else None,
                                                             "modified": item.get("content_last_modified")}, ITEM),
                                     [read_run(records, run, ITEM) for run in item.get("course_runs") or []]),
    "courserun": _run_item,
    "program": _program_item,
}


def _enterprise_catalog(records: Records, exchange: Exchange, body: dict, state: dict, summary: Summary) -> None:
    uuid = path_params(exchange)["catalog_id"]
    query = dict(exchange.query)
    pages = state["content_pages"].setdefault(uuid, {})
    items = []
    for item in _results(body):
        kind = item.get("content_type")
        key = item.get("uuid") if kind == "program" else item.get("key")
        reader = _ITEM_READERS.get(kind)
        if reader is None:
            summary.cannot_express(exchange.operation, "results[].content_type",
                                   f"unknown content_type {str(kind)[:40]!r}: item left out of the catalog")
            continue
        items.append({"content_type": kind, "key": key})
        reader(records, item)
        if kind == "courserun" and item.get("parent_content_key"):
            # A run's item names its course's owners and subjects by uuid only: resolved once all is read.
            state["course_refs"].append((item["parent_content_key"], item.get("authoring_organization_uuids"),
                                         item.get("subject_uuids"), item.get("logo_image_urls")))
        slug = utm_source(item.get("enrollment_url")) or utm_source(item.get("marketing_url"))
        customer = None
        enroll = item.get("enrollment_url")
        if isinstance(enroll, str) and "/enterprise/" in enroll:
            customer = enroll.split("/enterprise/", 1)[1].split("/", 1)[0]
        if customer:
            records.put("enterprise_catalogs", uuid, {"enterprise_customer": customer}, ITEM)
            records.put("enterprise_customers", customer, {"slug": slug} if slug else {}, ITEM)
    pages[int(query.get("page") or 1)] = items
    if body.get("next") is None:
        state["content_complete"].add(uuid)


def _enterprise_detail(records: Records, exchange: Exchange, body: dict, state: dict) -> None:
    if exchange.operation == "enterprise.get_catalog_program":
        read_program(records, body)
    else:
        (read_course if exchange.operation == "enterprise.get_catalog_course" else read_run)(records, body)
        course = body.get("key") if exchange.operation == "enterprise.get_catalog_course" else body.get("course")
        for program in body.get("programs") or []:
            if isinstance(program, dict) and program.get("uuid"):
                # A program's courses are what makes it show on a course or run: keep the membership seen.
                state["program_courses"].setdefault(program["uuid"], []).append(course)
                records.put("programs", program["uuid"],
                            {**pick(program, ("title", "type", "marketing_slug")),
                             "marketing_url": bare_url(program.get("marketing_url"))}, ITEM)


_ENROLLMENT_DROP = ()  # every learner-summary column is an Enrollment field


def _learner_summary(records: Records, exchange: Exchange, body: dict, state: dict) -> None:
    customer = path_params(exchange)["enterprise_uuid"]
    for row in _results(body):
        if isinstance(row.get("enrollment_id"), int):
            records.put("enrollments", row["enrollment_id"], {k: v for k, v in row.items() if k != "enrollment_id"})
            if row.get("enterprise_name"):
                records.put("enterprise_customers", customer, {"name": row["enterprise_name"]})


_BLENDX_FIELDS = ("id", "display_name", "display_image", "short_description", "overview", "price", "currency", "start",
                  "end", "start_display", "effort", "enrollment_start", "enrollment_end",
                  "certificate_available_date", "has_any_active_web_certificate", "link_to_course", "language",
                  "self_paced", "number", "course_video_url", "course_mode", "available_course_modes", "tags",
                  "is_invite_only", "is_published", "avg_rating", "org", "org_logo_url", "org_favicon_url",
                  "organisation", "organisation_id", "organisation_logo_url", "organisation_favicon_url",
                  "course_structure", "reviews")


def _blendx(records: Records, course: dict, priority: int) -> None:
    key = course.get("openedx_course_id")
    if not is_run_key(str(key or "")):
        return
    fields = pick(course, _BLENDX_FIELDS)
    if "course_image_url" in course:
        fields["display_image"] = course["course_image_url"]
    structure = fields.get("course_structure")
    if isinstance(structure, dict):
        fields["course_structure"] = {k: v for k, v in structure.items() if k not in ("total_sections", "total_subsections")}
    records.put("blendx_courses", key, fields, priority)
    # The same run as discovery's: its dates fill a run no discovery answer showed (details win).
    dates = {name: course[name] for name in _RUN_DATES if name in course}
    if course.get("is_published") is True:  # BlendX shows discovery's `status == "published"`
        dates["status"] = "published"
    records.put("runs", key, dates, HINT)


def _blendx_list(records: Records, exchange: Exchange, body: dict, state: dict) -> None:
    query = dict(exchange.query)
    default_order = not query.get("order_by") and not query.get("search") and not query.get("org") \
        and not query.get("tags")
    for n, course in enumerate(c for c in body.get("courses") or [] if isinstance(c, dict)):
        _blendx(records, course, ITEM)
        if default_order and course.get("openedx_course_id"):
            state["blendx_order"][course["openedx_course_id"]] = int(body.get("offset") or 0) + n


def _blendx_detail(records: Records, exchange: Exchange, body: dict, state: dict) -> None:
    _blendx(records, body, DETAIL)


_RUN_DATES = ("start", "end", "enrollment_start", "enrollment_end")
_SEARCH_EMPTY = {"image_url": "", "start": None, "end": None, "enrollment_start": None, "enrollment_end": None,
                 "effort": None, "number": "", "org": "", "modes": [], "language": None, "invitation_only": False,
                 "catalog_visibility": ""}
_CONTENT_EMPTY = {"display_name": "", "overview": "", "number": "", "short_description": ""}


def _search(records: Records, exchange: Exchange, body: dict, state: dict) -> None:
    form = dict(exchange.form)
    if not form.get("search_string") and not any(form.get(f) for f in ("org", "modes", "language")):
        # match-all: the index order itself (equal scores keep it)
        state["search_orders"].append([h["data"]["id"] for h in body.get("results") or []
                                       if isinstance(h, dict) and isinstance(h.get("data"), dict) and "id" in h["data"]])
    for hit in body.get("results") or []:
        data = hit.get("data") if isinstance(hit, dict) else None
        if not isinstance(data, dict) or not is_run_key(str(data.get("id") or "")):
            continue
        # edx-search leaves empty values out of the document: an absent field is that field's empty value.
        fields = {**_SEARCH_EMPTY, **{k: v for k, v in data.items() if k not in ("id", "course", "content")}}
        fields["content"] = {**_CONTENT_EMPTY, **(data.get("content") or {})}
        records.put("search_documents", data["id"], fields)
        records.put("runs", data["id"], {name: fields[name] for name in _RUN_DATES}, HINT)


READERS = {
    "catalog.list_catalogs": _catalog,
    "catalog.get_catalog": _catalog,
    "catalog.list_catalog_courses": _catalog_courses,
    "enterprise.list_enterprise_catalogs": _enterprise_catalogs,
    "enterprise.get_enterprise_catalog": _enterprise_catalog,
    "enterprise.get_catalog_course": _enterprise_detail,
    "enterprise.get_catalog_course_run": _enterprise_detail,
    "enterprise.get_catalog_program": _enterprise_detail,
    "enterprise.get_learner_summary": _learner_summary,
    "blendx.list_courses": _blendx_list,
    "blendx.get_course": _blendx_detail,
    "search.course_discovery": _search,
}


def _ordered(pages: dict) -> list:
    return [item for _, items in sorted(pages.items()) for item in items]


def _resolve_course_refs(records: Records, refs: list) -> None:
    """Owners and subjects named by uuid become course fields when every uuid is a recorded record's."""
    orgs = {(records.get("organizations", key) or {}).get("uuid"): key for key in records.keys("organizations")}
    subjects = set(records.keys("subjects"))
    for course, org_uuids, subject_uuids, logos in refs:
        org = course.split("+", 1)[0]
        if isinstance(org_uuids, list) and len(org_uuids) == 1 and org_uuids[0] not in orgs \
                and not (records.get("organizations", org) or {}).get("uuid"):
            # One owner nobody else described: the organization of the course key (as course keys are made).
            logo = {"logo_image_url": logos[0]} if isinstance(logos, list) and len(logos) == 1 else {}
            records.put("organizations", org, {"uuid": org_uuids[0], **logo}, HINT)
            orgs[org_uuids[0]] = org
        fields = {}
        if isinstance(org_uuids, list) and all(u in orgs for u in org_uuids):
            fields["owners"] = [orgs[u] for u in org_uuids]
        if isinstance(subject_uuids, list) and all(u in subjects for u in subject_uuids):
            fields["subjects"] = list(subject_uuids)
        records.put("courses", course, fields, HINT)


def _ensure_parents(records: Records) -> None:
    """Every run a record names has its run, course and organization records (the world needs them)."""
    runs = set(records.keys("runs")) | set(records.keys("blendx_courses")) | set(records.keys("search_documents"))
    for eid in records.keys("enrollments"):
        run = (records.get("enrollments", eid) or {}).get("courserun_key")
        if is_run_key(str(run or "")):
            runs.add(run)
    for run in runs:
        records.put("runs", run, {}, ITEM)
        course = run.split(":", 1)[1].rsplit("+", 1)[0]
        records.put("courses", course, {}, ITEM)
    for uuid in records.keys("enterprise_catalogs"):
        for item in (records.get("enterprise_catalogs", uuid) or {}).get("content") or []:
            kind = {"course": "courses", "courserun": "runs", "program": "programs"}[item["content_type"]]
            records.put(kind, item["key"], {}, ITEM)
    for course in records.keys("courses"):
        org = course.split("+", 1)[0]
        bx = next((records.get("blendx_courses", r) for r in runs if r.startswith(f"course-v1:{course}+")), None) or {}
        # BlendX names the course's organization too (its logo is BlendX's own, not discovery's).
        records.put("organizations", org, {k: bx[f"organisation{suffix}"] for k, suffix in
                                           (("name", ""), ("uuid", "_id"), ("favicon_url", "_favicon_url"))
                                           if f"organisation{suffix}" in bx}, ITEM)


def _prefer_queries(out: dict, queries: dict, seed: int, clock) -> None:
    """A discovery catalog keeps its own `query` when, over the recorded courses, that query lists exactly
    the recorded contents; otherwise its contents stay pinned by `courses` (and `query` shows `key:(…)`).
    A catalog whose courses were not all seen gets its query (the best the records can say of it)."""
    from mockserver.scenarios.records import to_overlay
    from mockserver.world import build_world

    candidates = {cid: queries.get(int(cid)) for cid, fields in (out.get("catalogs") or {}).items()
                  if isinstance(queries.get(int(cid)), str)}
    if not candidates:
        return
    trial = {**out, "catalogs": {cid: ({k: v for k, v in fields.items() if k != "courses"}
                                       | ({"query": candidates[cid]} if cid in candidates else {}))
                                 for cid, fields in out["catalogs"].items()}}
    try:
        world = build_world(seed=seed, clock=clock, size=0, overlay=to_overlay(trial))
    except ValueError:  # a query the mock's engine cannot read, or records it refuses: keep `courses`
        return
    for cid, query in candidates.items():
        catalog = world.catalog(int(cid))
        pinned = out["catalogs"][cid].get("courses")
        if catalog is not None and (pinned is None or [c.key for c in world.catalog_active_courses(catalog)] == pinned):
            fields = {k: v for k, v in out["catalogs"][cid].items() if k != "courses"}
            out["catalogs"][cid] = dict(sorted({**fields, "query": query}.items()))


def convert(exchanges: list[Exchange], summary: Summary, clock, seed: int = 1) -> dict:
    """The scenario `records` the exchanges (already anonymised) describe."""
    from datetime import timedelta

    records = Records()
    state: dict = {"catalog_query": {}, "catalog_pages": {}, "catalog_complete": set(), "content_pages": {},
                   "content_complete": set(), "blendx_order": {}, "search_orders": [], "customer_order": [],
                   "enterprise_catalog_order": [], "program_courses": {}, "course_refs": []}
    for exchange in exchanges:
        reader = READERS.get(exchange.operation)
        if reader is None:
            summary.skip("answer", f"{exchange.method} {exchange.path[:80]}: not an operation the recorder knows"
                         if not exchange.operation else f"{exchange.operation}: not converted")
            continue
        if exchange.status != 200 or not isinstance(exchange.body, dict):
            why = f"status {exchange.status}" if exchange.status != 200 else f"not JSON ({exchange.media_type or 'no type'})"
            summary.skip("answer", f"{exchange.operation}: {why} (answers are recorded from 200 JSON bodies)")
            continue
        if reader is _enterprise_catalog:
            reader(records, exchange, exchange.body, state, summary)
        else:
            reader(records, exchange, exchange.body, state)
    for catalog, pages in state["catalog_pages"].items():
        if catalog in state["catalog_complete"]:
            records.put("catalogs", catalog, {"courses": list(dict.fromkeys(_ordered(pages)))})
        else:
            summary.skip("catalog", "courses not crawled to the last page: contents not pinned")
    for uuid, pages in state["content_pages"].items():
        if uuid in state["content_complete"]:
            records.put("enterprise_catalogs", uuid, {"content": _ordered(pages)})
        else:
            summary.skip("enterprise catalog", "content not crawled to the last page: contents not pinned")
    # BlendX lists newest first by `created_at`, which no answer shows: keep the recorded order.
    for key, position in state["blendx_order"].items():
        records.put("blendx_courses", key, {"created_at": (clock - timedelta(days=1, minutes=position)).isoformat()})
    for uuid, courses in state["program_courses"].items():
        records.put("programs", uuid, {"courses": list(dict.fromkeys(c for c in courses if c))}, ITEM)
    _resolve_course_refs(records, state["course_refs"])
    _ensure_parents(records)
    sequences = {"courses": [_ordered(pages) for pages in state["catalog_pages"].values()],
                 "runs": state["search_orders"],
                 "enterprise_customers": [state["customer_order"]],
                 "enterprise_catalogs": [state["enterprise_catalog_order"]]}
    out = records.as_records(sequences)
    _prefer_queries(out, state["catalog_query"], seed, clock)
    for kind, items in out.items():
        summary.recorded[kind] = len(items)
    return out
