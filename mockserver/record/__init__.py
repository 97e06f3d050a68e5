"""Recording a real deployment into an anonymised, validated scenario file (`mockserver record`).

The pipeline, stated once (`command.py` runs it):

    crawl (or proxy)  ->  exchanges  ->  anonymise  ->  convert to records  ->  write YAML  ->  verify by replay

- `crawl.py`: read-only crawl of the three APIs' lists, `next` links and the details they name;
- `proxy.py`: a forwarding proxy that keeps what a real client actually asked for;
- `exchange.py`: one recorded request and its answer, the unit everything else works on;
- `anonymise.py`: learner identities replaced by keyed, deterministic pseudonyms on the wire bodies;
- `convert.py`: wire bodies to scenario records by natural key, and what the records cannot express;
- `writer.py`: the scenario YAML (header, sorted, stable);
- `verify.py`: every recorded request replayed against the mock serving the recording, field by field;
- `summary.py`: what was recorded, replaced, skipped, and why.
"""
