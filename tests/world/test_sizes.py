"""The default world makes every paged route have more than one page at its default page size."""

from __future__ import annotations

from collections import Counter

import pytest

from mockserver.world import SIZES, build_world
from mockserver.world.landmarks import CATALOG_ALL_COURSES_ID, landmark_overlay


def test_more_than_20_discovery_catalogs(default_world):
    assert len(default_world.catalogs) > 20


def test_catalog_1_lists_more_than_20_active_courses_and_counts_all(default_world):
    active = default_world.catalog_active_courses(CATALOG_ALL_COURSES_ID)
    assert len(active) > 20
    assert default_world.catalog_courses_count(CATALOG_ALL_COURSES_ID) == len(default_world.courses) > len(active)


def test_more_than_10_enterprise_catalogs_each_with_more_than_10_active_mixed_items(default_world):
    catalogs = default_world.enterprise_catalogs
    assert len(catalogs) > 10
    for catalog in catalogs:
        items = default_world.enterprise_catalog_items(catalog)
        assert len(items) > 10, catalog.title
        kinds = Counter(type(x).__name__ for x in items)
        assert set(kinds) == {"Course", "CourseRun", "Program"}, (catalog.title, kinds)
        assert all(x.active for x in items)


def test_enrollments_cover_every_status_for_every_customer(default_world):
    for customer in default_world.enterprise_customers:
        rows = default_world.enrollments(customer.uuid)
        assert len(rows) > 10, customer.slug
        assert {r.progress_status for r in rows} == {"In Progress", "Passed", "Failed"}, customer.slug
        assert any(r.unenrollment_date for r in rows)
        assert any(r.is_refunded for r in rows)
        assert any(not r.is_consent_granted for r in rows)


def test_more_than_8_blendx_courses_and_20_enrollable_search_documents(default_world):
    assert len(default_world.blendx_query()) > 8
    assert len(default_world.search_documents()) > 20


def test_every_availability_is_present(default_world):
    assert {r.availability for r in default_world.runs} == {"Archived", "Current", "Starting Soon", "Upcoming"}


@pytest.mark.parametrize("size", ["small", "default"])
def test_sizes_scale(clock, size):
    """A named size is that many generated courses; the landmarks come on top, generated courses unchanged."""
    bare = build_world(seed=1, clock=clock, size=size, landmarks=False)
    assert len(bare.courses) == SIZES[size]
    full = build_world(seed=1, clock=clock, size=size)
    bare_keys, full_keys = [c.key for c in bare.courses], [c.key for c in full.courses]
    assert full_keys[: SIZES[size]] == bare_keys
    assert set(full_keys[SIZES[size]:]) == set(landmark_overlay(clock).courses)
