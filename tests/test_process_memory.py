"""What a serving process keeps of the worlds it replaced, and the allocator settings `serve` makes
(mockserver/memory.py), seen through `/__admin/health` `memory.process` of a `mockserver serve` child (the
count is the process's, so no other test's worlds are in it). Counts, never timings or RSS."""

from __future__ import annotations

import os

import httpx

from mockserver.testing import free_port
from _serve import serve_process

YAML = {"content-type": "application/yaml"}
RECORD = """\
name: retitled
records:
  courses:
    edX+DemoX:
      title: {title}
"""


def process(client) -> dict:
    return client.get("/__admin/health").json()["memory"]["process"]


def test_serve_keeps_only_the_default_and_the_serving_world_and_sets_the_allocator():
    # The environment's MALLOC_ARENA_MAX is glibc's to apply; the mmap threshold is set by `serve`.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env["MALLOC_ARENA_MAX"] = "4"
    port = free_port()
    proc = serve_process(port, "--size", "small", "--clock", "2026-01-15", env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            first = process(client)
            glibc = os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
            assert first["allocator"] == ({"MALLOC_MMAP_THRESHOLD_": 131072} if glibc else {})
            assert first["worlds"] == 1  # the default world
            # Records are checked on the probe app, which has no world of its own; a large world's build
            # freezes the heap (gc.freeze), the world it replaces with it: frozen, a replaced world used to
            # stay for good.
            scenarios = [RECORD.format(title=f"Take {n}") for n in range(3)]
            scenarios += ["name: big\nsize: large\n", "name: two\nseed: 2\n", RECORD.format(title="Last")]
            for scenario in scenarios:
                response = client.post("/__admin/scenarios?replace=true", content=scenario, headers=YAML)
                assert response.status_code == 200, response.text
                assert process(client)["worlds"] == 2, scenario  # the default world and the one serving
            assert client.delete("/__admin/scenarios").status_code == 200
            assert process(client)["worlds"] == 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)
