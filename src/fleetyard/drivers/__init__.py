"""Drivers: who drives, with which licence, in which vehicle."""
