"""HTTP glue shared by every surface: error rendering, middleware, auth dependencies."""
