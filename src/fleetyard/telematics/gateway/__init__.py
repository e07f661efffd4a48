"""Gateway: asyncio servers that feed device bytes to the pure protocol sessions."""
