"""Devices: the trackers that report positions, and which tenant each hardware id belongs to."""
