"""Performance measurements (never timed tests). Run all with `make bench`; figures in README.md."""
