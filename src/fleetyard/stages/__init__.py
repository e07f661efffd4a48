"""The after-store stages (alert rules, trips, geofences, driving behaviour) in their own
process: the stage worker.

The gateway's store transaction inserts one ``stage_queue`` row per stored batch naming its
new records (migration 0019); a stage worker claims rows (``FOR UPDATE SKIP LOCKED``, so
several may share the queue), reads the positions they name back, runs the stages' own code
on them and deletes the rows. ``fleetyard serve`` starts one as a child process
(``fleetyard.stages.bridge``); ``fleetyard stages`` runs one alone. See
docs/driving-behaviour.md, "The after-store chain".
"""
