"""Telematics clouds and brokers (Geotab, Samsara, Verizon Connect, MQTT) as tenant records
whose vehicles flow into the same ingest pipeline as the device gateway's."""
