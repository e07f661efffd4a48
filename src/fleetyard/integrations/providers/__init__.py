"""One adapter per vendor, each speaking its vendor's documented API and nothing else: it
reads the vendor, turns what it reads into our normalized ``Position``, and never touches the
database. ``base`` holds the contract every adapter fulfils."""
