"""Layer 2: the inputs' schema. Uses only `sim.base`.

- `sim.schema.parameters`: every parameter (default, range, source) from sim/data/parameters.csv.
- `sim.schema.scenario`: TOML scenarios with base inheritance and events, validated against the schema;
  `scenario_of` reads any scenario argument (name, path or object).
- `sim.schema.survey_pool`: how the survey pools its respondents into one ASEAN-wide figure.
"""
