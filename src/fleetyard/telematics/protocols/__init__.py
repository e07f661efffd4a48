"""Device protocols: framers, decoders and reply encoders. Pure: bytes in, events out."""
