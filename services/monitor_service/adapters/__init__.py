"""The monitor's adapters: the in-memory store (tests, simulator) and the price table file."""

from monitor_service.adapters.price_table import load_price_book

__all__ = ["load_price_book"]
