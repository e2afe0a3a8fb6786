"""The guide as data: read the YAML with positions, validate it against the schema, check across files."""
