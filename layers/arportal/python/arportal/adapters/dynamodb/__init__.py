"""DynamoDB adapter: table definitions, key builders, item mapping, repositories and the unit of work."""
