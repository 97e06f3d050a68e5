"""Fixture targets for the contract runner's tests: a conforming mini API, a drift middleware, a server helper."""
