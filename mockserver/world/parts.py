"""The parts a world is made of: what `build.py` makes and hands to `World(parts)`, and the lookups over
them that both the build's later steps and the world's queries use (cores by key, whether catalog
content is active, entities materialised from their cores on first use).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from datetime import datetime

from mockserver.world import entities as e
from mockserver.world.generate import BlendXCore, CourseCore, Generator, RunCore
from mockserver.world.index import BlendXIndex, CourseIndex, SearchIndex
from mockserver.world.overlay import coerce_patch


class Materialised:
    """The entities of one kind by key: built from their cores on first use, with the overlay's patch (if
    any) applied, and the most recently used ones kept.

    Every entity is a pure function of seed, clock, size and overlay, so one built again is the same entity;
    the bound keeps a world that is walked end to end (a 100,000-course world has 180,000 runs, BlendX
    courses and search documents) from holding all of them at once.
    """

    SIZE = 1024

    def __init__(self, cls: type, kind: str, patches: dict[str, dict[str, dict]], build,
                 omitted: frozenset[str] = frozenset()):
        self._cls = cls
        self._kind = kind
        self._patches = patches[kind]
        self._build = build
        self._omitted = omitted  # fields `build` leaves out (None), and the patch with them
        self._memo = functools.lru_cache(maxsize=self.SIZE)(self._make)

    def __call__(self, key: str):
        return self._memo(key)

    def _make(self, key: str):
        entity = self._build(key)
        patch = self._patches.get(key)
        if patch and self._omitted:
            patch = {k: v for k, v in patch.items() if k not in self._omitted}
        if patch:
            entity = dataclasses.replace(entity, **coerce_patch(self._cls, patch, f"{self._kind}[{key}]", entity))
        return entity


def ref_active(ref: e.ContentRef, course_core: Callable[[str], CourseCore | None],
               run_core: Callable[[str], RunCore | None], programs: dict[str, e.Program]) -> bool:
    """Whether an enterprise catalog's content item is active (served): its course, run or program is."""
    if ref.content_type == "course":
        core = course_core(ref.key)
        return bool(core and core.active)
    if ref.content_type == "courserun":
        core = run_core(ref.key)
        return bool(core and core.active)
    p = programs.get(ref.key)
    return bool(p and p.active)


class BlendXCores(Sequence):
    """The BlendX core of every run, by run index: derived from the run's core when asked for (it is a few
    fields of it), except the ones an overlay changed, which are kept."""

    def __init__(self, gen: Generator, runs: list[RunCore], patched: dict[int, BlendXCore]):
        self._gen = gen
        self._runs = runs
        self._patched = patched

    def __len__(self) -> int:
        return len(self._runs)

    def __getitem__(self, i: int) -> BlendXCore:
        core = self._patched.get(i)
        return core if core is not None else self._gen.blendx_core(self._runs[i])


@dataclasses.dataclass(eq=False)
class Parts:
    """What a world is made of, filled step by step by the build and handed to `World(parts)`.

    Later steps look up what earlier ones made (`course_core`, `run_core`, `content_active`); the fields
    filled by a step are unset (AttributeError) until it has run.
    """

    seed: int
    clock: datetime
    n_courses: int
    gen: Generator
    orgs: dict[str, e.Organization] = dataclasses.field(init=False)
    subjects: dict[str, e.Subject] = dataclasses.field(init=False)
    people: dict[str, e.Person] = dataclasses.field(init=False)
    languages: dict[str, e.LanguageTag] = dataclasses.field(init=False)
    languages_short: dict[str, e.LanguageTag] = dataclasses.field(init=False)
    course_cores: list[CourseCore] = dataclasses.field(init=False)
    run_cores: list[RunCore] = dataclasses.field(init=False)
    course_idx: dict[str, int] = dataclasses.field(init=False)
    run_idx: dict[str, int] = dataclasses.field(init=False)
    programs: dict[str, e.Program] = dataclasses.field(init=False)
    catalogs: dict[int, e.Catalog] = dataclasses.field(init=False)
    course_index: CourseIndex = dataclasses.field(init=False)
    customers: dict[str, e.EnterpriseCustomer] = dataclasses.field(init=False)
    ent_catalogs: dict[str, e.EnterpriseCatalog] = dataclasses.field(init=False)
    enrollments: dict[str, tuple[e.Enrollment, ...]] = dataclasses.field(init=False)
    enrollment_by_id: dict[int, e.Enrollment] = dataclasses.field(init=False)
    bx_cores: BlendXCores = dataclasses.field(init=False)
    bx_index: BlendXIndex = dataclasses.field(init=False)
    search_index: SearchIndex = dataclasses.field(init=False)
    # the overlay's patches by kind and key, applied when an entity is materialised
    patches: dict[str, dict[str, dict]] = dataclasses.field(init=False)
    # search documents by run key: the search index reads patched ones while it is built
    sd_entity_by_key: Materialised = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.patches = {"courses": {}, "runs": {}, "blendx_courses": {}, "search_documents": {}}
        self.sd_entity_by_key = Materialised(e.SearchDocument, "search_documents", self.patches,
                                             lambda key: self.gen.search_document(self.run_core(key)))

    def course_core(self, key: str) -> CourseCore | None:
        i = self.course_idx.get(key)
        return self.course_cores[i] if i is not None else None

    def run_core(self, key: str) -> RunCore | None:
        i = self.run_idx.get(key)
        return self.run_cores[i] if i is not None else None

    def content_active(self, ref: e.ContentRef) -> bool:
        return ref_active(ref, self.course_core, self.run_core, self.programs)
