"""Live updates: positions, alerts and record events to browsers and integrations.

Publishers (the ingest pipeline, the alert rules, the API's committed transactions) hand
batches of :class:`~fleetyard.realtime.items.LiveItem` to a bus; the bus numbers them per
tenant (``seq``) and fans them out to every process's hub; the hub batches, throttles and
encodes them once, and writes them to WebSocket and Server-Sent Events clients.
"""
