"""Scenario files: schema, loading, validation against the world and the specs, behaviours, reloads.

Public surface:
- `loader.read_file(path)` / `loader.read_files(paths)` / `loader.read_scenario(text, file)` — parse and check
  files (raise `problems.ScenarioError`, whose `problems` carry file, line, column, field, message);
- `loader.build_snapshot(scenarios, settings)` — a complete `state.Snapshot` for them (world with the records
  as overlay, auth, enterprise format, behaviours), or `ScenarioError`;
- `manager.install(runtime, settings)` — the `create_app` hook (`--scenario`, `--watch`);
  `manager.manager_of(runtime)` — the running app's `ScenarioManager` (load, reload, clear, reset);
- `behaviours.BehaviourMiddleware` — applies behaviours in the app's middleware list;
- `schema.build_schema()` — the JSON Schema published as `schemas/scenario.schema.json`;
- `command.register(subparsers)` — `mockserver scenario check|schema`.
"""
