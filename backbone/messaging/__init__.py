"""Messaging between services: the relay from the event store to the bus, and the consumers."""
