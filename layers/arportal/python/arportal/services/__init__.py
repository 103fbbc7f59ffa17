"""Use cases, written against ports. Each takes what it needs explicitly; none reads the environment."""
