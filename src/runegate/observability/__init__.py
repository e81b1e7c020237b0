"""Health and Prometheus metrics."""
