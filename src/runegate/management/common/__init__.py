"""Shared pieces of the management APIs: error catalogue, filters, pagination, deps."""
