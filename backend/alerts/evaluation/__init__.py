"""Alert evaluation: set-based SQL that finds conditions, and the jobs that run it."""
