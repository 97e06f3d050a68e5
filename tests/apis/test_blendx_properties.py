"""Properties of the BlendX list and detail routes for any world seed (small worlds, few examples).

- paging through the list, whatever the limit and filters, visits `total_count` courses, each once;
- every listed course answers in the detail route with the same values (`display_image` is the detail's
  `course_image_url`, `org_logo_url` its `organisation_logo_url`);
- the list, the detail and edx-search describe the same run (title, start).
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import DEFAULT_TEST_CLOCK

SEEDS = st.integers(min_value=1, max_value=10**6)
PROPERTY = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
LIST = "/blendxapi/discovery/courses/"
SHARED = ("id", "openedx_course_id", "display_name", "short_description", "overview", "course_video_url", "start",
          "end", "effort", "enrollment_start", "enrollment_end", "certificate_available_date",
          "has_any_active_web_certificate", "language", "self_paced", "is_invite_only", "is_published", "price",
          "course_mode", "available_course_modes", "avg_rating")


@functools.lru_cache(maxsize=4)
def client_for(seed: int) -> tuple[TestClient, dict]:
    app = create_app(Settings(seed=seed, clock=DEFAULT_TEST_CLOCK, size="small"))
    return TestClient(app, base_url="http://testserver"), {"actionsecret": app.runtime.auth.action_secret}


def walk(client, headers, params: dict) -> tuple[list[dict], int]:
    courses, page, total = [], 1, None
    while True:
        body = client.get(LIST, params={**params, "page": page}, headers=headers).json()
        assert total is None or body["total_count"] == total
        total = body["total_count"]
        courses += body["courses"]
        if not body["has_more"]:
            return courses, total
        page += 1


@PROPERTY
@given(seed=SEEDS, limit=st.integers(min_value=1, max_value=12),
       order=st.sampled_from(["created_at.desc", "display_name.asc", "price", "start.asc", "avg_rating.desc"]),
       tag_pick=st.integers(min_value=0, max_value=50), filtered=st.booleans())
def test_pages_visit_every_matching_course_once(seed, limit, order, tag_pick, filtered):
    client, headers = client_for(seed)
    params = {"limit": limit, "order_by": order}
    if filtered:
        everything, _ = walk(client, headers, {"limit": 100})
        tags = sorted({t for c in everything for t in c["tags"]})
        params["tags"] = tags[tag_pick % len(tags)]
    courses, total = walk(client, headers, params)
    ids = [c["id"] for c in courses]
    assert len(ids) == len(set(ids)) == total
    if filtered:
        assert all(params["tags"] in c["tags"] for c in courses)


@PROPERTY
@given(seed=SEEDS)
def test_every_listed_course_answers_in_the_detail_route_with_the_same_values(seed):
    client, headers = client_for(seed)
    courses, _ = walk(client, headers, {"limit": 100, "fields": "full"})
    for course in courses:
        detail = client.get(f"/blendxapi/discovery/course/{quote(course['openedx_course_id'], safe='')}/",
                            headers=headers)
        assert detail.status_code == 200
        detail = detail.json()
        assert detail["course_image_url"] == course["display_image"]
        assert detail["organisation_logo_url"] == course["org_logo_url"]
        assert detail["organisation_favicon_url"] == course["org_favicon_url"]
        for name in SHARED:
            assert detail[name] == course[name], name


@PROPERTY
@given(seed=SEEDS)
def test_blendx_and_edx_search_describe_the_same_runs(seed):
    client, headers = client_for(seed)
    courses = {c["openedx_course_id"]: c for c in walk(client, headers, {"limit": 100})[0]}
    hits = client.post("/search/course_discovery/", data={"page_size": "100"}).json()["results"]
    for hit in hits:
        course = courses[hit["_id"]]
        assert hit["data"]["content"]["display_name"] == course["display_name"]
        assert hit["data"]["org"] == course["org"]
        assert hit["data"]["start"][:19] == course["start"][:19]
