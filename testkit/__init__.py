"""Fakes of the services skinbot talks to, for tests and benchmarks: never imported by the running bot."""
