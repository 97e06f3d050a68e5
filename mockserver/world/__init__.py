"""The seeded world: one coherent dataset behind the catalog, enterprise and BlendX APIs.

    from mockserver.world import build_world, Overlay
    world = build_world(seed=1, clock=None, size="default", overlay=None)
    world.catalog(1), world.catalog_active_courses(1)[:20], world.run("course-v1:edX+DemoX+Demo_Course")
    world.blendx_query(search="python", orgs=["TestOrg"], tags=["health"], order_by=("display_name", "asc"))

Modules: `entities` (the frozen dataclasses, named after the real API fields), `keys` (key formats),
`pools` (Faker value pools and curated vocabularies), `generate` (seeded generation), `landmarks`
(the documents' named entities), `index` (query evaluation and indexes), `overlay` (scenario
overrides), `references` (an overlay's references to other entities), `build` (`build_world`), `parts`
(what the build hands to `World`), `world` (`World`, the query API).
"""

from mockserver.world.entities import (
    BlendXCourse, Catalog, ContentRef, Course, CourseRun, Enrollment, EnterpriseCatalog,
    EnterpriseCustomer, LanguageTag, Organization, Person, Program, SearchDocument, Seat, Subject,
)
from mockserver.world.index import BLENDX_ORDER_FIELDS, LazySeq
from mockserver.world.overlay import Overlay, WorldError
from mockserver.world.build import SIZES, build_world, start_of_day
from mockserver.world.world import World

__all__ = [
    "BLENDX_ORDER_FIELDS", "SIZES", "BlendXCourse", "Catalog", "ContentRef", "Course", "CourseRun",
    "Enrollment", "EnterpriseCatalog", "EnterpriseCustomer", "LanguageTag", "LazySeq", "Organization",
    "Overlay", "Person", "Program", "SearchDocument", "Seat", "Subject", "World", "WorldError",
    "build_world", "start_of_day",
]
