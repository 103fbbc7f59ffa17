"""Pure business rules: no boto3, no event shapes, no I/O."""
